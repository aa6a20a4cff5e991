// SQL for users and identities; every statement named, prepared once and parameterised.
#include "userstore.h"

#include "userrow.h"

#include <latchkey/crypto.h>
#include <latchkey/username.h>

#include <QtEndian>

namespace latchkey {

namespace {
QString isoTime(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

//! users.email is NOT NULL; a guest or a provider without a verified address has "".
QString notNull(const QString &text)
{
    return text.isNull() ? QString::fromLatin1("") : text;
}

quint32 randomNumber()
{
    return qFromBigEndian<quint32>(crypto::randomBytes(4).constData());
}
} // namespace

Result<User> UserStore::fetchOne(QSqlQuery *q, const char *what)
{
    if (!q->exec())
        return m_db.failure(*q, what);
    if (!q->next()) {
        q->finish();
        return Error::notFound(QStringLiteral("no such user"));
    }
    User user = userFromRow(*q);
    q->finish();
    return user;
}

Result<User> UserStore::byIdentity(const IdentityRecord &identity)
{
    QSqlQuery *q = m_db.prepared(sql::userByIdentity);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, identity.provider);
    q->bindValue(1, identity.subject);
    return fetchOne(q, "looking up an identity");
}

Result<User> UserStore::byId(qint64 userId)
{
    QSqlQuery *q = m_db.prepared(sql::userById);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userId);
    return fetchOne(q, "reading a user");
}

Result<LiveSession> UserStore::byLiveSession(qint64 sessionId, qint64 userId, qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::userByLiveSession);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, sessionId);
    q->bindValue(1, userId);
    q->bindValue(2, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "checking a session");
    if (!q->next()) {
        q->finish();
        return Error::notFound(QStringLiteral("no such user"));
    }
    LiveSession live{userFromRow(*q), q->value(11).toLongLong()};
    q->finish();
    return live;
}

Result<UserStore::SignedIn> UserStore::loginOrCreate(const IdentityRecord &identity,
                                                     const QString &baseName, const QDateTime &now)
{
    Result<SignedIn> existing = loginExisting(identity, now);
    if (existing || existing.error().code != ErrorCode::NotFound)
        return existing;
    return create(identity, baseName, now);
}

Result<UserStore::SignedIn> UserStore::loginExisting(const IdentityRecord &identity,
                                                     const QDateTime &now)
{
    Result<User> user = byIdentity(identity);
    if (!user)
        return user.error();
    QSqlQuery *q = m_db.prepared(sql::recordLogin);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, isoTime(now));
    q->bindValue(1, user->id);
    if (!q->exec())
        return m_db.failure(*q, "recording a login");
    user->lastLogin = now.toUTC();
    return SignedIn{*user, false};
}

Result<UserStore::SignedIn> UserStore::create(const IdentityRecord &identity,
                                              const QString &baseName, const QDateTime &now)
{
    QSqlQuery *insertUser = m_db.prepared(sql::insertUser);
    QSqlQuery *insertIdentity = m_db.prepared(sql::insertIdentity);
    if (!insertUser || !insertIdentity)
        return m_db.prepareFailure();
    if (!m_db.begin())
        return Error::databaseUnavailable();
    User user;
    for (int attempt = 0; attempt < 8 && user.id == 0; ++attempt) {
        const QString name = username::withSuffix(baseName, attempt, randomNumber());
        insertUser->bindValue(0, notNull(identity.email));
        insertUser->bindValue(1, name);
        insertUser->bindValue(2, username::foldKey(name));
        insertUser->bindValue(3, username::skeletonKey(name));
        insertUser->bindValue(4,
                              identity.picture.isEmpty() ? QVariant() : QVariant(identity.picture));
        insertUser->bindValue(5, isoTime(now));
        insertUser->bindValue(6, isoTime(now));
        insertUser->bindValue(7, identity.guest);
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
        // A concurrent first login of the same identity created its user meanwhile: use theirs.
        m_db.rollback();
        Result<SignedIn> theirs = loginExisting(identity, now);
        if (!theirs && theirs.error().code == ErrorCode::NotFound)
            return Error::internal();
        return theirs;
    }
    if (!m_db.commit())
        return Error::databaseUnavailable();
    user.email = identity.email;
    user.picture = identity.picture;
    user.level = 1;
    user.isGuest = identity.guest;
    user.createdAt = user.lastLogin = now.toUTC();
    return SignedIn{user, true};
}

Result<User> UserStore::rename(qint64 userId, const QString &name)
{
    QSqlQuery *q = m_db.prepared(sql::renameUser);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, name);
    q->bindValue(1, username::foldKey(name));
    q->bindValue(2, username::skeletonKey(name));
    q->bindValue(3, userId);
    if (!q->exec()) {
        if (Database::isUniqueViolation(*q))
            return Error{ErrorCode::UsernameTaken, QStringLiteral("that username is taken")};
        return m_db.failure(*q, "renaming a user");
    }
    m_db.changed({Change::Kind::User, userId});
    return updated(userId);
}

Result<User> UserStore::setPicture(qint64 userId, const QString &picture)
{
    QSqlQuery *q = m_db.prepared(sql::setPicture);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, picture);
    q->bindValue(1, userId);
    if (!q->exec())
        return m_db.failure(*q, "changing a picture");
    m_db.changed({Change::Kind::User, userId});
    return updated(userId);
}

Status UserStore::link(qint64 userId, const IdentityRecord &identity, const QDateTime &now)
{
    QSqlQuery *insert = m_db.prepared(sql::insertIdentity);
    QSqlQuery *promote = m_db.prepared(sql::promoteGuest);
    if (!insert || !promote)
        return m_db.prepareFailure();
    insert->bindValue(0, identity.provider);
    insert->bindValue(1, identity.subject);
    insert->bindValue(2, userId);
    insert->bindValue(3, identity.email);
    insert->bindValue(4, isoTime(now));
    if (!insert->exec())
        return m_db.failure(*insert, "linking an identity");
    if (insert->numRowsAffected() == 0) {
        QSqlQuery *owner = m_db.prepared(sql::identityOwner);
        if (!owner)
            return m_db.prepareFailure();
        owner->bindValue(0, identity.provider);
        owner->bindValue(1, identity.subject);
        if (!owner->exec())
            return m_db.failure(*owner, "looking up an identity's owner");
        const qint64 ownerId = owner->next() ? owner->value(0).toLongLong() : 0;
        owner->finish();
        if (ownerId == userId)
            return Done{};
        return Error{ErrorCode::IdentityInUse,
                     QStringLiteral("this %1 account already belongs to another player; sign in "
                                    "with it, or link a different one")
                         .arg(identity.provider)};
    }
    promote->bindValue(0, false);
    promote->bindValue(1, notNull(identity.email));
    promote->bindValue(2, userId);
    if (!promote->exec())
        return m_db.failure(*promote, "making a guest a full account");
    m_db.changed({Change::Kind::User, userId});
    m_db.changed({Change::Kind::Identity, userId});
    return Done{};
}

Result<QList<LinkedIdentity>> UserStore::identities(qint64 userId)
{
    QSqlQuery *q = m_db.prepared(sql::listIdentities);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userId);
    if (!q->exec())
        return m_db.failure(*q, "listing identities");
    QList<LinkedIdentity> list;
    while (q->next()) {
        list.append({q->value(0).toString(), q->value(1).toString(), q->value(2).toString(),
                     q->value(3).toDateTime().toUTC(), q->value(4).toBool()});
    }
    q->finish();
    return list;
}

Status UserStore::unlink(qint64 userId, const QString &provider)
{
    QSqlQuery *remove = m_db.prepared(sql::unlinkIdentity);
    if (!remove)
        return m_db.prepareFailure();
    remove->bindValue(0, userId);
    remove->bindValue(1, provider);
    remove->bindValue(2, userId);
    remove->bindValue(3, provider);
    if (!remove->exec())
        return m_db.failure(*remove, "unlinking an identity");
    if (remove->numRowsAffected() > 0)
        return Done{};
    QSqlQuery *count = m_db.prepared(sql::countProviderIdentities);
    if (!count)
        return m_db.prepareFailure();
    count->bindValue(0, userId);
    count->bindValue(1, provider);
    if (!count->exec() || !count->next())
        return m_db.failure(*count, "counting identities");
    const bool linked = count->value(0).toInt() > 0;
    count->finish();
    if (!linked)
        return Error::notFound(
            QStringLiteral("no %1 identity is linked to this account").arg(provider));
    return Error{ErrorCode::LastIdentity,
                 QStringLiteral("%1 is the only way left to sign in to this account; link "
                                "another provider first")
                     .arg(provider)};
}

Result<User> UserStore::updated(qint64 userId)
{
    Result<User> user = byId(userId);
    if (!user && user.error().code == ErrorCode::NotFound)
        return Error{ErrorCode::InvalidToken, QStringLiteral("the user no longer exists")};
    return user;
}

Status UserStore::remove(qint64 userId)
{
    QSqlQuery *q = m_db.prepared(sql::deleteUser);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userId);
    if (!q->exec())
        return m_db.failure(*q, "deleting a user");
    m_db.changed({Change::Kind::User, userId});
    return Done{};
}

Result<QByteArray> UserStore::preferences(qint64 userId)
{
    QSqlQuery *q = m_db.prepared(sql::preferencesOf);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userId);
    if (!q->exec())
        return m_db.failure(*q, "reading preferences");
    const QByteArray json = q->next() ? q->value(0).toString().toUtf8() : QByteArrayLiteral("{}");
    q->finish();
    return json;
}

Status UserStore::setPreferences(qint64 userId, const QByteArray &json, qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::putPreferences);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userId);
    q->bindValue(1, QString::fromUtf8(json));
    q->bindValue(2, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "storing preferences");
    return Done{};
}

} // namespace latchkey
