// The player's devices: GET /api/sessions lists the live sessions of the caller's account,
// DELETE /api/sessions/{id} ends one of them (a lost phone, a shared computer).
#pragma once

#include "router.h"

#include "auth/sessionservice.h"
#include "db/storage.h"

#include <latchkey/clock.h>

namespace latchkey {

class SessionRoutes : public RouteGroup
{
public:
    SessionRoutes(Storage &storage, SessionService &sessions, Clock clock)
        : m_storage(storage), m_sessions(sessions), m_clock(std::move(clock))
    {
    }

    void addRoutes(Router &router) override;

    //! The address a session list shows: an IPv4 address's last octet and an IPv6 address's
    //! interface half masked ("203.0.113.0/24", "2001:db8:1:2::/64"); empty stays empty.
    static QString maskedAddress(const QString &address);
    //! {"id","created_at","last_refresh","user_agent","address" (masked),"current"}.
    static QJsonObject toJson(const DeviceSession &session, qint64 currentSessionId);
    //! Answers \a call with user \a userId's live sessions ({"status","sessions":[…]}), the
    //! caller's own marked current.
    static void answerLiveSessions(Call &call, Storage &storage, qint64 userId, qint64 nowSecs);

private:
    void list(Call &call);
    void end(Call &call);

    Storage &m_storage;
    SessionService &m_sessions;
    const Clock m_clock;
};

} // namespace latchkey
