// What an operator does to accounts, for the /admin API and latchkey-admin alike: change a
// role, ban and unban, end sessions, rename, set progress, delete. Every change is audited
// with the admin who made it.
#pragma once

#include "auditlog.h"
#include "session.h"

#include "db/storage.h"

#include <latchkey/clock.h>

#include <optional>

namespace latchkey {

//! Who acts: an admin's user id over the API, 0 for latchkey-admin at the server's console.
struct Actor
{
    qint64 adminId = 0;
    ClientInfo client;
};

//! PATCH /admin/users/{id}: the fields to change; the others stay.
struct UserPatch
{
    std::optional<QString> role;   //!< "player" | "admin"
    std::optional<QString> status; //!< "active" | "banned"
    QString reason;                //!< with status "banned": shown to the player
    std::optional<QString> name;
    std::optional<int> stars;
    std::optional<int> level;
};

class AccountAdmin
{
public:
    static constexpr int maxReasonLength = 500;

    AccountAdmin(Storage &storage, AuditLog &log, Clock clock);

    //! The user as operators see it: the user JSON with "ban_reason" and "banned_at".
    Result<QJsonObject> describe(qint64 userId);
    //! Checks every field, then applies them (the name first: it may be taken). NotFound
    //! for no such user; InvalidField / InvalidUsername / UsernameTaken; an admin cannot
    //! demote or ban themselves (InvalidField).
    Result<QJsonObject> update(qint64 userId, const UserPatch &patch, const Actor &actor);
    //! Ends every live session of \a userId; how many.
    Result<int> revokeSessions(qint64 userId, const Actor &actor);
    //! Ends one session (of any user). NotFound when there is no live session \a sessionId.
    Status revokeSession(qint64 sessionId, const Actor &actor);
    //! Deletes the user and everything tied to it; audit rows keep only the id and event.
    Status remove(qint64 userId, const Actor &actor);

private:
    Status checkPatch(qint64 userId, const UserPatch &patch, const Actor &actor) const;
    Status apply(qint64 userId, const UserPatch &patch, const Actor &actor);
    void audit(const char *event, qint64 userId, const Actor &actor,
               QList<AuditLog::Field> details = {});
    qint64 nowSecs() const { return m_clock() / 1000; }

    Storage &m_storage;
    AuditLog &m_log;
    const Clock m_clock;
};

} // namespace latchkey
