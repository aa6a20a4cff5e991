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

    //! Upstreams "github" (oauth2) and "shaped" (oidc) pointing at the stand-ins.
    std::vector<Config::Upstream> upstreams() const;
    //! Claims of the next ID token "shaped" issues (over what a good one has: iss, aud, sub,
    //! email, email_verified, exp, iat, and the nonce \a nonce unless empty).
    void setIdTokenClaims(const QString &nonce, const QJsonObject &overrides);
    //! An ID token of "shaped" with those claims, as a game would get it itself.
    QString signIdToken() const { return QString::fromLatin1(jwt::sign(m_claims, m_key)); }
    StandInServer &github() { return m_github; }
    //! How many token requests carried the client secret and a code_verifier.
    int wellFormedTokenRequests() const { return m_wellFormed; }

private:
    StandInServer m_github;
    StandInServer m_oidc;
    jwt::Key m_key = jwt::Key::generate(jwt::Algorithm::RS256);
    QJsonObject m_claims;
    int m_wellFormed = 0;
};

} // namespace latchkey::test
