// Kept provider tokens (providers.<name>.keep_tokens) over real sockets, on SQLite and
// PostgreSQL, against the GitHub stand-in with expiring, rotating tokens: sealed in the
// database (never plain), GET /api/identities/{provider}/token answering the kept token or a
// refreshed one (the rotated refresh token stored), one upstream refresh for concurrent
// calls, key rotation, a refresh token the provider revoked, and every refusal. The AES-GCM
// box itself is checked byte by byte below too.
#include "app/latchkeyserver.h"
#include "auth/tokenvault.h"
#include "db/database.h"

#include "brokerflow.h"
#include "brokerstandins.h"
#include "pgfixture.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <latchkey/crypto.h>

#include <QJsonArray>
#include <QProcessEnvironment>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
Config::Security::TokenKey key(const char *id, char fill)
{
    return {QString::fromLatin1(id), QByteArray(32, fill)};
}
} // namespace

class TestProviderTokens : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase() { m_server.reset(); }
    void init();

    void sealedBoxes();
    void keptTokenSealedAndAnswered();
    void expiredTokenRefreshedAndRotated();
    void concurrentCallsShareOneRefresh();
    void keyRotation();
    void refreshTokenRevokedUpstream();
    void openIdProviderRefreshedAtItsDiscoveredEndpoint();
    void refusals();

private:
    void restart(std::vector<Config::Security::TokenKey> keys);
    //! Signs in through \a provider's stand-in (octocat on GitHub): the new session's access
    //! token.
    QByteArray signInThrough(const QString &provider);
    TestResponse token(const QByteArray &access, const QByteArray &provider = "github");
    //! identities.credentials of octocat's GitHub identity, read from the database itself.
    QString sealedInDatabase();

    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    BrokerStandIns m_standIns;
    Config m_config;
    std::unique_ptr<LatchkeyServer> m_server;
    quint16 m_port = 0;
};

void TestProviderTokens::initTestCase()
{
    if (QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s) ==
        "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_config = testServerConfig(m_dir, u"latchkey_provider_tokens"_s, m_pg);
    m_config.dev.enabled = true;
    m_config.server.workers = 1; // concurrentCallsShareOneRefresh counts refreshes of one worker
    m_config.upstreams = m_standIns.upstreams();
    m_config.upstreams[0].keepTokens = true; // github; "shaped" keeps nothing, its twin does
    Config::Upstream shapedKept = m_config.upstreams[1];
    shapedKept.name = u"shaped-kept"_s;
    shapedKept.keepTokens = true;
    m_config.upstreams.push_back(shapedKept);
    restart({key("k1", 'a')});
}

void TestProviderTokens::init()
{
    m_standIns.setExpiringTokens(3600);
}

void TestProviderTokens::restart(std::vector<Config::Security::TokenKey> keys)
{
    m_server.reset();
    m_config.security.tokenKeys = std::move(keys);
    m_server = std::make_unique<LatchkeyServer>(m_config);
    const Status started = m_server->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    m_port = m_server->port();
}

QByteArray TestProviderTokens::signInThrough(const QString &provider)
{
    const Pkce pkce = newPkce();
    const QUrl upstream =
        locationOf(getOnce(m_port, authorizePath(pkce, {{u"provider"_s, provider}})));
    // The GitHub stand-in sends the browser back at once; the OpenID one has no pages, so the
    // browser comes back with any code and the ID token carries this flow's nonce.
    m_standIns.setIdTokenClaims(queryValue(upstream, u"nonce"_s), {});
    const QByteArray back =
        provider == "github"_L1
            ? pathAndQuery(locationOf(getOnce(quint16(upstream.port()), pathAndQuery(upstream))))
            : u"/oauth/callback/%1?code=any&state=%2"_s
                  .arg(provider, queryValue(upstream, u"state"_s))
                  .toUtf8();
    const QUrl game = locationOf(getOnce(m_port, back));
    const TestResponse r = redeem(m_port, queryValue(game, u"code"_s), pkce.verifier);
    if (r.status != 200)
        qWarning() << provider << "sign-in:" << r.status << r.body;
    return r.json().value("access_token"_L1).toString().toLatin1();
}

TestResponse TestProviderTokens::token(const QByteArray &access, const QByteArray &provider)
{
    TestClient client(m_port);
    return client.get("/api/identities/" + provider + "/token", access);
}

QString TestProviderTokens::sealedInDatabase()
{
    Result<std::unique_ptr<Database>> db = Database::open(m_config.database, u"tst-read"_s);
    if (!db)
        return u"(database: %1)"_s.arg(db.error().message);
    QSqlQuery q((*db)->connection());
    q.exec(u"SELECT credentials FROM identities WHERE provider = 'github'"_s);
    return q.next() ? q.value(0).toString() : QString();
}

// The box: what it seals opens with the same key and context only, and no byte can change.
void TestProviderTokens::sealedBoxes()
{
    const QByteArray k(32, 'k');
    const QByteArray box = crypto::aes256GcmSeal(k, "refresh-me", "ctx");
    QCOMPARE(box.size(), 10 + crypto::sealOverhead);
    QVERIFY(!box.contains("refresh-me"));
    QCOMPARE(crypto::aes256GcmOpen(k, box, "ctx").value_or("(refused)"), QByteArray("refresh-me"));
    QVERIFY(crypto::aes256GcmSeal(k, "refresh-me", "ctx") != box); // a fresh nonce each time
    QVERIFY(!crypto::aes256GcmOpen(QByteArray(32, 'j'), box, "ctx"));
    QVERIFY(!crypto::aes256GcmOpen(k, box, "other row"));
    for (qsizetype i = 0; i < box.size(); ++i) {
        QByteArray altered = box;
        altered[i] = char(altered[i] ^ 1);
        QVERIFY2(!crypto::aes256GcmOpen(k, altered, "ctx"), qPrintable(u"byte %1"_s.arg(i)));
    }
    QVERIFY(!crypto::aes256GcmOpen(k, box.left(crypto::sealOverhead - 1), "ctx"));
    QCOMPARE(crypto::aes256GcmOpen(k, crypto::aes256GcmSeal(k, {}, {}), {}).value_or("x"),
             QByteArray());

    const TokenVault vault({key("new", 'n'), key("old", 'o')});
    const TokenVault oldVault({key("old", 'o')});
    const QString sealed = vault.seal("secret", "row");
    QVERIFY(sealed.startsWith("new:"_L1));
    QCOMPARE(*vault.open(oldVault.seal("secret", "row"), "row"), QByteArray("secret"));
    QVERIFY(!oldVault.open(sealed, "row")); // "new" is not one of its keys
    QVERIFY(!vault.open(sealed, "another row"));
    QVERIFY(!vault.open(u"new:not base64!"_s, "row"));
}

void TestProviderTokens::keptTokenSealedAndAnswered()
{
    const int refreshes = m_standIns.refreshGrants();
    const QByteArray access = signInThrough(u"github"_s);
    QVERIFY(!access.isEmpty());
    const QString sealed = sealedInDatabase();
    QVERIFY2(sealed.startsWith("k1:"_L1), qPrintable(sealed));
    for (const char *plain : {"gho_", "ghr_", "octocat"})
        QVERIFY2(!sealed.contains(QLatin1StringView(plain)), plain);

    TestClient client(m_port);
    const QJsonArray identities =
        client.get("/api/identities", access).json().value("identities"_L1).toArray();
    QCOMPARE(identities.size(), 1);
    QVERIFY(identities[0]["token_kept"_L1].toBool());

    const TestResponse r = token(access);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
    const QJsonObject body = r.json();
    QCOMPARE(body["provider"_L1].toString(), u"github"_s);
    QVERIFY2(body["access_token"_L1].toString().startsWith("gho_octocat."_L1), r.body);
    QCOMPARE(body["token_type"_L1].toString(), u"Bearer"_s);
    QVERIFY(body["expires_in"_L1].toInt() > 3500 && body["expires_in"_L1].toInt() <= 3600);
    QCOMPARE(m_standIns.refreshGrants(), refreshes); // still fresh: no call upstream
    QVERIFY(!r.body.contains("ghr_"));               // the refresh token never leaves
}

void TestProviderTokens::expiredTokenRefreshedAndRotated()
{
    m_standIns.setExpiringTokens(30); // under the 60 s margin: every call refreshes
    const QByteArray access = signInThrough(u"github"_s);
    const QString signInToken = token(access).json()["access_token"_L1].toString();
    const int refreshes = m_standIns.refreshGrants();
    QVERIFY(refreshes > 0);
    const QString before = sealedInDatabase();
    const TestResponse first = token(access);
    QCOMPARE(first.status, 200);
    QCOMPARE(m_standIns.refreshGrants(), refreshes + 1);
    QVERIFY(first.json()["access_token"_L1].toString() != signInToken);
    QVERIFY(sealedInDatabase() != before);
    // The stand-in refuses a used refresh token: this works only if the rotated one was kept.
    const TestResponse second = token(access);
    QVERIFY2(second.status == 200, second.body);
    QCOMPARE(m_standIns.refreshGrants(), refreshes + 2);
    QCOMPARE(second.json()["expires_in"_L1].toInt(), 30);
}

void TestProviderTokens::concurrentCallsShareOneRefresh()
{
    m_standIns.setExpiringTokens(30);
    const QByteArray access = signInThrough(u"github"_s);
    const int refreshes = m_standIns.refreshGrants();
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(std::make_unique<TestClient>(m_port));
        clients.back()->sendRaw("GET /api/identities/github/token HTTP/1.1\r\nHost: t\r\n"
                                "Authorization: Bearer " +
                                access + "\r\n\r\n");
    }
    QSet<QString> tokens;
    for (const auto &client : clients) {
        const TestResponse r = client->readResponse();
        QVERIFY2(r.status == 200, r.body);
        tokens.insert(r.json()["access_token"_L1].toString());
    }
    // Without sharing, five of the six would present a refresh token already rotated.
    QCOMPARE(m_standIns.refreshGrants(), refreshes + 1);
    QCOMPARE(tokens.size(), 1);
}

void TestProviderTokens::keyRotation()
{
    m_standIns.setExpiringTokens(30); // every call refreshes, which seals the row again
    const QByteArray access = signInThrough(u"github"_s);
    QVERIFY(sealedInDatabase().startsWith("k1:"_L1));
    restart({key("k2", 'b'), key("k1", 'a')});
    QCOMPARE(token(access).status, 200); // k1 still opens it
    QVERIFY2(sealedInDatabase().startsWith("k2:"_L1), "a change seals with the first key");

    restart({key("k2", 'b')}); // k1 retired: nothing needs it any more
    QCOMPARE(token(access).status, 200);
    restart({key("k3", 'c')}); // k2 dropped while rows still use it: an operator's mistake
    const TestResponse lost = token(access);
    QCOMPARE(lost.status, 500);
    QCOMPARE(lost.json()["code"_L1].toString(), u"internal_error"_s);
    QVERIFY(!lost.body.contains("k2")); // the reason is logged, not told
    restart({key("k1", 'a')});
}

void TestProviderTokens::refreshTokenRevokedUpstream()
{
    m_standIns.setExpiringTokens(30);
    const QByteArray access = signInThrough(u"github"_s);
    m_standIns.revokeRefreshTokens();
    const TestResponse refused = token(access);
    QCOMPARE(refused.status, 401);
    QCOMPARE(refused.json()["code"_L1].toString(), u"invalid_provider_token"_s);
    QVERIFY2(refused.json()["message"_L1].toString().contains("sign in with GitHub again"_L1),
             refused.body);
    QVERIFY(sealedInDatabase().isEmpty()); // dropped: nothing dead stays kept
    TestClient client(m_port);
    QCOMPARE(client.get("/api/me", access).status, 200); // Latchkey's own session is fine
    QCOMPARE(token(access).status, 404);
    QVERIFY(!client.get("/api/identities", access)
                 .json()
                 .value("identities"_L1)
                 .toArray()[0]["token_kept"_L1]
                 .toBool());
    QVERIFY(!signInThrough(u"github"_s).isEmpty()); // signing in again keeps tokens again
    QCOMPARE(token(access).status, 200);
}

void TestProviderTokens::openIdProviderRefreshedAtItsDiscoveredEndpoint()
{
    const QByteArray access = signInThrough(u"shaped-kept"_s);
    QVERIFY(!access.isEmpty());
    // "at" has 30 s left, under the margin: the refresh token is traded at the token endpoint
    // discovery named.
    const TestResponse r = token(access, "shaped-kept");
    QVERIFY2(r.status == 200, r.body);
    QCOMPARE(r.json()["access_token"_L1].toString(), u"at-refreshed"_s);
    QCOMPARE(r.json()["expires_in"_L1].toInt(), 3600);
}

void TestProviderTokens::refusals()
{
    const QByteArray octocat = signInThrough(u"github"_s);
    QCOMPARE(token({}).status, 401);
    QCOMPARE(token("not-a-token").status, 401);
    QCOMPARE(token(octocat, "shaped").status, 404); // keeps nothing: no such route
    QCOMPARE(token(octocat, "nowhere").status, 404);
    const SignedIn other = devSignIn(m_port, u"other@example.test"_s);
    QVERIFY(!other.access.isEmpty());
    const TestResponse r = token(other.access);
    QCOMPARE(r.status, 404); // another player's GitHub token is never theirs
    QCOMPARE(r.json()["message"_L1].toString(), u"no GitHub token is kept for this account"_s);
    TestClient client(m_port);
    QCOMPARE(client
                 .request("DELETE", "/api/identities/github", {},
                          {{"Authorization", "Bearer " + octocat}})
                 .status,
             409); // the only identity stays
    QCOMPARE(client
                 .request("POST", "/api/identities/github/token", {},
                          {{"Authorization", "Bearer " + octocat}})
                 .status,
             405);
}

QTEST_MAIN(TestProviderTokens)
#include "tst_provider_tokens.moc"
