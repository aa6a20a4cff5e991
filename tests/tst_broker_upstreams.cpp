// The sign-in broker's upstreams over real sockets, on SQLite and PostgreSQL: an OAuth2
// stand-in that behaves like GitHub, an OpenID stand-in whose ID tokens are shaped to be wrong,
// a provider that hangs, account linking and its refusals, the guest limit, and a flow started
// on one instance and finished on another (PostgreSQL).
#include "app/latchkeyserver.h"

#include "brokerflow.h"
#include "brokerstandins.h"
#include "pgfixture.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

class TestBrokerUpstreams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase() { m_server.reset(); }

    void githubLikeOAuth2();
    void upstreamTimeout();
    void upstreamCodeRefused();
    void shapedIdToken_data();
    void shapedIdToken();
    void apiLoginWithUpstreamIdToken();
    void guestLinksAndBecomesAccount();
    void identityInUseNeverMerged();
    void linkTicketSingleUse();
    void guestRateLimited();
    void flowAcrossInstances();

private:
    //! A fresh database \a database with the stand-ins and the development provider upstream.
    Config configFor(const QString &database);
    static std::unique_ptr<LatchkeyServer> start(const Config &config);
    //! Starts \a provider's flow on \a port: the upstream authorization URL it redirected to.
    QUrl startFlow(quint16 port, const Pkce &pkce, const QString &provider,
                   const QString &linkTicket = {});
    //! The browser back at /oauth/callback/<provider> with \a query: where it goes next.
    QUrl callback(quint16 port, const QString &provider, const QString &query);
    static QJsonObject userOf(const TestResponse &r)
    {
        return r.json().value("user"_L1).toObject();
    }
    static QByteArray accessOf(const TestResponse &r)
    {
        return r.json().value("access_token"_L1).toString().toLatin1();
    }
    QJsonArray identities(const QByteArray &access);
    QString linkTicketFor(const QByteArray &access);

    QString m_driver;
    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    BrokerStandIns m_standIns;
    Config m_config;
    std::unique_ptr<LatchkeyServer> m_server;
    quint16 m_port = 0;
};

Config TestBrokerUpstreams::configFor(const QString &database)
{
    Config config = testServerConfig(m_dir, database, m_pg);
    config.dev.enabled = true;
    config.upstreams = m_standIns.upstreams();
    return config;
}

std::unique_ptr<LatchkeyServer> TestBrokerUpstreams::start(const Config &config)
{
    auto server = std::make_unique<LatchkeyServer>(config);
    if (const Status started = server->start(); !started) {
        qWarning() << "server did not start:" << started.error().message;
        return nullptr;
    }
    return server;
}

void TestBrokerUpstreams::initTestCase()
{
    m_driver =
        QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s, u"sqlite"_s);
    if (m_driver == "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_config = configFor(u"latchkey_upstreams"_s);
    m_server = start(m_config);
    QVERIFY(m_server);
    m_port = m_server->port();
}

QUrl TestBrokerUpstreams::startFlow(quint16 port, const Pkce &pkce, const QString &provider,
                                    const QString &linkTicket)
{
    QList<QPair<QString, QString>> extra{{u"provider"_s, provider}};
    if (!linkTicket.isEmpty())
        extra.append({u"link_ticket"_s, linkTicket});
    return locationOf(getOnce(port, authorizePath(pkce, extra)));
}

QUrl TestBrokerUpstreams::callback(quint16 port, const QString &provider, const QString &query)
{
    return locationOf(getOnce(port, u"/oauth/callback/%1?%2"_s.arg(provider, query).toUtf8()));
}

QJsonArray TestBrokerUpstreams::identities(const QByteArray &access)
{
    TestClient client(m_port);
    const TestResponse r = client.get("/api/identities", access);
    if (r.status != 200)
        qWarning() << "GET /api/identities:" << r.status << r.body;
    return r.json().value("identities"_L1).toArray();
}

QString TestBrokerUpstreams::linkTicketFor(const QByteArray &access)
{
    TestClient client(m_port);
    return client.postJson("/api/identities/link", {}, access)
        .json()
        .value("link_ticket"_L1)
        .toString();
}

void TestBrokerUpstreams::githubLikeOAuth2()
{
    const Pkce pkce = newPkce();
    const QUrl upstream = startFlow(m_port, pkce, u"github"_s);
    // Latchkey's own state, PKCE and redirect, never the game's.
    QCOMPARE(upstream.port(), int(m_standIns.github().port()));
    QCOMPARE(queryValue(upstream, u"client_id"_s), u"gh-client"_s);
    QCOMPARE(queryValue(upstream, u"code_challenge_method"_s), u"S256"_s);
    QCOMPARE(queryValue(upstream, u"redirect_uri"_s),
             u"http://127.0.0.1:%1/oauth/callback/github"_s.arg(m_port));
    QVERIFY(queryValue(upstream, u"state"_s) != "game-state"_L1);
    QVERIFY(queryValue(upstream, u"code_challenge"_s) != pkce.challenge);

    const int wellFormed = m_standIns.wellFormedTokenRequests();
    const TestResponse atGithub = getOnce(quint16(upstream.port()), pathAndQuery(upstream));
    const QUrl back = locationOf(atGithub);
    const QUrl game = locationOf(getOnce(m_port, pathAndQuery(back)));
    QCOMPARE(queryValue(game, u"state"_s), u"game-state"_s);
    const TestResponse r = redeem(m_port, queryValue(game, u"code"_s), pkce.verifier);
    QCOMPARE(r.status, 200);
    QCOMPARE(m_standIns.wellFormedTokenRequests(), wellFormed + 1);
    const QJsonObject user = userOf(r);
    QCOMPARE(user.value("email"_L1).toString(), u"octocat@users.example"_s); // verified primary
    QCOMPARE(user.value("name"_L1).toString(), u"octocat"_s);
    const QJsonArray linked = identities(accessOf(r));
    QCOMPARE(linked.size(), 1);
    QCOMPARE(linked[0]["provider"_L1].toString(), u"github"_s);
    QCOMPARE(linked[0]["subject"_L1].toString(), u"1007"_s);
}

void TestBrokerUpstreams::upstreamTimeout()
{
    const QUrl upstream = startFlow(m_port, newPkce(), u"github"_s);
    QElapsedTimer timer;
    timer.start();
    const QUrl game =
        callback(m_port, u"github"_s, u"code=hang&state="_s + queryValue(upstream, u"state"_s));
    QVERIFY(timer.elapsed() >= 900);
    QCOMPARE(queryValue(game, u"error"_s), u"temporarily_unavailable"_s);
    QCOMPARE(queryValue(game, u"state"_s), u"game-state"_s);
}

void TestBrokerUpstreams::upstreamCodeRefused()
{
    const QUrl upstream = startFlow(m_port, newPkce(), u"github"_s);
    const QUrl game =
        callback(m_port, u"github"_s, u"code=forged&state="_s + queryValue(upstream, u"state"_s));
    QCOMPARE(queryValue(game, u"error"_s), u"access_denied"_s);
    QVERIFY(queryValue(game, u"error_description"_s).contains("bad_verification_code"_L1));
}

void TestBrokerUpstreams::shapedIdToken_data()
{
    QTest::addColumn<QJsonObject>("overrides");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("good") << QJsonObject{} << true;
    QTest::newRow("wrong nonce") << QJsonObject{{u"nonce"_s, u"another-flow"_s}} << false;
    QTest::newRow("wrong aud") << QJsonObject{{u"aud"_s, u"someone-else"_s}} << false;
    QTest::newRow("wrong iss") << QJsonObject{{u"iss"_s, u"https://evil.example"_s}} << false;
}

// The upstream's ID token must be for this client, from this issuer, for this very flow.
void TestBrokerUpstreams::shapedIdToken()
{
    QFETCH(QJsonObject, overrides);
    QFETCH(bool, accepted);
    const Pkce pkce = newPkce();
    const QUrl upstream = startFlow(m_port, pkce, u"shaped"_s);
    QVERIFY2(upstream.path().endsWith("/oidc/authorize"_L1), qPrintable(upstream.toString()));
    const QString nonce = queryValue(upstream, u"nonce"_s);
    QVERIFY(!nonce.isEmpty());
    m_standIns.setIdTokenClaims(nonce, overrides);
    const QUrl game =
        callback(m_port, u"shaped"_s, u"code=any&state="_s + queryValue(upstream, u"state"_s));
    if (accepted) {
        const TestResponse r = redeem(m_port, queryValue(game, u"code"_s), pkce.verifier);
        QCOMPARE(r.status, 200);
        QCOMPARE(userOf(r).value("email"_L1).toString(), u"shaped@example.test"_s);
    } else {
        QCOMPARE(queryValue(game, u"error"_s), u"access_denied"_s);
        QVERIFY(queryValue(game, u"code"_s).isEmpty());
    }
}

// The seed's /api/login with an ID token the game got from an upstream itself.
void TestBrokerUpstreams::apiLoginWithUpstreamIdToken()
{
    const auto login = [this](const QJsonObject &body) {
        return postJsonOnce(m_port, "/api/login", body);
    };
    m_standIns.setIdTokenClaims(
        {}, {{u"sub"_s, u"direct-subject"_s}, {u"email"_s, u"direct@example.test"_s}});
    const TestResponse r =
        login({{u"provider"_s, u"shaped"_s}, {u"id_token"_s, m_standIns.signIdToken()}});
    QCOMPARE(r.status, 200);
    QCOMPARE(userOf(r).value("email"_L1).toString(), u"direct@example.test"_s);

    m_standIns.setIdTokenClaims({}, {{u"aud"_s, u"another-app"_s}});
    const TestResponse otherApp =
        login({{u"provider"_s, u"shaped"_s}, {u"id_token"_s, m_standIns.signIdToken()}});
    QCOMPARE(otherApp.status, 401);
    QCOMPARE(otherApp.json().value("code"_L1).toString(), u"invalid_provider_token"_s);

    const TestResponse noIdTokens =
        login({{u"provider"_s, u"github"_s}, {u"id_token"_s, u"x.y.z"_s}});
    QCOMPARE(noIdTokens.status, 401);
    QVERIFY(noIdTokens.json().value("message"_L1).toString().contains("/oauth/authorize"_L1));
    const TestResponse accessToken =
        login({{u"provider"_s, u"shaped"_s}, {u"access_token"_s, u"at"_s}});
    QCOMPARE(accessToken.status, 400);
    QCOMPARE(accessToken.json().value("code"_L1).toString(), u"missing_field"_s);
    const TestResponse unknown = login({{u"provider"_s, u"myspace"_s}, {u"id_token"_s, u"x"_s}});
    QCOMPARE(unknown.status, 400);
    QVERIFY2(unknown.json().value("message"_L1).toString().contains("\"shaped\""_L1),
             unknown.body.constData());
}

void TestBrokerUpstreams::guestLinksAndBecomesAccount()
{
    const TestResponse guest = postJsonOnce(m_port, "/api/login/guest", {});
    QCOMPARE(guest.status, 200);
    const qint64 id = userOf(guest).value("id"_L1).toInteger();
    TestClient api(m_port);
    const TestResponse ticket = api.postJson("/api/identities/link", {}, accessOf(guest));
    QCOMPARE(ticket.status, 200);
    QCOMPARE(ticket.json().value("expires_in"_L1).toInt(), 300);
    const Pkce pkce = newPkce();
    const Walk w = walk(
        m_port,
        authorizePath(pkce, {{u"provider"_s, u"dev"_s},
                             {u"link_ticket"_s, ticket.json().value("link_ticket"_L1).toString()}}),
        u"linked.guest@example.test"_s);
    const TestResponse linked = redeem(m_port, codeOf(w), pkce.verifier);
    QCOMPARE(linked.status, 200);
    QCOMPARE(userOf(linked).value("id"_L1).toInteger(), id);
    QCOMPARE(userOf(linked).value("is_guest"_L1).toBool(true), false);

    QJsonArray list = identities(accessOf(linked));
    QCOMPARE(list.size(), 2);
    QStringList providers{list[0]["provider"_L1].toString(), list[1]["provider"_L1].toString()};
    providers.sort();
    QCOMPARE(providers, (QStringList{u"dev"_s, u"guest"_s}));
    QVERIFY(!list[0]["created_at"_L1].toString().isEmpty());

    QCOMPARE(api.request("DELETE", "/api/identities/guest", {},
                         {{"Authorization", "Bearer " + accessOf(linked)}})
                 .status,
             200);
    const TestResponse last = api.request("DELETE", "/api/identities/dev", {},
                                          {{"Authorization", "Bearer " + accessOf(linked)}});
    QCOMPARE(last.status, 409);
    QCOMPARE(last.json().value("code"_L1).toString(), u"last_identity"_s);
    QCOMPARE(identities(accessOf(linked)).size(), 1);
    QCOMPARE(api.request("DELETE", "/api/identities/myspace", {},
                         {{"Authorization", "Bearer " + accessOf(linked)}})
                 .status,
             404);
}

void TestBrokerUpstreams::identityInUseNeverMerged()
{
    const Pkce first = newPkce();
    QCOMPARE(redeem(m_port,
                    codeOf(walk(m_port, authorizePath(first, {{u"provider"_s, u"dev"_s}}),
                                u"owned@example.test"_s)),
                    first.verifier)
                 .status,
             200);
    const TestResponse guest = postJsonOnce(m_port, "/api/login/guest", {});
    const QString ticket = linkTicketFor(accessOf(guest));
    const Walk w = walk(
        m_port, authorizePath(newPkce(), {{u"provider"_s, u"dev"_s}, {u"link_ticket"_s, ticket}}),
        u"owned@example.test"_s);
    QCOMPARE(queryValue(w.game, u"error"_s), u"identity_in_use"_s);
    QCOMPARE(queryValue(w.game, u"state"_s), u"game-state"_s);
    QCOMPARE(identities(accessOf(guest)).size(), 1); // still only its guest identity
}

void TestBrokerUpstreams::linkTicketSingleUse()
{
    const TestResponse guest = postJsonOnce(m_port, "/api/login/guest", {});
    const QString ticket = linkTicketFor(accessOf(guest));
    QVERIFY(!ticket.isEmpty());
    QCOMPARE(startFlow(m_port, newPkce(), u"github"_s, ticket).port(),
             int(m_standIns.github().port()));
    const QUrl again = startFlow(m_port, newPkce(), u"github"_s, ticket);
    QCOMPARE(queryValue(again, u"error"_s), u"invalid_request"_s);
    QVERIFY(queryValue(again, u"error_description"_s).contains("link ticket"_L1));
    QCOMPARE(postJsonOnce(m_port, "/api/identities/link", {}).status, 401);
}

void TestBrokerUpstreams::guestRateLimited()
{
    Config config = configFor(u"latchkey_guest_limit"_s);
    config.guest.perAddressPerMinute = 2;
    const auto server = start(config);
    QVERIFY(server);
    QCOMPARE(postJsonOnce(server->port(), "/api/login/guest", {}).status, 200);
    QCOMPARE(postJsonOnce(server->port(), "/api/login/guest", {}).status, 200);
    const TestResponse third = postJsonOnce(server->port(), "/api/login/guest", {});
    QCOMPARE(third.status, 429);
    QVERIFY(!third.header("retry-after").isEmpty());
    // The chooser's guest is the same limit, refused back to the game.
    const QUrl game = locationOf(
        getOnce(server->port(), authorizePath(newPkce(), {{u"provider"_s, u"guest"_s}})));
    QCOMPARE(queryValue(game, u"error"_s), u"temporarily_unavailable"_s);
}

// Pending state lives in the database: instance B finishes what instance A started.
void TestBrokerUpstreams::flowAcrossInstances()
{
    if (!m_pg)
        QSKIP("two instances share a PostgreSQL database (LATCHKEY_TEST_DRIVER=postgres)");
    Config config = m_config;                                             // the same database
    config.server.publicUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(m_port)); // one public address
    config.server.logDir += u"-b"_s;
    const auto second = start(config);
    QVERIFY(second);
    const Pkce pkce = newPkce();
    const QUrl upstream = startFlow(m_port, pkce, u"github"_s);
    const QUrl back = locationOf(getOnce(quint16(upstream.port()), pathAndQuery(upstream)));
    QCOMPARE(back.port(), int(m_port)); // the public address: A's
    const QUrl game = locationOf(getOnce(second->port(), pathAndQuery(back)));
    const QString code = queryValue(game, u"code"_s);
    QVERIFY2(!code.isEmpty(), qPrintable(game.toString()));
    // The state was used up on B: A refuses it.
    QCOMPARE(getOnce(m_port, pathAndQuery(back)).status, 400);
    const TestResponse r = redeem(m_port, code, pkce.verifier);
    QCOMPARE(r.status, 200);
    QCOMPARE(userOf(r).value("name"_L1).toString().left(8), u"octocat"_s.left(8));
    QCOMPARE(redeem(second->port(), code, pkce.verifier).json().value("error"_L1).toString(),
             u"invalid_grant"_s);
}

QTEST_GUILESS_MAIN(TestBrokerUpstreams)
#include "tst_broker_upstreams.moc"
