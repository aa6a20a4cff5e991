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

bool carriesNonce(const QJsonObject &claims, const QString &nonce)
{
    const QString claim = claims.value(QLatin1StringView("nonce")).toString();
    return !claim.isEmpty() && crypto::constantTimeEquals(claim.toUtf8(), nonce.toUtf8());
}

} // namespace latchkey
