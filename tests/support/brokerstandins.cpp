// The two upstream stand-ins' routes.
#include "brokerstandins.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace latchkey::test {

namespace {
StandInReply json(const QJsonValue &value, int status = 200)
{
    const QByteArray body = value.isArray()
                                ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                                : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    return StandInReply{status, body, {}, 0, false, {}};
}
} // namespace

BrokerStandIns::BrokerStandIns()
{
    m_key.setKeyId(QStringLiteral("shaped-1"));
    // GitHub: the browser step answers at once with the code of player "octocat".
    m_github.route("/login/oauth/authorize", [](const StandInRequest &r) {
        const QByteArray back = r.param("redirect_uri") + "?code=gh-octocat&state=" +
                                QUrl::toPercentEncoding(QString::fromUtf8(r.param("state")));
        return StandInReply{302, {}, {}, 0, false, back};
    });
    m_github.route("/login/oauth/access_token", [this](const StandInRequest &r) {
        const QByteArray code = r.param("code");
        if (code == "hang")
            return StandInReply{200, {}, {}, 0, true, {}};
        if (r.method == "POST" && r.param("client_id") == githubClientId &&
            r.param("client_secret") == githubSecret && !r.param("code_verifier").isEmpty())
            ++m_wellFormed;
        if (r.param("grant_type") == "refresh_token")
            return refreshGrant(r);
        if (!code.startsWith("gh-") || r.param("client_secret") != githubSecret)
            return json(
                QJsonObject{{QStringLiteral("error"), QStringLiteral("bad_verification_code")}});
        return githubTokens(QString::fromLatin1(code.mid(3)));
    });
    const auto login = [](const StandInRequest &r) {
        // "gho_<login>" or, refreshed, "gho_<login>.<n>"
        return r.authorization.startsWith("Bearer gho_")
                   ? QString::fromLatin1(r.authorization.mid(11)).section(u'.', 0, 0)
                   : QString();
    };
    m_github.route("/user", [login](const StandInRequest &r) {
        const QString name = login(r);
        if (name.isEmpty())
            return json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Bad credentials")}},
                        401);
        return json(QJsonObject{
            {QStringLiteral("id"), 1000 + name.size()},
            {QStringLiteral("login"), name},
            {QStringLiteral("email"), QJsonValue::Null},
            {QStringLiteral("avatar_url"), QStringLiteral("https://avatars.example/u/1.png")}});
    });
    m_github.route("/user/emails", [login](const StandInRequest &r) {
        const QString name = login(r);
        return json(QJsonArray{
            QJsonObject{{QStringLiteral("email"), QStringLiteral("old@users.example")},
                        {QStringLiteral("primary"), false},
                        {QStringLiteral("verified"), true}},
            QJsonObject{{QStringLiteral("email"), name + QStringLiteral("@users.example")},
                        {QStringLiteral("primary"), true},
                        {QStringLiteral("verified"), true}}});
    });

    const QString issuer = m_oidc.url(QStringLiteral("/oidc")).toString();
    m_oidc.route("/oidc/.well-known/openid-configuration", [issuer](const StandInRequest &) {
        return json(QJsonObject{
            {QStringLiteral("issuer"), issuer},
            {QStringLiteral("authorization_endpoint"), issuer + QStringLiteral("/authorize")},
            {QStringLiteral("token_endpoint"), issuer + QStringLiteral("/token")},
            {QStringLiteral("jwks_uri"), issuer + QStringLiteral("/jwks")}});
    });
    m_oidc.route("/oidc/jwks", [this](const StandInRequest &) {
        return json(QJsonObject{{QStringLiteral("keys"), QJsonArray{m_key.publicJwk()}}});
    });
    m_oidc.route("/oidc/token", [this](const StandInRequest &r) {
        if (r.param("grant_type") == "refresh_token") {
            if (r.param("refresh_token") != "oidc-refresh")
                return json(QJsonObject{{QStringLiteral("error"), QStringLiteral("invalid_grant")}},
                            400);
            return json(
                QJsonObject{{QStringLiteral("access_token"), QStringLiteral("at-refreshed")},
                            {QStringLiteral("expires_in"), 3600}});
        }
        return json(QJsonObject{
            {QStringLiteral("access_token"), QStringLiteral("at")},
            {QStringLiteral("refresh_token"), QStringLiteral("oidc-refresh")},
            {QStringLiteral("expires_in"), 30},
            {QStringLiteral("id_token"), QString::fromLatin1(jwt::sign(m_claims, m_key))}});
    });
}

StandInReply BrokerStandIns::githubTokens(const QString &login)
{
    QJsonObject tokens{{QStringLiteral("access_token"), QStringLiteral("gho_") + login},
                       {QStringLiteral("token_type"), QStringLiteral("bearer")}};
    if (m_accessLifetime > 0) {
        const QString n = QString::number(++m_issued);
        tokens[QStringLiteral("access_token")] = QStringLiteral("gho_%1.%2").arg(login, n);
        tokens[QStringLiteral("refresh_token")] = QStringLiteral("ghr_%1.%2").arg(login, n);
        tokens[QStringLiteral("expires_in")] = m_accessLifetime;
        m_liveRefresh.insert(login, tokens[QStringLiteral("refresh_token")].toString().toLatin1());
    }
    return json(tokens);
}

StandInReply BrokerStandIns::refreshGrant(const StandInRequest &r)
{
    const QByteArray token = r.param("refresh_token");
    const QString login = QString::fromLatin1(token.mid(4)).section(u'.', 0, 0);
    if (r.param("client_secret") != githubSecret || !token.startsWith("ghr_") ||
        m_liveRefresh.value(login) != token)
        return json(QJsonObject{{QStringLiteral("error"), QStringLiteral("bad_refresh_token")}});
    ++m_refreshGrants;
    return githubTokens(login);
}

void BrokerStandIns::setIdTokenClaims(const QString &nonce, const QJsonObject &overrides)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    m_claims = {{QStringLiteral("iss"), m_oidc.url(QStringLiteral("/oidc")).toString()},
                {QStringLiteral("aud"), QString::fromLatin1(oidcClientId)},
                {QStringLiteral("sub"), QStringLiteral("shaped-subject")},
                {QStringLiteral("email"), QStringLiteral("shaped@example.test")},
                {QStringLiteral("email_verified"), true},
                {QStringLiteral("nonce"), nonce},
                {QStringLiteral("iat"), now},
                {QStringLiteral("exp"), now + 300}};
    if (nonce.isEmpty())
        m_claims.remove(QStringLiteral("nonce"));
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        m_claims.insert(it.key(), it.value());
}

std::vector<Config::Upstream> BrokerStandIns::upstreams() const
{
    Config::Upstream github;
    github.name = QStringLiteral("github");
    github.type = QStringLiteral("oauth2");
    github.displayName = QStringLiteral("GitHub");
    github.clientId = QString::fromLatin1(githubClientId);
    github.clientSecret = githubSecret;
    github.authorizeUrl = m_github.url(QStringLiteral("/login/oauth/authorize"));
    github.tokenUrl = m_github.url(QStringLiteral("/login/oauth/access_token"));
    github.userinfoUrl = m_github.url(QStringLiteral("/user"));
    github.emailsUrl = m_github.url(QStringLiteral("/user/emails"));
    github.nameField = QStringLiteral("login");
    github.pictureField = QStringLiteral("avatar_url");
    github.timeoutMs = 1000;

    Config::Upstream shaped;
    shaped.name = QStringLiteral("shaped");
    shaped.type = QStringLiteral("oidc");
    shaped.displayName = QStringLiteral("Shaped OpenID");
    shaped.clientId = QString::fromLatin1(oidcClientId);
    shaped.clientSecret = "oidc-secret";
    shaped.issuer = m_oidc.url(QStringLiteral("/oidc"));
    shaped.scopes = {QStringLiteral("openid"), QStringLiteral("email")};
    shaped.timeoutMs = 1000;
    return {github, shaped};
}

} // namespace latchkey::test
