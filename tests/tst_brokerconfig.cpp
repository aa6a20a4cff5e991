// The sign-in broker's configuration through loadConfig(): registered clients, upstream
// providers (presets overridden key by key, secrets from the environment or .env only, Google
// from its variables), the guest switch, server.public_url, and every refusal naming its key.
#include "config/config.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace latchkey;
using namespace Qt::Literals::StringLiterals;

namespace {
const QString goodSecret = u"JWT_SECRET=0123456789abcdef0123456789abcdef-good-secret"_s;

const Config::Upstream *upstreamNamed(const Config &c, const QString &name)
{
    for (const Config::Upstream &u : c.upstreams) {
        if (u.name == name)
            return &u;
    }
    return nullptr;
}
} // namespace

class TestBrokerConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void presetOverriddenKeyByKey();
    void secretFromDotEnv();
    void customOidcAndDisabled();
    void googleFromItsVariables();
    void clientsReplaceTheDefault();
    void guestAndPublicUrlVariables();
    void tokenEncryptionKeys();
    void refusals_data();
    void refusals();

private:
    //! loadConfig() with \a yaml as config.yml (none when empty), \a dotEnv as .env (none when
    //! null) and \a environment (NAME=value) plus a JWT secret.
    Result<Config> load(const QString &yaml, const QStringList &environment = {},
                        const QString &dotEnv = {});

    QTemporaryDir m_dir;
};

Result<Config> TestBrokerConfig::load(const QString &yaml, const QStringList &environment,
                                      const QString &dotEnv)
{
    ConfigSources sources;
    const auto write = [this](const QString &name, const QString &content) {
        QFile file(m_dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write a test file");
        file.write(content.toUtf8());
        return file.fileName();
    };
    if (!yaml.isEmpty())
        sources.configFile = write(u"config.yml"_s, yaml);
    if (!dotEnv.isNull())
        sources.envFile = write(u".env"_s, dotEnv);
    for (const QString &assignment : environment + QStringList{goodSecret}) {
        const qsizetype equals = assignment.indexOf(u'=');
        sources.environment.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    return loadConfig(sources);
}

void TestBrokerConfig::defaults()
{
    const Result<Config> c = load({});
    QVERIFY2(c, c ? "" : qPrintable(c.error().message));
    QCOMPARE(c->clients.size(), std::size_t(1));
    QCOMPARE(c->clients[0].id, u"latchkey-demo"_s);
    QVERIFY(c->clients[0].loopback);
    QVERIFY(c->upstreams.empty());
    QVERIFY(c->guest.enabled);
    QCOMPARE(c->guest.perAddressPerMinute, 10);
    QVERIFY(c->server.publicUrl.isEmpty());
}

void TestBrokerConfig::presetOverriddenKeyByKey()
{
    const Result<Config> c = load(u"providers:\n  github:\n    client_id: Iv1.abc\n"
                                  "    display_name: GitHub (beta)\n    timeout_ms: 2500\n"_s,
                                  {u"GITHUB_CLIENT_SECRET=gh-secret"_s});
    QVERIFY2(c, c ? "" : qPrintable(c.error().message));
    const Config::Upstream *github = upstreamNamed(*c, u"github"_s);
    QVERIFY(github);
    QCOMPARE(github->type, u"oauth2"_s);
    QCOMPARE(github->displayName, u"GitHub (beta)"_s); // overridden
    QCOMPARE(github->timeoutMs, 2500);
    QCOMPARE(github->clientId, u"Iv1.abc"_s);
    QCOMPARE(github->clientSecret, QByteArray("gh-secret"));
    // The rest from the preset.
    QCOMPARE(github->authorizeUrl, QUrl(u"https://github.com/login/oauth/authorize"_s));
    QCOMPARE(github->emailsUrl, QUrl(u"https://api.github.com/user/emails"_s));
    QCOMPARE(github->nameField, u"login"_s);
}

void TestBrokerConfig::secretFromDotEnv()
{
    const Result<Config> c = load(u"providers:\n  discord:\n    client_id: '1234'\n"_s, {},
                                  u"DISCORD_CLIENT_SECRET=d-s\n"_s);
    QVERIFY2(c, c ? "" : qPrintable(c.error().message));
    QCOMPARE(upstreamNamed(*c, u"discord"_s)->clientSecret, QByteArray("d-s"));
    QCOMPARE(upstreamNamed(*c, u"discord"_s)->displayName, u"Discord"_s);
}

void TestBrokerConfig::customOidcAndDisabled()
{
    const Result<Config> c =
        load(u"providers:\n  my-keycloak:\n    type: oidc\n    display_name: Studio account\n"
             "    issuer: https://sso.example.com/realms/games\n    client_id: game\n"
             "  slack:\n    enabled: false\n"_s,
             {u"MY_KEYCLOAK_CLIENT_SECRET=kc"_s});
    QVERIFY2(c, c ? "" : qPrintable(c.error().message));
    const Config::Upstream *keycloak = upstreamNamed(*c, u"my-keycloak"_s);
    QVERIFY(keycloak);
    QCOMPARE(keycloak->issuer, QUrl(u"https://sso.example.com/realms/games"_s));
    QCOMPARE(keycloak->clientSecret, QByteArray("kc"));
    QCOMPARE(keycloak->scopes, (QStringList{u"openid"_s, u"email"_s, u"profile"_s}));
    QVERIFY(!upstreamNamed(*c, u"slack"_s));
}

// The seed's Google variables keep working and make Google an upstream too.
void TestBrokerConfig::googleFromItsVariables()
{
    const Result<Config> c = load(
        {}, {u"GOOGLE_CLIENT_ID=123.apps.googleusercontent.com"_s, u"GOOGLE_CLIENT_SECRET=g"_s});
    QVERIFY2(c, c ? "" : qPrintable(c.error().message));
    const Config::Upstream *google = upstreamNamed(*c, u"google"_s);
    QVERIFY(google);
    QCOMPARE(google->type, u"oidc"_s);
    QCOMPARE(google->issuer, QUrl(u"https://accounts.google.com"_s));
    QCOMPARE(google->clientId, u"123.apps.googleusercontent.com"_s);
    QCOMPARE(c->google.clientIds, QStringList{u"123.apps.googleusercontent.com"_s});
    // Without the secret: /api/login checks Google's tokens, the broker does not offer it.
    const Result<Config> idOnly = load({}, {u"GOOGLE_CLIENT_ID=123.apps.googleusercontent.com"_s});
    QVERIFY(idOnly);
    QVERIFY(!upstreamNamed(*idOnly, u"google"_s));
}

void TestBrokerConfig::clientsReplaceTheDefault()
{
    const Result<Config> c =
        load(u"clients:\n  - client_id: space-game\n    name: Space Game\n    redirect: loopback\n"
             "  - client_id: web-shop\n    redirect_uris: [https://shop.example.com/cb]\n"_s);
    QVERIFY2(c, c ? "" : qPrintable(c.error().message));
    QCOMPARE(c->clients.size(), std::size_t(2));
    QCOMPARE(c->clients[0].name, u"Space Game"_s);
    QVERIFY(c->clients[0].loopback);
    QCOMPARE(c->clients[1].name, u"web-shop"_s); // the id when no name
    QVERIFY(!c->clients[1].loopback);
    QCOMPARE(c->clients[1].redirectUris, QStringList{u"https://shop.example.com/cb"_s});
}

void TestBrokerConfig::guestAndPublicUrlVariables()
{
    const Result<Config> c = load(u"providers:\n  guest:\n    per_address_per_minute: 3\n"_s,
                                  {u"GUEST_LOGIN=false"_s, u"SERVER_HOST=0.0.0.0"_s,
                                   u"PUBLIC_URL=https://accounts.example.com"_s});
    QVERIFY2(c, c ? "" : qPrintable(c.error().message));
    QVERIFY(!c->guest.enabled);
    QCOMPARE(c->guest.perAddressPerMinute, 3);
    QCOMPARE(c->server.publicUrl, QUrl(u"https://accounts.example.com"_s));
}

// keep_tokens with TOKEN_ENCRYPTION_KEYS: ids in order (the first seals), base64 or base64url.
void TestBrokerConfig::tokenEncryptionKeys()
{
    const QByteArray key1(32, 'a');
    const QByteArray key2(32, '\xfb');
    const Result<Config> c =
        load(u"providers:\n  github:\n    client_id: x\n    keep_tokens: true\n"_s,
             {u"GITHUB_CLIENT_SECRET=s"_s,
              u"TOKEN_ENCRYPTION_KEYS=2026b:%1, 2026a:%2"_s.arg(
                  QString::fromLatin1(key2.toBase64(QByteArray::Base64UrlEncoding)),
                  QString::fromLatin1(key1.toBase64()))});
    QVERIFY2(c, c ? "" : qPrintable(c.error().message));
    QVERIFY(upstreamNamed(*c, u"github"_s)->keepTokens);
    QCOMPARE(c->security.tokenKeys.size(), std::size_t(2));
    QCOMPARE(c->security.tokenKeys[0].id, u"2026b"_s);
    QCOMPARE(c->security.tokenKeys[0].key, key2);
    QCOMPARE(c->security.tokenKeys[1].key, key1);
}

void TestBrokerConfig::refusals_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QStringList>("expected");
    const QStringList noEnv;
    const QString github = u"providers:\n  github:\n    client_id: x\n"_s;
    QTest::newRow("secret missing")
        << github << noEnv << QStringList{u"providers.github"_s, u"GITHUB_CLIENT_SECRET"_s};
    QTest::newRow("client_id missing")
        << u"providers:\n  github: {}\n"_s << QStringList{u"GITHUB_CLIENT_SECRET=s"_s}
        << QStringList{u"providers.github.client_id"_s};
    QTest::newRow("secret in the file")
        << u"providers:\n  github:\n    client_id: x\n    client_secret: s\n"_s << noEnv
        << QStringList{u"providers.github.client_secret"_s, u"GITHUB_CLIENT_SECRET"_s};
    QTest::newRow("oidc without issuer")
        << u"providers:\n  sso:\n    type: oidc\n    client_id: x\n"_s
        << QStringList{u"SSO_CLIENT_SECRET=s"_s} << QStringList{u"providers.sso.issuer"_s};
    QTest::newRow("no type") << u"providers:\n  sso:\n    client_id: x\n"_s
                             << QStringList{u"SSO_CLIENT_SECRET=s"_s}
                             << QStringList{u"providers.sso.type"_s, u"oidc or oauth2"_s};
    QTest::newRow("http issuer")
        << u"providers:\n  sso:\n    type: oidc\n    client_id: x\n    issuer: http://sso.example.com\n"_s
        << QStringList{u"SSO_CLIENT_SECRET=s"_s}
        << QStringList{u"providers.sso.issuer"_s, u"https"_s};
    QTest::newRow("unknown key") << u"providers:\n  github:\n    client_idd: x\n"_s << noEnv
                                 << QStringList{u"providers.github.client_idd"_s, u"known keys"_s};
    QTest::newRow("unknown preset") << u"providers:\n  x:\n    preset: myspace\n"_s << noEnv
                                    << QStringList{u"providers.x.preset"_s, u"myspace"_s};
    QTest::newRow("steam is its own type")
        << u"providers:\n  steam:\n    type: oauth2\n"_s << noEnv
        << QStringList{u"providers.steam.type"_s, u"oauth2"_s, u"use steam"_s};
    QTest::newRow("steam key in the file")
        << u"providers:\n  steam:\n    web_api_key: k\n"_s << noEnv
        << QStringList{u"providers.steam.web_api_key"_s, u"STEAM_WEB_API_KEY"_s};
    QTest::newRow("redirect rule") << u"clients:\n  - client_id: g\n    redirect: any\n"_s << noEnv
                                   << QStringList{u"clients[0].redirect"_s, u"loopback"_s};
    QTest::newRow("http redirect URI")
        << u"clients:\n  - client_id: g\n    redirect_uris: [http://game.example/cb]\n"_s << noEnv
        << QStringList{u"clients[0]"_s, u"http://game.example/cb"_s, u"https"_s};
    QTest::newRow("no redirect") << u"clients:\n  - client_id: g\n"_s << noEnv
                                 << QStringList{u"clients[0]"_s, u"no redirects"_s};
    QTest::newRow("client twice")
        << u"clients:\n  - {client_id: g, redirect: loopback}\n  - {client_id: g, redirect: loopback}\n"_s
        << noEnv << QStringList{u"clients[1]"_s, u"listed twice"_s};
    QTest::newRow("client unknown key")
        << u"clients:\n  - {client_id: g, redirect: loopback, secret: s}\n"_s << noEnv
        << QStringList{u"clients[0].secret"_s};
    QTest::newRow("public host without PUBLIC_URL")
        << QString() << QStringList{u"SERVER_HOST=0.0.0.0"_s}
        << QStringList{u"PUBLIC_URL"_s, u"required"_s, u"0.0.0.0"_s};
    QTest::newRow("PUBLIC_URL not https")
        << QString()
        << QStringList{u"SERVER_HOST=0.0.0.0"_s, u"PUBLIC_URL=http://accounts.example.com"_s}
        << QStringList{u"PUBLIC_URL"_s, u"https"_s};
    const QString keep = u"providers:\n  github:\n    client_id: x\n    keep_tokens: true\n"_s;
    const QString key = QString::fromLatin1(QByteArray(32, 'k').toBase64());
    QTest::newRow("keep_tokens without keys")
        << keep << QStringList{u"GITHUB_CLIENT_SECRET=s"_s}
        << QStringList{u"providers.github.keep_tokens"_s, u"TOKEN_ENCRYPTION_KEYS"_s};
    QTest::newRow("key without id")
        << keep << QStringList{u"GITHUB_CLIENT_SECRET=s"_s, u"TOKEN_ENCRYPTION_KEYS="_s + key}
        << QStringList{u"TOKEN_ENCRYPTION_KEYS"_s, u"key id"_s};
    QTest::newRow("short key") << keep
                               << QStringList{u"GITHUB_CLIENT_SECRET=s"_s,
                                              u"TOKEN_ENCRYPTION_KEYS=k1:c2hvcnQ="_s}
                               << QStringList{u"TOKEN_ENCRYPTION_KEYS"_s, u"\"k1\""_s,
                                              u"32 bytes"_s};
    QTest::newRow("key not base64")
        << keep << QStringList{u"GITHUB_CLIENT_SECRET=s"_s, u"TOKEN_ENCRYPTION_KEYS=k1:%%%%"_s}
        << QStringList{u"TOKEN_ENCRYPTION_KEYS"_s, u"32 bytes"_s};
    QTest::newRow("key id twice") << keep
                                  << QStringList{u"GITHUB_CLIENT_SECRET=s"_s,
                                                 u"TOKEN_ENCRYPTION_KEYS=k1:%1,k1:%1"_s.arg(key)}
                                  << QStringList{u"TOKEN_ENCRYPTION_KEYS"_s, u"twice"_s};
    QTest::newRow("keys in the file")
        << u"security:\n  token_encryption_keys: k1:abc\n"_s << noEnv
        << QStringList{u"token_encryption_keys"_s, u"TOKEN_ENCRYPTION_KEYS"_s};
    QTest::newRow("GUEST_LOGIN not a bool")
        << QString() << QStringList{u"GUEST_LOGIN=sometimes"_s} << QStringList{u"GUEST_LOGIN"_s};
}

void TestBrokerConfig::refusals()
{
    QFETCH(QString, yaml);
    QFETCH(QStringList, environment);
    QFETCH(QStringList, expected);
    const Result<Config> c = load(yaml, environment);
    QVERIFY2(!c, "loadConfig() accepted a configuration it must refuse");
    QCOMPARE(c.error().code, ErrorCode::InvalidField);
    for (const QString &part : expected)
        QVERIFY2(c.error().message.contains(part),
                 qPrintable(u"\"%1\" not in: %2"_s.arg(part, c.error().message)));
}

QTEST_GUILESS_MAIN(TestBrokerConfig)
#include "tst_brokerconfig.moc"
