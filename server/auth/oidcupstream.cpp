// Discovery (lazy, shared by this worker's waiting sign-ins), code exchange, ID token check.
#include "oidcupstream.h"

#include "googleprovider.h"

#include <QUrlQuery>

namespace latchkey {

namespace {
bool isSafe(const QUrl &url)
{
    // What config allows for the issuer itself: https, or http on this machine.
    return url.isValid() && (url.scheme() == QLatin1StringView("https") ||
                             (url.scheme() == QLatin1StringView("http") &&
                              (url.host() == QLatin1StringView("127.0.0.1") ||
                               url.host() == QLatin1StringView("::1") ||
                               url.host() == QLatin1StringView("localhost"))));
}
} // namespace

OidcUpstream::OidcUpstream(const Config::Upstream &config, KeySet &keys, Clock clock)
    : m_config(config), m_http(config.displayName, config.timeoutMs),
      m_idTokens(m_http, keys, std::move(clock))
{
}

void OidcUpstream::withDiscovery(std::function<void(Status)> done)
{
    if (m_tokenUrl.isValid() && !m_tokenUrl.isEmpty()) {
        done(Done{});
        return;
    }
    m_waiters.push_back(std::move(done));
    if (m_discovering)
        return;
    m_discovering = true;
    QUrl url = m_config.issuer;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QStringLiteral("/.well-known/openid-configuration"));
    m_http.getJson(url, {}, [this](Result<QJsonObject> doc, int) {
        m_discovering = false;
        Status status = Done{};
        if (!doc) {
            status = doc.error().code == ErrorCode::InvalidProviderToken
                         ? Error{ErrorCode::ProviderUnavailable,
                                 QStringLiteral("the provider's configuration is unavailable")}
                         : doc.error();
        } else {
            const auto url = [&](const char *key) {
                return QUrl(doc->value(QLatin1StringView(key)).toString(), QUrl::StrictMode);
            };
            const QString issuer = doc->value(QLatin1StringView("issuer")).toString();
            if (issuer != m_config.issuer.toString() || !isSafe(url("authorization_endpoint")) ||
                !isSafe(url("token_endpoint")) || !isSafe(url("jwks_uri"))) {
                status = Error{ErrorCode::ProviderUnavailable,
                               QStringLiteral("the provider's configuration names another issuer "
                                              "or an endpoint that is not https")};
            } else {
                m_authorizeUrl = url("authorization_endpoint");
                m_tokenUrl = url("token_endpoint");
                m_jwksUrl = url("jwks_uri");
            }
        }
        auto waiters = std::move(m_waiters);
        m_waiters.clear();
        for (auto &waiter : waiters)
            waiter(status);
    });
}

void OidcUpstream::authorizationUrl(const UpstreamStart &start, UrlCallback done)
{
    withDiscovery([this, start, done = std::move(done)](Status status) {
        if (!status)
            done(status.error());
        else
            done(authorizationRequest(m_authorizeUrl, m_config.clientId, m_config.scopes, start,
                                      m_config.authorizeParams));
    });
}

void OidcUpstream::identify(const QString &code, const QString &verifier, const QString &nonce,
                            const QString &redirectUri, IdentityCallback done)
{
    QUrlQuery form = tokenRequest(QStringLiteral("authorization_code"), m_config);
    form.addQueryItem(QStringLiteral("code"), code);
    form.addQueryItem(QStringLiteral("redirect_uri"), redirectUri);
    form.addQueryItem(QStringLiteral("code_verifier"), verifier);
    postCode(form, [this, nonce, done](Result<QJsonObject> answer, int) {
        if (!answer) {
            done(answer.error());
            return;
        }
        const QString idToken = answer->value(QLatin1StringView("id_token")).toString();
        if (!m_config.keepTokens) {
            checkIdToken(idToken, nonce, done);
            return;
        }
        const Result<UpstreamTokens> tokens = tokensFrom(*answer, m_http);
        if (!tokens) {
            done(tokens.error());
            return;
        }
        checkIdToken(idToken, nonce, [tokens = *tokens, done](Result<ExternalIdentity> identity) {
            if (identity)
                identity->tokens = tokens;
            done(identity);
        });
    });
}

void OidcUpstream::refresh(const QString &refreshToken, TokensCallback done)
{
    QUrlQuery form = tokenRequest(QStringLiteral("refresh_token"), m_config);
    form.addQueryItem(QStringLiteral("refresh_token"), refreshToken);
    withDiscovery([this, form, done = std::move(done)](Status status) {
        if (!status)
            done(status.error());
        else
            requestTokens(m_http, m_tokenUrl, form, done);
    });
}

void OidcUpstream::postCode(const QUrlQuery &form, ProviderHttp::JsonCallback done)
{
    withDiscovery([this, form, done = std::move(done)](Status status) {
        if (!status)
            done(status.error(), 0);
        else
            m_http.postForm(m_tokenUrl, form, done);
    });
}

void OidcUpstream::verifyIdToken(const QString &idToken, IdentityCallback done)
{
    withDiscovery([this, idToken, done = std::move(done)](Status status) {
        if (!status)
            done(status.error());
        else
            checkIdToken(idToken, {}, done); // the game's own sign-in: no nonce of ours
    });
}

void OidcUpstream::checkIdToken(const QString &idToken, const QString &nonce, IdentityCallback done)
{
    jwt::VerifyOptions options;
    options.issuers = {m_config.issuer.toString()};
    options.audiences = {m_config.clientId};
    m_idTokens.verify(idToken, m_jwksUrl, options, [this, nonce, done](Result<QJsonObject> claims) {
        if (!claims)
            done(claims.error());
        else if (!nonce.isEmpty() && !carriesNonce(*claims, nonce))
            done(m_http.rejected(
                QStringLiteral("the ID token does not carry this sign-in's nonce")));
        else
            done(identityFromClaims(m_config.name, *claims, m_http, EmailRule::KeepVerified));
    });
}

} // namespace latchkey
