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
        if (!code.startsWith("gh-") || r.param("client_secret") != githubSecret)
            return json(
                QJsonObject{{QStringLiteral("error"), QStringLiteral("bad_verification_code")}});
        return json(QJsonObject{{QStringLiteral("access_token"),
                                 QStringLiteral("gho_") + QString::fromLatin1(code.mid(3))},
                                {QStringLiteral("token_type"), QStringLiteral("bearer")}});
    });
    const auto login = [](const StandInRequest &r) {
        return r.authorization.startsWith("Bearer gho_")
                   ? QString::fromLatin1(r.authorization.mid(11))
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
    m_oidc.route("/oidc/token", [this](const StandInRequest &) {
        return json(QJsonObject{
            {QStringLiteral("access_token"), QStringLiteral("at")},
            {QStringLiteral("id_token"), QString::fromLatin1(jwt::sign(m_claims, m_key))}});
    });
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
