// Users and their provider identities: first-login creation, lookups, profile changes.
#pragma once

#include "database.h"

#include <latchkey/user.h>

#include <optional>

namespace latchkey {

//! Who the identity provider says the player is (verified by the caller).
struct ExternalIdentity
{
    QString provider; //!< "google"
    QString subject;  //!< the provider's stable user id ("sub")
    QString email;
    QString name;
    QString picture;
};

class UserStore
{
public:
    explicit UserStore(Database &db) : m_db(db) {}

    //! The user behind \a identity, its last_login set to \a now; on the first login a new
    //! user whose username is \a baseName made unique (a number appended when taken).
    //! \a created tells which happened. Safe against concurrent first logins.
    Result<User> loginOrCreate(const ExternalIdentity &identity, const QString &baseName,
                               const QDateTime &now, bool *created);

    //! The user owning live session \a sessionId (not revoked, not expired at \a nowSecs);
    //! std::nullopt when there is none (logged out, revoked, or not \a userId's).
    Result<std::optional<User>> byLiveSession(qint64 sessionId, qint64 userId, qint64 nowSecs);
    Result<std::optional<User>> byId(qint64 userId);

    //! UsernameTaken when another user holds \a nameKey.
    Result<User> rename(qint64 userId, const QString &name, const QString &nameKey);
    Result<User> setPicture(qint64 userId, const QString &picture);

private:
    Result<std::optional<User>> byIdentity(const ExternalIdentity &identity);
    Result<std::optional<User>> fetchOne(QSqlQuery *query, const char *what);

    Database &m_db;
};

} // namespace latchkey
