// Latchkey's own tokens: JWT access tokens and counter-based rotating refresh tokens.
#pragma once

#include "config/config.h"

#include <latchkey/jwt.h>

#include <QByteArray>

namespace latchkey {

struct AccessClaims
{
    qint64 userId = 0;
    qint64 sessionId = 0;
};

//! A refresh token names a session and a step of its counter, MAC'd with a key derived from
//! the server secret and the session id (after Supabase Auth's v2 refresh tokens). The
//! database keeps only the counter: a rotation is one conditional UPDATE, and a token is
//! checked before any database work.
struct RefreshClaims
{
    qint64 sessionId = 0;
    qint64 counter = 0;
};

//! 401 for a refresh token that is malformed, not ours, expired, revoked or unknown (one
//! message for all: the client learns nothing about which).
Error invalidRefreshToken();

//! Immutable after construction; shared by all worker threads.
class TokenIssuer
{
public:
    explicit TokenIssuer(const Config::Security &security);

    QByteArray accessToken(qint64 userId, qint64 sessionId, qint64 nowSecs) const;
    int accessTokenLifetimeSecs() const { return m_accessLifetime; }
    qint64 refreshLifetimeSecs() const { return m_refreshLifetime; }
    //! Signature (HS256 pinned), exp, iss, aud and typ "access"; InvalidToken otherwise.
    Result<AccessClaims> verifyAccessToken(QByteArrayView token, qint64 nowSecs) const;

    QByteArray refreshToken(qint64 sessionId, qint64 counter) const;
    //! The claims of \a token if it is well-formed and its MAC is ours (constant-time
    //! check); invalidRefreshToken() otherwise.
    Result<RefreshClaims> verifyRefreshToken(QByteArrayView token) const;

private:
    QByteArray refreshPayload(qint64 sessionId, qint64 counter) const;
    QByteArray refreshMac(qint64 sessionId, QByteArrayView payload) const;

    jwt::Key m_accessKey;
    QByteArray m_refreshSecret;
    QString m_issuer;
    QString m_audience;
    int m_accessLifetime;
    qint64 m_refreshLifetime;
};

} // namespace latchkey
