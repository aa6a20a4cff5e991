// Each command: resolve the user, call the service the /admin API calls, describe the result.
#include "commands.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

const Actor console{}; // latchkey-admin: no admin id, no address

QString who(const User &user)
{
    return u"%1 (id %2)"_s.arg(user.name).arg(user.id);
}

QStringList userRow(const QJsonObject &u)
{
    return {QString::number(u.value("id"_L1).toInteger()),
            u.value("name"_L1).toString(),
            u.value("email"_L1).toString(),
            u.value("role"_L1).toString(),
            u.value("status"_L1).toString(),
            u.value("last_login"_L1).toString()};
}

const QStringList userHeader{u"ID"_s,   u"NAME"_s,   u"E-MAIL"_s,
                             u"ROLE"_s, u"STATUS"_s, u"LAST LOGIN"_s};

AdminOutput userOutput(const QJsonObject &user, const QString &message)
{
    AdminOutput out{user, userHeader, {userRow(user)}, message};
    if (user.value("status"_L1) == "banned"_L1)
        out.message += u"%1banned at %2: %3"_s.arg(
            out.message.isEmpty() ? QString() : u"\n"_s, user.value("banned_at"_L1).toString(),
            user.value("ban_reason"_L1).toString(u"(no reason given)"_s));
    return out;
}
} // namespace

Result<AdminOutput> AdminCommands::run(const AdminInvocation &inv)
{
    if (inv.command == "find"_L1)
        return find(inv);
    if (inv.command == "audit"_L1)
        return audit(inv);
    const Result<User> user = m_storage.operators().named(inv.user);
    if (!user)
        return user.error();
    return onUser(inv, *user);
}

Result<AdminOutput> AdminCommands::onUser(const AdminInvocation &inv, const User &user)
{
    const QString &command = inv.command;
    if (command == "show"_L1) {
        const Result<QJsonObject> described = m_admin.describe(user.id);
        if (!described)
            return described.error();
        return userOutput(*described, {});
    }
    if (command == "grant-admin"_L1 || command == "revoke-admin"_L1) {
        const bool grant = command == "grant-admin"_L1;
        UserPatch p;
        p.role = grant ? u"admin"_s : u"player"_s;
        return patch(user, p, (grant ? u"%1 is an admin"_s : u"%1 is a player"_s).arg(who(user)));
    }
    if (command == "ban"_L1 || command == "unban"_L1) {
        const bool ban = command == "ban"_L1;
        UserPatch p;
        p.status = ban ? u"banned"_s : u"active"_s;
        p.reason = inv.reason.trimmed();
        return patch(user, p,
                     (ban ? u"banned %1; every session ended"_s : u"unbanned %1"_s).arg(who(user)));
    }
    if (command == "revoke-sessions"_L1) {
        const Result<int> ended = m_admin.revokeSessions(user.id, console);
        if (!ended)
            return ended.error();
        return AdminOutput{QJsonObject{{u"user_id"_s, user.id}, {u"revoked"_s, *ended}},
                           {},
                           {},
                           u"ended %1 session(s) of %2"_s.arg(*ended).arg(who(user))};
    }
    if (command == "delete-user"_L1) {
        if (const Status removed = m_admin.remove(user.id, console); !removed)
            return removed.error();
        return AdminOutput{QJsonObject{{u"deleted"_s, user.id}},
                           {},
                           {},
                           u"deleted %1 and everything tied to it"_s.arg(who(user))};
    }
    return createToken(inv, user);
}

Result<AdminOutput> AdminCommands::patch(const User &user, const UserPatch &p, const QString &done)
{
    const Result<QJsonObject> updated = m_admin.update(user.id, p, console);
    if (!updated)
        return updated.error();
    return userOutput(*updated, done);
}

Result<AdminOutput> AdminCommands::createToken(const AdminInvocation &inv, const User &user)
{
    const Result<NewApiToken> made =
        m_tokens.create(user, {inv.tokenName, inv.scopes, inv.expiresInDays}, console.client);
    if (!made)
        return made.error();
    QJsonObject json = made->row.toJson();
    json.insert(u"token"_s, QString::fromLatin1(made->token));
    return AdminOutput{
        json,
        {},
        {},
        u"token %1 (\"%2\", scopes %3) for %4:\n%5\nIt is shown only now: keep it in a secret "
        "store."_s.arg(made->row.id)
            .arg(made->row.name, made->row.scopes.join(u' '), who(user),
                 QString::fromLatin1(made->token))};
}

Result<AdminOutput> AdminCommands::find(const AdminInvocation &inv)
{
    const Result<QList<User>> users = m_storage.operators().find(inv.user, inv.after, inv.limit);
    if (!users)
        return users.error();
    AdminOutput out{QJsonArray(), userHeader, {}, {}};
    QJsonArray json;
    for (const User &u : *users) {
        json.append(u.toJson());
        out.rows.append(userRow(u.toJson()));
    }
    out.json = QJsonObject{{u"users"_s, json}};
    out.message = users->size() == inv.limit ? u"more: --after %1"_s.arg(users->constLast().id)
                                             : u"%1 user(s)"_s.arg(users->size());
    return out;
}

Result<AdminOutput> AdminCommands::audit(const AdminInvocation &inv)
{
    AuditFilter filter{0, inv.event, 0, 0, inv.after, inv.limit};
    if (!inv.auditUser.isEmpty()) {
        bool isId = false; // a deleted user's id still finds their events
        filter.userId = inv.auditUser.toLongLong(&isId);
        if (!isId) {
            const Result<User> user = m_storage.operators().named(inv.auditUser);
            if (!user)
                return user.error();
            filter.userId = user->id;
        }
    }
    for (const auto &[text, target] :
         {std::pair{&inv.since, &filter.sinceMs}, std::pair{&inv.until, &filter.untilMs}}) {
        if (text->isEmpty())
            continue;
        const std::optional<qint64> ms = AuditFilter::parseTime(*text);
        if (!ms)
            return Error{ErrorCode::InvalidField,
                         u"%1 is no time: use ISO-8601 (2026-12-04T10:00:00Z) or Unix "
                         "milliseconds"_s.arg(*text)};
        *target = *ms;
    }
    const Result<QList<AuditEvent>> events = m_storage.audit().find(filter);
    if (!events)
        return events.error();
    AdminOutput out{QJsonValue(),
                    {u"ID"_s, u"AT"_s, u"USER"_s, u"BY"_s, u"EVENT"_s, u"ADDRESS"_s, u"DETAILS"_s},
                    {},
                    {}};
    QJsonArray json;
    for (const AuditEvent &e : *events) {
        json.append(AuditStore::toJson(e));
        out.rows.append(
            {QString::number(e.id), AuditStore::toJson(e).value("at"_L1).toString(),
             e.userId ? QString::number(e.userId) : QString(),
             e.actorId ? QString::number(e.actorId) : QString(), e.event, e.address,
             QString::fromUtf8(QJsonDocument(e.details).toJson(QJsonDocument::Compact))});
    }
    out.json = QJsonObject{{u"events"_s, json}};
    out.message = events->size() == inv.limit ? u"more: --after %1"_s.arg(events->constLast().id)
                                              : u"%1 event(s)"_s.arg(events->size());
    return out;
}

} // namespace latchkey
