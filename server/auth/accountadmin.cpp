// Operators' changes: checked in full before any is made, each audited.
#include "accountadmin.h"

#include <latchkey/username.h>

namespace latchkey {

namespace {
using namespace Qt::Literals::StringLiterals;

Error invalid(const QString &message)
{
    return {ErrorCode::InvalidField, message};
}
} // namespace

AccountAdmin::AccountAdmin(Storage &storage, AuditLog &log, Clock clock)
    : m_storage(storage), m_log(log), m_clock(std::move(clock))
{
}

void AccountAdmin::audit(const char *event, qint64 userId, const Actor &actor,
                         QList<AuditLog::Field> details)
{
    details.prepend({"user_id", QString::number(userId)});
    details.append(actor.adminId > 0 ? AuditLog::Field{"admin_id", QString::number(actor.adminId)}
                                     : AuditLog::Field{"via", u"latchkey-admin"_s});
    m_log.write(event, actor.client.address, details);
}

Result<QJsonObject> AccountAdmin::describe(qint64 userId)
{
    const Result<User> user = m_storage.users().byId(userId);
    if (!user)
        return user.error();
    const Result<Standing> standing = m_storage.operators().standing(userId);
    if (!standing)
        return standing.error();
    QJsonObject json = user->toJson();
    json.insert(u"ban_reason"_s,
                standing->banReason.isEmpty() ? QJsonValue() : QJsonValue(standing->banReason));
    json.insert(
        u"banned_at"_s,
        standing->bannedAt > 0
            ? QJsonValue(
                  QDateTime::fromSecsSinceEpoch(standing->bannedAt, Qt::UTC).toString(Qt::ISODate))
            : QJsonValue());
    return json;
}

Status AccountAdmin::checkPatch(qint64 userId, const UserPatch &patch, const Actor &actor) const
{
    if (patch.role && *patch.role != "player"_L1 && *patch.role != "admin"_L1)
        return invalid(u"role must be \"player\" or \"admin\""_s);
    if (patch.status && *patch.status != "active"_L1 && *patch.status != "banned"_L1)
        return invalid(u"status must be \"active\" or \"banned\""_s);
    if (!patch.reason.isEmpty() && patch.status != u"banned"_s)
        return invalid(u"reason goes with status \"banned\""_s);
    if (patch.reason.size() > maxReasonLength)
        return invalid(u"reason must be at most %1 characters"_s.arg(maxReasonLength));
    for (const std::optional<int> &number : {patch.stars, patch.level}) {
        if (number && *number < 0)
            return invalid(u"stars and level must be 0 or more"_s);
    }
    const bool self = actor.adminId == userId;
    if (self && (patch.role == u"player"_s || patch.status == u"banned"_s))
        return invalid(u"an admin cannot demote or ban themselves; ask another admin"_s);
    return Done{};
}

Result<QJsonObject> AccountAdmin::update(qint64 userId, const UserPatch &patch, const Actor &actor)
{
    if (const Status valid = checkPatch(userId, patch, actor); !valid)
        return valid.error();
    const Result<User> before = m_storage.users().byId(userId);
    if (!before)
        return before.error();
    if (const Status applied = apply(userId, patch, actor); !applied)
        return applied.error();
    return describe(userId);
}

Status AccountAdmin::apply(qint64 userId, const UserPatch &patch, const Actor &actor)
{
    if (patch.name) {
        const Result<QString> name = username::normalize(*patch.name);
        if (!name)
            return name.error();
        if (const Result<User> renamed = m_storage.users().rename(userId, *name); !renamed)
            return renamed.error();
        audit("username_changed", userId, actor, {{"name", *name}});
    }
    if (patch.stars || patch.level) {
        const Result<User> user = m_storage.users().byId(userId);
        if (!user)
            return user.error();
        const int stars = patch.stars.value_or(user->stars);
        const int level = patch.level.value_or(user->level);
        if (const Status set = m_storage.operators().setProgress(userId, stars, level); !set)
            return set;
        audit("progress_set", userId, actor,
              {{"stars", QString::number(stars)}, {"level", QString::number(level)}});
    }
    if (patch.role) {
        if (const Status set = m_storage.operators().setRole(userId, *patch.role); !set)
            return set;
        audit("role_changed", userId, actor, {{"role", *patch.role}});
    }
    if (patch.status == u"banned"_s) {
        if (const Status banned = m_storage.operators().ban(userId, patch.reason, nowSecs());
            !banned)
            return banned;
        audit("user_banned", userId, actor, {{"reason", patch.reason}});
    } else if (patch.status == u"active"_s) {
        if (const Status unbanned = m_storage.operators().unban(userId); !unbanned)
            return unbanned;
        audit("user_unbanned", userId, actor);
    }
    return Done{};
}

Result<int> AccountAdmin::revokeSessions(qint64 userId, const Actor &actor)
{
    if (const Result<User> user = m_storage.users().byId(userId); !user)
        return user.error();
    const Result<int> ended = m_storage.operators().revokeSessions(userId, u"admin"_s, nowSecs());
    if (ended)
        audit("sessions_revoked", userId, actor, {{"count", QString::number(*ended)}});
    return ended;
}

Status AccountAdmin::revokeSession(qint64 sessionId, const Actor &actor)
{
    const Result<SessionRecord> session = m_storage.sessions().find(sessionId);
    if (!session)
        return session.error().code == ErrorCode::NotFound ? Error::notFound(u"no such session"_s)
                                                           : session.error();
    if (session->revoked || session->expiresAt <= nowSecs())
        return Error::notFound(u"the session has ended already"_s);
    if (const Status revoked = m_storage.sessions().revoke(sessionId, nowSecs(), u"admin"_s);
        !revoked)
        return revoked;
    audit("session_revoked", session->userId, actor, {{"session", QString::number(sessionId)}});
    return Done{};
}

Status AccountAdmin::remove(qint64 userId, const Actor &actor)
{
    if (actor.adminId == userId)
        return invalid(u"an admin cannot delete themselves here; use DELETE /api/me"_s);
    if (const Result<User> user = m_storage.users().byId(userId); !user)
        return user.error();
    if (const Status removed = m_storage.users().remove(userId); !removed)
        return removed;
    audit("account_deleted", userId, actor);
    m_log.forget(userId);
    return Done{};
}

} // namespace latchkey
