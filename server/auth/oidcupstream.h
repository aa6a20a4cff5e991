// Any OpenID provider as an upstream of the broker, found by its issuer (discovery).
#pragma once

#include "idtokenverifier.h"
#include "providerhttp.h"
#include "upstream.h"

#include "config/config.h"

#include <vector>

namespace latchkey {

//! Discovery is read when first needed and kept; a failed read is retried by the next
//! sign-in, so start-up never depends on the provider. The ID token: signature (JWKS),
//! iss = issuer, aud ∋ client_id, exp, nonce; its e-mail counts only when verified.
class OidcUpstream : public Upstream
{
public:
    OidcUpstream(const Config::Upstream &config, KeySet &keys, Clock clock);

    QString name() const override { return m_config.name; }
    QString displayName() const override { return m_config.displayName; }
    void authorizationUrl(const UpstreamStart &start, UrlCallback done) override;
    void identify(const QString &code, const QString &verifier, const QString &nonce,
                  const QString &redirectUri, IdentityCallback done) override;
    void verifyIdToken(const QString &idToken, IdentityCallback done) override;
    void refresh(const QString &refreshToken, TokensCallback done) override;

private:
    void withDiscovery(std::function<void(Status)> done);
    //! Signature, iss, aud, exp and the e-mail rule; \a nonce too when not empty.
    void checkIdToken(const QString &idToken, const QString &nonce, IdentityCallback done);
    //! The code exchange \a form posted to the discovered token endpoint.
    void postCode(const QUrlQuery &form, ProviderHttp::JsonCallback done);

    const Config::Upstream m_config;
    ProviderHttp m_http;
    IdTokenVerifier m_idTokens;
    QUrl m_authorizeUrl; //!< from discovery
    QUrl m_tokenUrl;
    QUrl m_jwksUrl;
    bool m_discovering = false;
    std::vector<std::function<void(Status)>> m_waiters;
};

} // namespace latchkey
