// The player's rights over their account (GDPR art. 15/20 and 17): GET /api/me/export gives
// everything stored about them as one JSON document; DELETE /api/me deletes the account.
#pragma once

#include "router.h"

#include "auth/auditlog.h"
#include "db/storage.h"

#include <latchkey/clock.h>

namespace latchkey {

class MeRoutes : public RouteGroup
{
public:
    MeRoutes(Storage &storage, AuditLog &log, Clock clock)
        : m_storage(storage), m_log(log), m_clock(std::move(clock))
    {
    }

    //! The export holds at most this many of the player's audit events, the newest.
    static constexpr int maxExportedEvents = 10000;

    void addRoutes(Router &router) override;

private:
    void exportData(Call &call);
    //! {"confirm": "<the username>"}: anything else is 400 and deletes nothing.
    void deleteAccount(Call &call);

    Storage &m_storage;
    AuditLog &m_log;
    const Clock m_clock;
};

} // namespace latchkey
