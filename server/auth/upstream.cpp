// What the upstream providers share: the authorization request, the nonce check.
#include "upstream.h"

#include <latchkey/crypto.h>

#include <QJsonObject>
#include <QUrlQuery>

namespace latchkey {

QUrl authorizationRequest(const QUrl &base, const QString &clientId, const QStringList &scopes,
                          const UpstreamStart &start, const QString &extra)
{
    QUrl url = base;
    QUrlQuery query(url);
    const QUrlQuery more(extra);
    for (const auto &[name, value] : more.queryItems(QUrl::FullyDecoded))
        query.addQueryItem(name, value);
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    query.addQueryItem(QStringLiteral("client_id"), clientId);
    query.addQueryItem(QStringLiteral("redirect_uri"), start.redirectUri);
    if (!scopes.isEmpty())
        query.addQueryItem(QStringLiteral("scope"), scopes.join(QLatin1Char(' ')));
    query.addQueryItem(QStringLiteral("state"), start.state);
    query.addQueryItem(QStringLiteral("nonce"), start.nonce);
    query.addQueryItem(QStringLiteral("code_challenge"), start.codeChallenge);
    query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    // QUrlQuery leaves '+' alone, and the provider would read it as a space.
    url.setQuery(query.query(QUrl::FullyEncoded).replace(QLatin1Char('+'), QStringLiteral("%2B")),
                 QUrl::StrictMode);
    return url;
}

void Upstream::verifyIdToken(const QString &, IdentityCallback done)
{
    done(Error{
        ErrorCode::InvalidProviderToken,
        QStringLiteral("%1 issues no ID token; sign in through /oauth/authorize").arg(name())});
}

void Upstream::refresh(const QString &, TokensCallback done)
{
    done(Error::notFound(QStringLiteral("%1 keeps no tokens").arg(displayName())));
}

QUrlQuery tokenRequest(const QString &grantType, const Config::Upstream &config)
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), grantType);
    form.addQueryItem(QStringLiteral("client_id"), config.clientId);
    form.addQueryItem(QStringLiteral("client_secret"), QString::fromUtf8(config.clientSecret));
    return form;
}

Result<UpstreamTokens> tokensFrom(const QJsonObject &answer, const ProviderHttp &http)
{
    const QString error = answer.value(QLatin1StringView("error")).toString();
    UpstreamTokens tokens{answer.value(QLatin1StringView("access_token")).toString(),
                          answer.value(QLatin1StringView("refresh_token")).toString(),
                          answer.value(QLatin1StringView("expires_in")).toInteger(),
                          answer.value(QLatin1StringView("scope")).toString().left(1024)};
    if (!error.isEmpty() || !isPlausibleToken(tokens.accessToken)) {
        return http.rejected(error.isEmpty() || !isPlausibleToken(error)
                                 ? QStringLiteral("the provider sent no access token")
                                 : QStringLiteral("the provider answered %1").arg(error));
    }
    if (!tokens.refreshToken.isEmpty() && !isPlausibleToken(tokens.refreshToken))
        return http.rejected(QStringLiteral("the provider sent a malformed refresh token"));
    tokens.expiresIn = std::max<qint64>(tokens.expiresIn, 0);
    return tokens;
}

void requestTokens(ProviderHttp &http, const QUrl &tokenUrl, const QUrlQuery &form,
                   Upstream::TokensCallback done)
{
    http.postForm(tokenUrl, form, [&http, done](Result<QJsonObject> answer, int) {
        done(answer ? tokensFrom(*answer, http) : Result<UpstreamTokens>(answer.error()));
    });
}

bool carriesNonce(const QJsonObject &claims, const QString &nonce)
{
    const QString claim = claims.value(QLatin1StringView("nonce")).toString();
    return !claim.isEmpty() && crypto::constantTimeEquals(claim.toUtf8(), nonce.toUtf8());
}

} // namespace latchkey
