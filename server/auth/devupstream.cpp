// The development provider's authorize page, and its code traded in the process.
#include "devupstream.h"

#include <latchkey/base64url.h>

#include <QJsonDocument>

namespace latchkey {

void DevUpstream::authorizationUrl(const UpstreamStart &start, UrlCallback done)
{
    done(authorizationRequest(QUrl(m_provider.issuer() + QStringLiteral("/authorize")),
                              m_provider.clientIds().first(),
                              {QStringLiteral("openid"), QStringLiteral("email")}, start));
}

void DevUpstream::identify(const QString &code, const QString &verifier, const QString &nonce,
                           const QString &redirectUri, IdentityCallback done)
{
    const auto tokens =
        m_provider.redeem(code, m_provider.clientIds().first(), redirectUri, verifier);
    if (!tokens) {
        done(Error{
            ErrorCode::InvalidProviderToken,
            QStringLiteral("development sign-in refused: %1").arg(tokens.error().description)});
        return;
    }
    const QString idToken = tokens->value(QLatin1StringView("id_token")).toString();
    Result<ExternalIdentity> identity = m_provider.verifyIdToken(idToken);
    const QList<QByteArray> parts = idToken.toLatin1().split('.');
    const Result<QByteArray> payload =
        parts.size() == 3 ? base64url::decode(parts[1]) : Result<QByteArray>(Error{});
    if (identity &&
        (!payload || !carriesNonce(QJsonDocument::fromJson(*payload).object(), nonce))) {
        done(Error{ErrorCode::InvalidProviderToken,
                   QStringLiteral("the ID token does not carry this sign-in's nonce")});
        return;
    }
    done(identity);
}

} // namespace latchkey
