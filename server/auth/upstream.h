// The sign-in broker's upstream providers behind one interface: where to send the player's
// browser, and who the player is once the browser came back with a code.
#pragma once

#include "identity.h"
#include "providerhttp.h"

#include "config/config.h"

#include <latchkey/error.h>

#include <QJsonObject>
#include <QUrl>

#include <functional>

namespace latchkey {

//! What Latchkey sends upstream: its own state, nonce and PKCE challenge, never the game's.
struct UpstreamStart
{
    QString state;
    QString nonce;
    QString codeChallenge; //!< S256 of the verifier the broker keeps
    QString redirectUri;   //!< {public_url}/oauth/callback/{provider}
};

//! One per provider per worker thread. Every call completes exactly once; refusals are
//! InvalidProviderToken, ProviderUnavailable or ProviderTimeout.
class Upstream
{
public:
    using UrlCallback = std::function<void(Result<QUrl>)>;
    using IdentityCallback = std::function<void(Result<ExternalIdentity>)>;
    using TokensCallback = std::function<void(Result<UpstreamTokens>)>;

    virtual ~Upstream() = default;
    virtual QString name() const = 0;
    virtual QString displayName() const = 0;
    //! The provider's authorization URL for \a start (an oidc provider may read its
    //! discovery document first: lazily, retried on the next sign-in when it failed).
    virtual void authorizationUrl(const UpstreamStart &start, UrlCallback done) = 0;
    //! Trades \a code (with \a verifier, at \a redirectUri) and checks what comes back; an ID
    //! token must carry \a nonce.
    virtual void identify(const QString &code, const QString &verifier, const QString &nonce,
                          const QString &redirectUri, IdentityCallback done) = 0;
    //! POST /api/login {"provider": name, "id_token"}: an ID token the game obtained itself,
    //! for this provider's client ID. Providers without ID tokens refuse.
    virtual void verifyIdToken(const QString &idToken, IdentityCallback done);
    //! grant_type=refresh_token at the provider's token endpoint (keep_tokens): fresh tokens,
    //! with the next refresh token when the provider rotates them. InvalidProviderToken when
    //! the provider refused \a refreshToken. Providers without a token endpoint refuse.
    virtual void refresh(const QString &refreshToken, TokensCallback done);
};

//! \a base with the standard authorization request parameters (and \a extra, "a=b&c=d").
QUrl authorizationRequest(const QUrl &base, const QString &clientId, const QStringList &scopes,
                          const UpstreamStart &start, const QString &extra = {});
//! The token endpoint's form for \a grantType ("authorization_code", "refresh_token") with
//! \a config's client credentials.
QUrlQuery tokenRequest(const QString &grantType, const Config::Upstream &config);
//! The tokens of a token endpoint's answer; a refusal (GitHub answers some with 200 and
//! "error") or no plausible access token is InvalidProviderToken through \a http.
Result<UpstreamTokens> tokensFrom(const QJsonObject &answer, const ProviderHttp &http);
//! POST \a form to \a tokenUrl and read the tokens with tokensFrom().
void requestTokens(ProviderHttp &http, const QUrl &tokenUrl, const QUrlQuery &form,
                   Upstream::TokensCallback done);
//! Whether the payload of \a idToken (verified elsewhere) carries \a nonce.
bool carriesNonce(const QJsonObject &claims, const QString &nonce);

} // namespace latchkey
