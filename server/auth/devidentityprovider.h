// The development identity provider's state: its signing key and one-time authorization codes.
#pragma once

#include "config/config.h"
#include "identity.h"

#include <latchkey/clock.h>
#include <latchkey/jwt.h>

#include <QHash>
#include <QJsonObject>
#include <QMutex>

#include <atomic>

namespace latchkey {

//! An OpenID provider for development only (like Firebase's Auth emulator): whoever reaches
//! it signs in as any e-mail address. One instance shared by all workers: the key and
//! configuration are immutable, the code table is guarded by a mutex.
class DevIdentityProvider
{
public:
    //! What the player approved, kept under a one-time authorization code.
    struct Grant
    {
        QString clientId;
        QString redirectUri;
        QString codeChallenge; //!< S256
        QString nonce;
        QString name;
        QString email;
        qint64 expiresAtMs = 0;
    };

    //! Why a code could not be traded (RFC 6749 §5.2 error codes).
    struct TokenError
    {
        QLatin1StringView error; //!< "invalid_grant", "invalid_request", ...
        QString description;
    };

    static constexpr qint64 codeLifetimeMs = 60 * 1000;
    static constexpr qint64 idTokenLifetimeSecs = 10 * 60;
    static constexpr int maxPendingCodes = 10000;

    //! \a host is the address the server binds (127.0.0.1, ::1); the port comes with setPort().
    DevIdentityProvider(const Config::Dev &config, const QString &host, Clock clock);

    //! The port the server actually listens on (known only after listen when configured 0).
    void setPort(quint16 port) { m_port.store(port); }
    //! "http://127.0.0.1:8000/dev-idp"
    QString issuer() const;
    const QStringList &clientIds() const { return m_config.clientIds; }
    QJsonObject discovery() const;
    QJsonObject jwks() const;

    //! A fresh one-time code for \a grant (its expiry is set here); RateLimited when too
    //! many codes are pending.
    Result<QByteArray> issueCode(Grant grant);
    //! Trades a code (single use: consumed by any attempt) for {access_token, token_type,
    //! expires_in, id_token}; the verifier is checked against the S256 challenge in constant time.
    Result<QJsonObject, TokenError> redeem(const QString &code, const QString &clientId,
                                           const QString &redirectUri, const QString &codeVerifier);

    //! /api/login's check of an ID token this provider issued: signature, iss, aud, exp.
    //! InvalidProviderToken otherwise.
    Result<ExternalIdentity> verifyIdToken(const QString &idToken) const;

    //! Stable per e-mail address (case-insensitive): "dev-" + 22 characters.
    static QString subjectFor(const QString &email);

private:
    qint64 nowMs() const { return m_clock(); }

    const Config::Dev m_config;
    const QString m_host; //!< as it appears in a URL ("[::1]")
    const Clock m_clock;
    const jwt::Key m_key;
    std::atomic<quint16> m_port{0};
    mutable QMutex m_mutex;
    QHash<QByteArray, Grant> m_codes; //!< guarded by m_mutex
};

} // namespace latchkey
