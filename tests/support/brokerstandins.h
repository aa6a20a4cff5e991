// Upstream providers for the broker's tests, on loopback in the test's thread: an OAuth2
// stand-in that behaves like GitHub (authorize redirect, token form, /user, /user/emails) and
// an OpenID stand-in whose ID tokens the test shapes (wrong nonce, audience, issuer). Only a
// stand-in can misbehave on purpose; the real OpenID provider (oidc-provider) is used too.
#pragma once

#include "standinserver.h"

#include "config/config.h"

#include <latchkey/jwt.h>

#include <QJsonObject>

namespace latchkey::test {

class BrokerStandIns
{
public:
    //! GitHub's: the code "gh-<login>" is player <login> (id 1000 + its length, verified primary
    //! e-mail <login>@users.example); "hang" never answers; others get GitHub's
    //! {"error":"bad_verification_code"} with status 200.
    static constexpr char githubClientId[] = "gh-client";
    static constexpr char githubSecret[] = "gh-secret";
    static constexpr char oidcClientId[] = "oidc-client";

    BrokerStandIns();

    //! Upstreams "github" (oauth2) and "shaped" (oidc) pointing at the stand-ins. "shaped"
    //! answers a code with access token "at" (30 s) and refresh token "oidc-refresh", which
    //! it trades for "at-refreshed" (3600 s) as often as asked.
    std::vector<Config::Upstream> upstreams() const;
    //! Claims of the next ID token "shaped" issues (over what a good one has: iss, aud, sub,
    //! email, email_verified, exp, iat, and the nonce \a nonce unless empty).
    void setIdTokenClaims(const QString &nonce, const QJsonObject &overrides);
    //! An ID token of "shaped" with those claims, as a game would get it itself.
    QString signIdToken() const { return QString::fromLatin1(jwt::sign(m_claims, m_key)); }
    StandInServer &github() { return m_github; }
    //! How many token requests carried the client secret and a code_verifier.
    int wellFormedTokenRequests() const { return m_wellFormed; }

    //! From now on GitHub's access tokens expire after \a secs ("expires_in") and come with a
    //! refresh token "ghr_<login>.<n>" that grant_type=refresh_token trades for new tokens
    //! and the next refresh token (the old one is refused then), as GitHub Apps' expiring
    //! user tokens do. 0 (the start): an OAuth app's tokens, which neither expire nor refresh.
    void setExpiringTokens(int secs) { m_accessLifetime = secs; }
    //! Refresh grants GitHub answered with new tokens.
    int refreshGrants() const { return m_refreshGrants; }
    //! Every refresh token issued so far is refused from now on (the player revoked the app).
    void revokeRefreshTokens() { m_liveRefresh.clear(); }

private:
    StandInReply githubTokens(const QString &login);
    StandInReply refreshGrant(const StandInRequest &r);

    StandInServer m_github;
    StandInServer m_oidc;
    jwt::Key m_key = jwt::Key::generate(jwt::Algorithm::RS256);
    QJsonObject m_claims;
    int m_wellFormed = 0;
    int m_accessLifetime = 0;
    int m_refreshGrants = 0;
    int m_issued = 0;
    QHash<QString, QByteArray> m_liveRefresh; //!< login → its live refresh token
};

} // namespace latchkey::test
