// SQL for users and identities; every statement prepared once and parameterised.
#include "userstore.h"

#include "userrow.h"

#include <latchkey/error.h>

#include <crypto.h>
#include <username.h>

#include <QSqlError>

namespace latchkey {

namespace {
QString isoTime(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

//! Candidate usernames for a first login: the base, then the base with a number.
QString candidateName(const QString &base, int attempt)
{
    if (attempt == 0)
        return base;
    // Random rather than sequential: "alex" may have thousands of holders already.
    const QByteArray r = crypto::randomBytes(4);
    const quint32 n = (quint32(quint8(r[0])) << 24 | quint32(quint8(r[1])) << 16
                       | quint32(quint8(r[2])) << 8 | quint32(quint8(r[3])));
    const quint32 range = attempt < 4 ? 10000 : 100000000;
    const QString suffix = QString::number(2 + n % range);
    return base.left(username::maxLength - suffix.size()) + suffix;
}
} // namespace

Result<std::optional<User>> UserStore::fetchOne(QSqlQuery *q, const char *what)
{
    if (!q->exec())
        return m_db.failure(*q, what);
    std::optional<User> user;
    if (q->next())
        user = userFromRow(*q);
    q->finish();
    return user;
}

Result<std::optional<User>> UserStore::byIdentity(const ExternalIdentity &identity)
{
    QSqlQuery *q = m_db.prepared("SELECT " LATCHKEY_USER_COLUMNS " FROM identities i JOIN users u ON u.id = i.user_id"
                                 " WHERE i.provider = ? AND i.subject = ?");
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, identity.provider);
    q->bindValue(1, identity.subject);
    return fetchOne(q, "looking up an identity");
}

Result<std::optional<User>> UserStore::byId(qint64 userId)
{
    QSqlQuery *q = m_db.prepared("SELECT " LATCHKEY_USER_COLUMNS " FROM users u WHERE u.id = ?");
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userId);
    return fetchOne(q, "reading a user");
}

Result<std::optional<User>> UserStore::byLiveSession(qint64 sessionId, qint64 userId, qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared("SELECT " LATCHKEY_USER_COLUMNS " FROM sessions s JOIN users u ON u.id = s.user_id"
                                 " WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?");
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, sessionId);
    q->bindValue(1, userId);
    q->bindValue(2, nowSecs);
    return fetchOne(q, "checking a session");
}

Result<User> UserStore::loginOrCreate(const ExternalIdentity &identity, const QString &baseName,
                                      const QDateTime &now, bool *created)
{
    *created = false;
    // Two passes at most: a concurrent first login of the same identity may win the insert.
    for (int pass = 0; pass < 2; ++pass) {
        const Result<std::optional<User>> existing = byIdentity(identity);
        if (!existing)
            return existing.error();
        if (existing->has_value()) {
            User user = **existing;
            QSqlQuery *q = m_db.prepared("UPDATE users SET last_login = ? WHERE id = ?");
            if (!q)
                return m_db.prepareFailure();
            q->bindValue(0, isoTime(now));
            q->bindValue(1, user.id);
            if (!q->exec())
                return m_db.failure(*q, "recording a login");
            user.lastLogin = now.toUTC();
            return user;
        }

        if (!m_db.begin())
            return Error{ErrorCode::DatabaseUnavailable, QStringLiteral("the database is unavailable")};
        QSqlQuery *insertUser = m_db.prepared(
            "INSERT INTO users (email, name, name_key, picture, created_at, last_login)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name_key) DO NOTHING RETURNING id");
        QSqlQuery *insertIdentity = m_db.prepared(
            "INSERT INTO identities (provider, subject, user_id, email, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider, subject) DO NOTHING");
        if (!insertUser || !insertIdentity)
            return m_db.prepareFailure();
        User user;
        for (int attempt = 0; attempt < 8 && user.id == 0; ++attempt) {
            const QString name = candidateName(baseName, attempt);
            insertUser->bindValue(0, identity.email);
            insertUser->bindValue(1, name);
            insertUser->bindValue(2, username::foldKey(name));
            insertUser->bindValue(3, identity.picture.isEmpty() ? QVariant() : QVariant(identity.picture));
            insertUser->bindValue(4, isoTime(now));
            insertUser->bindValue(5, isoTime(now));
            if (!insertUser->exec())
                return m_db.failure(*insertUser, "creating a user");
            if (insertUser->next()) {
                user.id = insertUser->value(0).toLongLong();
                user.name = name;
            }
            insertUser->finish();
        }
        if (user.id == 0) {
            m_db.rollback();
            return Error{ErrorCode::Internal, QStringLiteral("could not find a free username")};
        }
        insertIdentity->bindValue(0, identity.provider);
        insertIdentity->bindValue(1, identity.subject);
        insertIdentity->bindValue(2, user.id);
        insertIdentity->bindValue(3, identity.email);
        insertIdentity->bindValue(4, isoTime(now));
        if (!insertIdentity->exec())
            return m_db.failure(*insertIdentity, "linking an identity");
        if (insertIdentity->numRowsAffected() == 0) {
            m_db.rollback(); // someone else created this identity's user meanwhile: use theirs
            continue;
        }
        if (!m_db.commit())
            return Error{ErrorCode::DatabaseUnavailable, QStringLiteral("the database is unavailable")};
        *created = true;
        user.email = identity.email;
        user.picture = identity.picture;
        user.level = 1;
        user.createdAt = user.lastLogin = now.toUTC();
        return user;
    }
    return internalError();
}

Result<User> UserStore::rename(qint64 userId, const QString &name, const QString &nameKey)
{
    QSqlQuery *q = m_db.prepared("UPDATE users SET name = ?, name_key = ? WHERE id = ?");
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, name);
    q->bindValue(1, nameKey);
    q->bindValue(2, userId);
    if (!q->exec()) {
        if (Database::isUniqueViolation(*q))
            return Error{ErrorCode::UsernameTaken, QStringLiteral("that username is taken")};
        return m_db.failure(*q, "renaming a user");
    }
    const Result<std::optional<User>> user = byId(userId);
    if (!user)
        return user.error();
    if (!user->has_value())
        return Error{ErrorCode::InvalidToken, QStringLiteral("the user no longer exists")};
    return **user;
}

Result<User> UserStore::setPicture(qint64 userId, const QString &picture)
{
    QSqlQuery *q = m_db.prepared("UPDATE users SET picture = ? WHERE id = ?");
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, picture);
    q->bindValue(1, userId);
    if (!q->exec())
        return m_db.failure(*q, "changing a picture");
    const Result<std::optional<User>> user = byId(userId);
    if (!user)
        return user.error();
    if (!user->has_value())
        return Error{ErrorCode::InvalidToken, QStringLiteral("the user no longer exists")};
    return **user;
}

} // namespace latchkey
