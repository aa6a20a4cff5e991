// SQL for operators' changes to users; a ban and the end of its sessions are one transaction.
#include "operatorstore.h"

#include "operatorstatements.h"
#include "userrow.h"

#include <latchkey/username.h>

namespace latchkey {

namespace {
//! \a text as a LIKE pattern matching any value that holds it ('\' escapes).
QString containing(const QString &text)
{
    QString escaped = text;
    escaped.replace(u'\\', QLatin1StringView("\\\\"))
        .replace(u'%', QLatin1StringView("\\%"))
        .replace(u'_', QLatin1StringView("\\_"));
    return u'%' + escaped + u'%';
}

QList<User> readUsers(QSqlQuery &q)
{
    QList<User> users;
    while (q.next())
        users.append(userFromRow(q));
    q.finish();
    return users;
}
} // namespace

Result<QList<User>> OperatorStore::find(const QString &query, qint64 after, int limit)
{
    bool isId = false;
    const qint64 id = query.toLongLong(&isId);
    const Result<QSqlQuery *> q =
        m_db.run(sql::findUsers,
                 {isId ? id : qint64(0), containing(username::foldKey(query)),
                  containing(query.toLower()), after, limit},
                 "finding users");
    if (!q)
        return q.error();
    return readUsers(**q);
}

Result<QList<User>> OperatorStore::users(const Statement &statement, const QVariant &key,
                                         const char *what)
{
    const Result<QSqlQuery *> q = m_db.run(statement, {key}, what);
    if (!q)
        return q.error();
    return readUsers(**q);
}

Result<User> OperatorStore::named(const QString &who)
{
    bool isId = false;
    const qint64 id = who.toLongLong(&isId);
    const Result<QList<User>> found =
        isId ? users(sql::userById, id, "reading a user")
        : who.contains(u'@')
            ? users(sql::usersByEmail, who.toLower(), "finding a user by e-mail")
            : users(sql::userByNameKey, username::foldKey(who.trimmed()), "finding a user by name");
    if (!found)
        return found.error();
    if (found->isEmpty())
        return Error::notFound(QStringLiteral("no user is named %1").arg(who));
    if (found->size() > 1)
        return Error{ErrorCode::InvalidField,
                     QStringLiteral("%1 users have the e-mail address %2; name one by id")
                         .arg(found->size())
                         .arg(who)};
    return found->constFirst();
}

Result<Standing> OperatorStore::standing(qint64 userId)
{
    const Result<QSqlQuery *> q = m_db.run(sql::banOf, {userId}, "reading a user's standing");
    if (!q)
        return q.error();
    if (!(*q)->next()) {
        (*q)->finish();
        return Error::notFound(QStringLiteral("no such user"));
    }
    Standing standing{(*q)->value(0).toString(), (*q)->value(1).toString(),
                      (*q)->value(2).toLongLong()};
    (*q)->finish();
    return standing;
}

Status OperatorStore::updateUser(qint64 userId, const Statement &statement,
                                 std::initializer_list<QVariant> values, const char *what)
{
    const Result<QSqlQuery *> q = m_db.run(statement, values, what);
    if (!q)
        return q.error();
    if ((*q)->numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("no such user"));
    m_db.changed({Change::Kind::User, userId});
    return Done{};
}

Status OperatorStore::setRole(qint64 userId, const QString &role)
{
    return updateUser(userId, sql::setRole, {role, userId}, "setting a role");
}

Status OperatorStore::setProgress(qint64 userId, int stars, int level)
{
    return updateUser(userId, sql::setProgress, {stars, level, userId}, "setting stars and level");
}

Status OperatorStore::ban(qint64 userId, const QString &reason, qint64 nowSecs)
{
    if (!m_db.begin())
        return m_db.prepareFailure();
    Status banned = updateUser(
        userId, sql::banUser,
        {reason.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : reason, nowSecs, userId},
        "banning a user");
    if (banned) {
        if (const Result<int> ended = revokeSessions(userId, QStringLiteral("ban"), nowSecs);
            !ended)
            banned = ended.error();
    }
    if (!banned) {
        m_db.rollback();
        return banned;
    }
    if (!m_db.commit())
        return m_db.prepareFailure();
    return Done{};
}

Status OperatorStore::unban(qint64 userId)
{
    return updateUser(userId, sql::unbanUser, {userId}, "unbanning a user");
}

Result<int> OperatorStore::revokeSessions(qint64 userId, const QString &reason, qint64 nowSecs)
{
    const Result<QSqlQuery *> q =
        m_db.run(sql::revokeUserSessions, {nowSecs, reason, userId}, "ending a user's sessions");
    if (!q)
        return q.error();
    m_db.changed({Change::Kind::User, userId});
    return (*q)->numRowsAffected();
}

} // namespace latchkey
