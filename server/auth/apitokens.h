// API tokens (seed 002): "lk_" and 43 base64url characters (256 random bits), shown once
// when made and kept only as their SHA-256. Usable as Bearer within their scopes until they
// expire or are deleted.
#pragma once

#include "auditlog.h"
#include "session.h"

#include "db/storage.h"

#include <latchkey/clock.h>

namespace latchkey {

//! What POST /api/tokens and latchkey-admin create-token ask for.
struct TokenRequest
{
    QString name;
    QStringList scopes;    //!< some of "api", "admin"
    int expiresInDays = 0; //!< 0: never expires
};

//! A token just made: its row and the secret, which nothing can show again.
struct NewApiToken
{
    ApiTokenRow row;
    QByteArray token;
};

//! One per worker thread (it uses that thread's Storage and AuditLog).
class ApiTokens
{
public:
    static constexpr QLatin1StringView prefix{"lk_"};
    static constexpr int maxNameLength = 100;
    static constexpr int maxExpiryDays = 3650;
    //! last_used_at is written at most this often per token.
    static constexpr qint64 touchEverySecs = 60;

    ApiTokens(Storage &storage, AuditLog &log, Clock clock);

    static bool looksLikeApiToken(QByteArrayView bearer) { return bearer.startsWith("lk_"); }

    //! Refuses an empty or too long name, unknown or no scopes, "admin" for a user who is no
    //! admin (Forbidden), and an expiry outside 0 … maxExpiryDays.
    Result<NewApiToken> create(const User &user, const TokenRequest &request,
                               const ClientInfo &client);
    Result<QList<ApiTokenRow>> list(qint64 userId) { return m_storage.tokens().ofUser(userId); }
    //! NotFound when \a userId has no token \a id.
    Status remove(qint64 userId, qint64 id, const ClientInfo &client);
    //! The Bearer check of "lk_…": InvalidToken when unknown or expired, AccountBanned when
    //! its user is banned.
    Result<AuthenticatedSession> authenticate(QByteArrayView token);

private:
    Storage &m_storage;
    AuditLog &m_log;
    const Clock m_clock;
};

} // namespace latchkey
