// Code → access token → userinfo (→ the verified primary e-mail address).
#include "oauth2upstream.h"

#include <QJsonArray>
#include <QUrlQuery>

namespace latchkey {

namespace {
//! A field as text: GitHub's and Discord's ids are numbers in one and strings in the other.
QString fieldText(const QJsonObject &object, const QString &field)
{
    const QJsonValue value = object.value(field);
    if (value.isDouble())
        return QString::number(value.toInteger());
    return value.toString();
}
} // namespace

OAuth2Upstream::OAuth2Upstream(const Config::Upstream &config)
    : m_config(config), m_http(config.displayName, config.timeoutMs)
{
}

void OAuth2Upstream::authorizationUrl(const UpstreamStart &start, UrlCallback done)
{
    done(authorizationRequest(m_config.authorizeUrl, m_config.clientId, m_config.scopes, start,
                              m_config.authorizeParams));
}

void OAuth2Upstream::identify(const QString &code, const QString &verifier, const QString &,
                              const QString &redirectUri, IdentityCallback done)
{
    QUrlQuery form = tokenRequest(QStringLiteral("authorization_code"), m_config);
    form.addQueryItem(QStringLiteral("code"), code);
    form.addQueryItem(QStringLiteral("redirect_uri"), redirectUri);
    form.addQueryItem(QStringLiteral("code_verifier"), verifier);
    requestTokens(m_http, m_config.tokenUrl, form, [this, done](Result<UpstreamTokens> tokens) {
        if (!tokens) {
            done(tokens.error());
            return;
        }
        readUser(tokens->accessToken.toLatin1(), [keep = m_config.keepTokens, tokens = *tokens,
                                                  done](Result<ExternalIdentity> identity) {
            if (identity && keep)
                identity->tokens = tokens;
            done(identity);
        });
    });
}

void OAuth2Upstream::refresh(const QString &refreshToken, TokensCallback done)
{
    QUrlQuery form = tokenRequest(QStringLiteral("refresh_token"), m_config);
    form.addQueryItem(QStringLiteral("refresh_token"), refreshToken);
    requestTokens(m_http, m_config.tokenUrl, form, std::move(done));
}

void OAuth2Upstream::readUser(const QByteArray &accessToken, IdentityCallback done)
{
    m_http.getJson(m_config.userinfoUrl, accessToken,
                   [this, accessToken, done](Result<QJsonObject> user, int) {
                       if (!user) {
                           done(user.error());
                           return;
                       }
                       Result<ExternalIdentity> identity = identityFrom(*user);
                       if (!identity || m_config.emailsUrl.isEmpty()) {
                           done(identity);
                           return;
                       }
                       m_http.getJson(
                           m_config.emailsUrl, accessToken,
                           [identity = *identity, done](Result<QJsonObject> emails, int) mutable {
                               if (!emails) {
                                   done(emails.error());
                                   return;
                               }
                               identity.email.clear();
                               const QJsonArray items =
                                   emails->value(QLatin1StringView("items")).toArray();
                               for (const QJsonValue &item : items) {
                                   const QJsonObject e = item.toObject();
                                   if (e.value(QLatin1StringView("primary")).toBool() &&
                                       e.value(QLatin1StringView("verified")).toBool())
                                       identity.email =
                                           e.value(QLatin1StringView("email")).toString();
                               }
                               done(identity);
                           });
                   });
}

Result<ExternalIdentity> OAuth2Upstream::identityFrom(const QJsonObject &user) const
{
    ExternalIdentity identity;
    identity.provider = m_config.name;
    identity.subject = fieldText(user, m_config.subjectField);
    if (identity.subject.isEmpty() || identity.subject.size() > 255)
        return m_http.rejected(QStringLiteral("the profile names no account id"));
    identity.email = fieldText(user, m_config.emailField);
    if (!m_config.emailVerifiedField.isEmpty() && !user.value(m_config.emailVerifiedField).toBool())
        identity.email.clear();
    if (identity.email.size() > 254)
        identity.email.clear();
    identity.name = fieldText(user, m_config.nameField).left(100);
    if (!m_config.pictureField.isEmpty()) {
        identity.picture = fieldText(user, m_config.pictureField);
        if (!identity.picture.startsWith(QLatin1StringView("https://")) ||
            identity.picture.size() > 2048)
            identity.picture.clear();
    }
    return identity;
}

} // namespace latchkey
