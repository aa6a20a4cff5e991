// Google's two checks: tokeninfo for access tokens, the JWKS for ID tokens.
#include "googleprovider.h"

#include "logging.h"

namespace latchkey {

namespace {
bool isTrue(const QJsonValue &v)
{
    return v.isBool() ? v.toBool() : v.toString() == QLatin1StringView("true");
}
} // namespace

GoogleProvider::GoogleProvider(const Config::Google &config, KeySet &keys, Clock clock)
    : m_config(config), m_clock(clock), m_http(QStringLiteral("Google"), config.timeoutMs),
      m_idTokens(m_http, keys, std::move(clock))
{
}

void GoogleProvider::verifyAccessToken(const QString &accessToken, Callback done)
{
    if (m_config.clientIds.isEmpty()) {
        done(m_http.rejected(QStringLiteral("no Google client ID is configured on this server")));
        return;
    }
    if (!isPlausibleToken(accessToken)) {
        done(m_http.rejected(QStringLiteral("it is not a well-formed token")));
        return;
    }
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("access_token"), accessToken);
    m_http.postForm(
        m_config.tokenInfoUrl, form, [this, done = std::move(done)](Result<QJsonObject> info, int) {
            if (!info) {
                done(info.error());
                return;
            }
            const QString aud = info->value(QLatin1StringView("aud")).toString();
            const QJsonValue azp = info->value(QLatin1StringView("azp"));
            if (!m_config.clientIds.contains(aud) ||
                (!azp.isUndefined() && !m_config.clientIds.contains(azp.toString()))) {
                done(m_http.rejected(QStringLiteral("it was issued to another application")));
                return;
            }
            const qint64 exp = info->value(QLatin1StringView("exp")).toVariant().toLongLong();
            if (exp <= nowSecs()) {
                done(m_http.rejected(QStringLiteral("it has expired")));
                return;
            }
            done(identityFrom(*info));
        });
}

void GoogleProvider::verifyIdToken(const QString &idToken, Callback done)
{
    if (m_config.clientIds.isEmpty()) {
        done(m_http.rejected(QStringLiteral("no Google client ID is configured on this server")));
        return;
    }
    jwt::VerifyOptions options;
    options.issuers = m_config.issuers;
    options.audiences = m_config.clientIds;
    m_idTokens.verify(idToken, m_config.jwksUrl, options,
                      [this, done = std::move(done)](Result<QJsonObject> claims) {
                          done(claims ? identityFrom(*claims)
                                      : Result<ExternalIdentity>(claims.error()));
                      });
}

Result<ExternalIdentity> GoogleProvider::identityFrom(const QJsonObject &claims) const
{
    return identityFromClaims(QStringLiteral("google"), claims, m_http);
}

Result<ExternalIdentity> identityFromClaims(const QString &provider, const QJsonObject &claims,
                                            const ProviderHttp &http, EmailRule rule)
{
    ExternalIdentity identity;
    identity.provider = provider;
    identity.subject = claims.value(QLatin1StringView("sub")).toString();
    identity.email = claims.value(QLatin1StringView("email")).toString();
    identity.name = claims.value(QLatin1StringView("name")).toString();
    identity.picture = claims.value(QLatin1StringView("picture")).toString();
    if (identity.subject.isEmpty() || identity.subject.size() > 255)
        return http.rejected(QStringLiteral("it names no subject"));
    if (identity.email.isEmpty() || !isTrue(claims.value(QLatin1StringView("email_verified")))) {
        if (rule == EmailRule::RequireVerified)
            return http.rejected(QStringLiteral("its e-mail address is not verified"));
        identity.email.clear();
    }
    if (!identity.picture.startsWith(QLatin1StringView("https://")) ||
        identity.picture.size() > 2048)
        identity.picture.clear();
    return identity;
}

} // namespace latchkey
