// The sign-in broker's upstream providers behind one interface: where to send the player's
// browser, and who the player is once the browser came back with a code.
#pragma once

#include "identity.h"

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
};

//! \a base with the standard authorization request parameters (and \a extra, "a=b&c=d").
QUrl authorizationRequest(const QUrl &base, const QString &clientId, const QStringList &scopes,
                          const UpstreamStart &start, const QString &extra = {});
//! Whether the payload of \a idToken (verified elsewhere) carries \a nonce.
bool carriesNonce(const QJsonObject &claims, const QString &nonce);

} // namespace latchkey
