// OpenID ID tokens checked locally: the provider's JWKS fetched once for all waiting
// requests (shared by the workers through a KeySet), refetched for an unknown key id.
#pragma once

#include "keyset.h"
#include "providerhttp.h"

#include <latchkey/clock.h>
#include <latchkey/jwt.h>

#include <functional>
#include <vector>

namespace latchkey {

//! One per provider per worker thread, on that provider's ProviderHttp.
class IdTokenVerifier
{
public:
    using Callback = std::function<void(Result<QJsonObject>)>;

    IdTokenVerifier(ProviderHttp &http, KeySet &keys, Clock clock);

    //! The token's claims once its signature (a key of \a jwksUrl) and \a options' checks
    //! (iss, aud, exp with 60 s skew) pass; InvalidProviderToken otherwise, or the key
    //! fetch's ProviderUnavailable/ProviderTimeout. options.now is set here.
    void verify(const QString &idToken, const QUrl &jwksUrl, jwt::VerifyOptions options,
                Callback done);

private:
    void withKeys(const QUrl &jwksUrl, bool forceRefresh, std::function<void(Status)> done);
    void check(const QString &idToken, const QUrl &jwksUrl, const jwt::VerifyOptions &options,
               bool mayRefetch, Callback done);
    qint64 nowSecs() const { return m_clock() / 1000; }

    ProviderHttp &m_http;
    KeySet &m_keys;
    Clock m_clock;
    bool m_fetching = false; //!< this worker's fetch is under way
    std::vector<std::function<void(Status)>> m_waiters;
};

} // namespace latchkey
