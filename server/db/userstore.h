// Users and their provider identities: first-login creation, lookups, profile changes.
#pragma once

#include "database.h"

#include <latchkey/user.h>

namespace latchkey {

//! A provider account as the identities table keeps it: (provider, subject) → user.
struct IdentityRecord
{
    QString provider; //!< "google"
    QString subject;  //!< the provider's stable user id ("sub")
    QString email;
    QString picture;
    bool guest = false; //!< a guest account's own identity (provider "guest")
};

//! A live session's user, as the Bearer check reads it.
struct LiveSession
{
    User user;
    qint64 expiresAt = 0; //!< Unix seconds
};

//! One row of a user's identities, as GET /api/identities lists them.
struct LinkedIdentity
{
    QString provider;
    QString subject;
    QString email;
    QDateTime createdAt;
    bool tokenKept = false; //!< the provider's tokens are kept (keep_tokens)
};

class UserStore
{
public:
    explicit UserStore(Database &db) : m_db(db) {}

    struct SignedIn
    {
        User user;
        bool created = false; //!< this call created the user (a first login)
    };

    //! The user behind \a identity, its last_login set to \a now; on the first login a new
    //! user named \a baseName, made unique with username::withSuffix() when it is taken.
    //! Safe against concurrent first logins.
    Result<SignedIn> loginOrCreate(const IdentityRecord &identity, const QString &baseName,
                                   const QDateTime &now);

    //! The user owning live session \a sessionId (not revoked, not expired at \a nowSecs)
    //! and the session's expiry; NotFound when there is none (logged out, revoked, or not
    //! \a userId's).
    Result<LiveSession> byLiveSession(qint64 sessionId, qint64 userId, qint64 nowSecs);
    //! NotFound when there is no such user.
    Result<User> byId(qint64 userId);

    //! \a name is normalised already. UsernameTaken when another user's name is the same
    //! without regard to case or looks the same (username::foldKey(), skeletonKey());
    //! InvalidToken when the user is gone.
    Result<User> rename(qint64 userId, const QString &name);
    Result<User> setPicture(qint64 userId, const QString &picture);

    //! Attaches \a identity to user \a userId (a guest becomes a full account). Done when it
    //! is the user's already; IdentityInUse when another user owns it (never merged).
    Status link(qint64 userId, const IdentityRecord &identity, const QDateTime &now);
    Result<QList<LinkedIdentity>> identities(qint64 userId);
    //! Deletes the user; identities, sessions and preferences go with it.
    Status remove(qint64 userId);
    //! The user's preferences as JSON text ("{}" when none are stored).
    Result<QByteArray> preferences(qint64 userId);
    //! Replaces them with \a json (a JSON object's compact text).
    Status setPreferences(qint64 userId, const QByteArray &json, qint64 nowSecs);
    //! Removes the user's identities of \a provider. NotFound when there is none;
    //! LastIdentity when nothing else would be left to sign in with.
    Status unlink(qint64 userId, const QString &provider);

private:
    Result<User> byIdentity(const IdentityRecord &identity);
    //! Runs \a q and reads its one user row; NotFound when it returned none.
    Result<User> fetchOne(QSqlQuery *q, const char *what);
    //! An existing identity's user, its last_login recorded; NotFound for a new identity.
    Result<SignedIn> loginExisting(const IdentityRecord &identity, const QDateTime &now);
    //! A new user and identity in one transaction.
    Result<SignedIn> create(const IdentityRecord &identity, const QString &baseName,
                            const QDateTime &now);
    //! rename's and setPicture's tail: the user as it is after the update.
    Result<User> updated(qint64 userId);

    Database &m_db;
};

} // namespace latchkey
