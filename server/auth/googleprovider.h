// Google sign-in checks: access tokens at tokeninfo, ID tokens locally against Google's JWKS.
#pragma once

#include "config/config.h"
#include "identity.h"
#include "idtokenverifier.h"
#include "keyset.h"
#include "providerhttp.h"

#include <latchkey/clock.h>
#include <latchkey/jwt.h>

#include <functional>

namespace latchkey {

//! One per worker thread (it owns that thread's network access). Every call completes
//! exactly once: an identity, or InvalidProviderToken (401), ProviderUnavailable (503) or
//! ProviderTimeout (504).
class GoogleProvider
{
public:
    using Callback = std::function<void(Result<ExternalIdentity>)>;

    //! \a keys: Google's signing keys, shared with the other workers' providers.
    GoogleProvider(const Config::Google &config, KeySet &keys, Clock clock);

    //! Seed compatibility: the OAuth access token is POSTed to tokeninfo as the form
    //! parameter access_token (as Google documents it, and out of URLs and logs); aud (and
    //! azp when present) must be one of our client IDs, exp in the future and the e-mail
    //! verified.
    void verifyAccessToken(const QString &accessToken, Callback done);
    //! The ID token's signature is checked against the JWKS (cached per Cache-Control),
    //! then iss, aud ∈ client IDs, exp (60 s skew) and email_verified.
    void verifyIdToken(const QString &idToken, Callback done);
    //! The context object of its network calls (the provider-call gate keys on it).
    QObject *context() { return &m_http; }

private:
    Result<ExternalIdentity> identityFrom(const QJsonObject &claims) const;
    qint64 nowSecs() const { return m_clock() / 1000; }

    Config::Google m_config;
    Clock m_clock;
    ProviderHttp m_http;
    IdTokenVerifier m_idTokens;
};

//! What an unverified e-mail address does to a sign-in.
enum class EmailRule {
    RequireVerified, //!< refused (Google's token exchange, as the seed did)
    KeepVerified,    //!< signs in; the address is kept only when verified
};

//! The identity in OpenID claims (an ID token, Google's tokeninfo answer): a subject, the
//! e-mail address by \a rule, the name, the picture only when https.
Result<ExternalIdentity> identityFromClaims(const QString &provider, const QJsonObject &claims,
                                            const ProviderHttp &http,
                                            EmailRule rule = EmailRule::RequireVerified);

} // namespace latchkey
