// Google sign-in checks: access tokens at tokeninfo, ID tokens locally against Google's JWKS.
#pragma once

#include "config/config.h"
#include "identity.h"
#include "keyset.h"

#include <latchkey/clock.h>
#include <latchkey/jwt.h>

#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>

#include <functional>
#include <vector>

namespace latchkey {

//! One per worker thread (it owns that thread's QNetworkAccessManager and JWKS cache).
//! Every call completes exactly once: an identity, or InvalidProviderToken (401),
//! ProviderUnavailable (503) or ProviderTimeout (504).
class GoogleProvider : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(Result<ExternalIdentity>)>;

    //! \a keys: Google's signing keys, shared with the other workers' providers.
    GoogleProvider(const Config::Google &config, KeySet &keys, Clock clock,
                   QObject *parent = nullptr);

    //! Seed compatibility: the OAuth access token is sent to tokeninfo as a Bearer header;
    //! aud (and azp when present) must be one of our client IDs, exp in the future and the
    //! e-mail verified.
    void verifyAccessToken(const QString &accessToken, Callback done);
    //! The ID token's signature is checked against the JWKS (cached per Cache-Control),
    //! then iss, aud ∈ client IDs, exp (60 s skew) and email_verified.
    void verifyIdToken(const QString &idToken, Callback done);

private:
    using JsonCallback = std::function<void(Result<QJsonObject>, int maxAgeSecs)>;
    void getJson(const QUrl &url, const QByteArray &bearer, JsonCallback done);
    void withKeys(bool forceRefresh, std::function<void(Status)> done);
    void checkIdToken(const QString &idToken, bool mayRefetch, Callback done);
    Result<ExternalIdentity> identityFrom(const QJsonObject &claims) const;
    qint64 nowSecs() const { return m_clock() / 1000; }

    Config::Google m_config;
    Clock m_clock;
    QNetworkAccessManager m_network;
    KeySet &m_keys;
    bool m_fetchingKeys = false; //!< this worker's fetch is under way
    std::vector<std::function<void(Status)>> m_keyWaiters;
};

} // namespace latchkey
