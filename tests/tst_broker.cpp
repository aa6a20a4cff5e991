// The sign-in broker as an OAuth 2.1 authorization server, over real sockets on SQLite and
// PostgreSQL, with the development provider as the upstream: metadata, every refusal of
// /oauth/authorize (page or redirect), the chooser, codes (PKCE, binding, expiry, reuse),
// refresh and revocation, guests, and the pages' escaping and CSP.
#include "app/latchkeyserver.h"

#include "brokerflow.h"
#include "pgfixture.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

class TestBroker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { m_offsetMs = 0; }
    void cleanupTestCase() { m_server.reset(); }

    void metadata();
    void refusedAsPage_data();
    void refusedAsPage();
    void refusedToGame_data();
    void refusedToGame();
    void chooserListsProviders();
    void devFlowSignsIn();
    void upstreamCancelReachesGame();
    void unknownStateIsPage();
    void codeMismatchRefused_data();
    void codeMismatchRefused();
    void expiredCodeRefused();
    void codeReuseRevokesSession();
    void usedCodesKeptThenPruned();
    void refreshAndRevoke();
    void tokenRequestErrors_data();
    void tokenRequestErrors();
    void guestFromChooser();
    void guestApi();

private:
    //! A code through the chooser's development provider for \a email.
    QString devCode(const Pkce &pkce, const QString &email = u"dev@example.test"_s)
    {
        return codeOf(walk(m_port, authorizePath(pkce, {{u"provider"_s, u"dev"_s}}), email));
    }
    //! POST /oauth/token grant_type=refresh_token.
    TestResponse refreshWith(const QString &refreshToken)
    {
        QUrlQuery form;
        form.addQueryItem(u"grant_type"_s, u"refresh_token"_s);
        form.addQueryItem(u"refresh_token"_s, refreshToken);
        return postForm(m_port, "/oauth/token", form);
    }
    static void checkPage(const TestResponse &r, int status);
    static void checkRefusal(const TestResponse &r, int status, const char *error);
    //! Whether logs/login.log has a line of \a event (text or JSON format).
    bool logged(const QString &event) const;

    QString m_driver;
    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    Config m_config;
    std::atomic<qint64> m_offsetMs{0};
    std::unique_ptr<LatchkeyServer> m_server;
    quint16 m_port = 0;
};

void TestBroker::initTestCase()
{
    m_driver =
        QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s, u"sqlite"_s);
    if (m_driver == "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_config = testServerConfig(m_dir, u"latchkey_broker"_s, m_pg);
    m_config.dev.enabled = true;
    m_config.guest.perAddressPerMinute = 1000;
    m_config.clients.push_back({u"web-game"_s,
                                u"Web <script>alert(1)</script> Game"_s,
                                false,
                                {u"https://game.example/callback"_s}});
    m_server = std::make_unique<LatchkeyServer>(
        m_config, [this] { return QDateTime::currentMSecsSinceEpoch() + m_offsetMs.load(); });
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    m_port = m_server->port();
}

void TestBroker::checkPage(const TestResponse &r, int status)
{
    QCOMPARE(r.status, status);
    QVERIFY(r.header("location").isEmpty());
    QVERIFY(r.header("content-type").startsWith("text/html"));
    const QByteArray csp = r.header("content-security-policy");
    QVERIFY2(csp.contains("default-src 'none'"), csp.constData());
    QVERIFY2(csp.contains("frame-ancestors 'none'"), csp.constData());
    QVERIFY2(!r.body.contains("<script"), r.body.constData());
}

void TestBroker::checkRefusal(const TestResponse &r, int status, const char *error)
{
    QCOMPARE(r.status, status);
    const QJsonObject body = r.json();
    QCOMPARE(body.value("error"_L1).toString(), QString::fromLatin1(error));
    QVERIFY(!body.value("error_description"_L1).toString().isEmpty());
    QCOMPARE(body.value("status"_L1).toString(), u"error"_s);
    QCOMPARE(body.value("code"_L1).toString(), QString::fromLatin1(error));
    QCOMPARE(body.value("message"_L1), body.value("error_description"_L1));
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
}

bool TestBroker::logged(const QString &event) const
{
    QFile file(m_config.server.logDir + u"/login.log"_s);
    const QString log =
        file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    return log.contains(u' ' + event + u" ip="_s) || log.contains(u"\"event\":\""_s + event + u'"');
}

void TestBroker::metadata()
{
    const TestResponse r = getOnce(m_port, "/.well-known/oauth-authorization-server");
    QCOMPARE(r.status, 200);
    const QJsonObject m = r.json();
    const QString base = u"http://127.0.0.1:%1"_s.arg(m_port);
    QCOMPARE(m.value("issuer"_L1).toString(), base);
    QCOMPARE(m.value("authorization_endpoint"_L1).toString(), base + "/oauth/authorize"_L1);
    QCOMPARE(m.value("token_endpoint"_L1).toString(), base + "/oauth/token"_L1);
    QCOMPARE(m.value("revocation_endpoint"_L1).toString(), base + "/oauth/revoke"_L1);
    QCOMPARE(m.value("code_challenge_methods_supported"_L1).toArray(), QJsonArray{u"S256"_s});
    QCOMPARE(m.value("grant_types_supported"_L1).toArray(),
             (QJsonArray{u"authorization_code"_s, u"refresh_token"_s,
                         u"urn:ietf:params:oauth:grant-type:device_code"_s}));
}

void TestBroker::refusedAsPage_data()
{
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<QString>("redirectUri");
    QTest::addColumn<QString>("shown");
    QTest::newRow("unknown client") << u"no-such-game"_s << gameRedirect << u"no-such-game"_s;
    QTest::newRow("missing client") << QString() << gameRedirect << u"client_id is missing"_s;
    QTest::newRow("script in client_id")
        << u"<script>alert(1)</script>"_s << gameRedirect << u"&lt;script&gt;alert(1)"_s;
    QTest::newRow("not loopback") << u"latchkey-demo"_s << u"http://evil.example:5555/callback"_s
                                  << u"evil.example"_s;
    QTest::newRow("localhost") << u"latchkey-demo"_s << u"http://localhost:5555/callback"_s
                               << u"localhost"_s;
    QTest::newRow("https-less") << u"web-game"_s << u"http://game.example/callback"_s
                                << u"http://game.example/callback"_s;
    QTest::newRow("not the exact URI")
        << u"web-game"_s << u"https://game.example/callback/more"_s << u"callback/more"_s;
    QTest::newRow("script in redirect_uri")
        << u"latchkey-demo"_s << u"http://127.0.0.1:5555/<script>"_s << u"&lt;script&gt;"_s;
}

// RFC 6749 §4.1.2.1: no redirect to an unchecked client or redirect URI, an error page.
void TestBroker::refusedAsPage()
{
    QFETCH(QString, clientId);
    QFETCH(QString, redirectUri);
    QFETCH(QString, shown);
    const TestResponse r =
        getOnce(m_port, authorizePath(newPkce(), {{u"redirect_uri"_s, redirectUri}}, clientId));
    checkPage(r, 400);
    QVERIFY2(QString::fromUtf8(r.body).contains(shown), r.body.constData());
}

void TestBroker::refusedToGame_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("error");
    QTest::newRow("no challenge") << u"code_challenge"_s << QString() << u"invalid_request"_s;
    QTest::newRow("plain PKCE") << u"code_challenge_method"_s << u"plain"_s << u"invalid_request"_s;
    QTest::newRow("token response")
        << u"response_type"_s << u"token"_s << u"unsupported_response_type"_s;
    QTest::newRow("unknown provider") << u"provider"_s << u"myspace"_s << u"invalid_request"_s;
}

// With the client and redirect checked, a refusal goes back to the game with its state.
void TestBroker::refusedToGame()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QFETCH(QString, error);
    const TestResponse r = getOnce(m_port, authorizePath(newPkce(), {{name, value}}));
    const QUrl back = locationOf(r);
    QCOMPARE(back.toString(QUrl::RemoveQuery), gameRedirect);
    QCOMPARE(queryValue(back, u"error"_s), error);
    QVERIFY(!queryValue(back, u"error_description"_s).isEmpty());
    QCOMPARE(queryValue(back, u"state"_s), u"game-state"_s);
}

void TestBroker::chooserListsProviders()
{
    const TestResponse r = getOnce(m_port, authorizePath(newPkce()));
    checkPage(r, 200);
    const QString page = QString::fromUtf8(r.body);
    QVERIFY(page.contains("Development sign-in"_L1));
    QVERIFY(page.contains("provider=dev"_L1));
    QVERIFY(page.contains("Play as guest"_L1));
    QVERIFY(page.contains("Latchkey demo"_L1));

    // No guest while linking; the client's name escaped.
    const TestResponse linking =
        getOnce(m_port, authorizePath(newPkce(),
                                      {{u"link_ticket"_s, u"t"_s},
                                       {u"redirect_uri"_s, u"https://game.example/callback"_s}},
                                      u"web-game"_s));
    checkPage(linking, 200);
    QVERIFY(!linking.body.contains("Play as guest"));
    QVERIFY(linking.body.contains("Web &lt;script&gt;alert(1)&lt;/script&gt; Game"));
}

void TestBroker::devFlowSignsIn()
{
    const Pkce pkce = newPkce();
    const Walk w = walk(m_port, authorizePath(pkce, {{u"provider"_s, u"dev"_s}}),
                        u"flow.player@example.test"_s);
    QCOMPARE(queryValue(w.game, u"state"_s), u"game-state"_s);
    const TestResponse r = redeem(m_port, codeOf(w), pkce.verifier);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
    const QJsonObject user = r.json().value("user"_L1).toObject();
    QCOMPARE(user.value("email"_L1).toString(), u"flow.player@example.test"_s);
    QCOMPARE(user.value("is_guest"_L1).toBool(true), false);
    QCOMPARE(user.value("role"_L1).toString(), u"player"_s);
    QVERIFY(!r.json().value("refresh_token"_L1).toString().isEmpty());
    const QByteArray access = r.json().value("access_token"_L1).toString().toLatin1();
    TestClient me(m_port);
    QCOMPARE(me.get("/api/me", access).status, 200);
    for (const QString &event : {u"authorize"_s, u"callback_ok"_s, u"code_redeemed"_s})
        QVERIFY2(logged(event), qPrintable(event));
}

void TestBroker::upstreamCancelReachesGame()
{
    const Walk w = walk(m_port, authorizePath(newPkce(), {{u"provider"_s, u"dev"_s}}), u"cancel"_s);
    QCOMPARE(queryValue(w.game, u"error"_s), u"access_denied"_s);
    QVERIFY(queryValue(w.game, u"error_description"_s).contains("access_denied"_L1));
    QCOMPARE(queryValue(w.game, u"state"_s), u"game-state"_s);
    QVERIFY(logged(u"callback_failed"_s));
}

void TestBroker::unknownStateIsPage()
{
    checkPage(getOnce(m_port, "/oauth/callback/dev?code=abc&state=never-issued"), 400);
    checkPage(getOnce(m_port, "/oauth/callback/dev?code=abc"), 400);
    // A flow is finished once: its state replayed is refused too.
    const Pkce pkce = newPkce();
    const TestResponse start = getOnce(m_port, authorizePath(pkce, {{u"provider"_s, u"dev"_s}}));
    const QString state = queryValue(locationOf(start), u"state"_s);
    QVERIFY(!state.isEmpty() && state != "game-state"_L1);
    const QByteArray callback =
        "/oauth/callback/dev?error=access_denied&state=" + QUrl::toPercentEncoding(state);
    QCOMPARE(getOnce(m_port, callback).status, 302);
    checkPage(getOnce(m_port, callback), 400);
}

void TestBroker::codeMismatchRefused_data()
{
    QTest::addColumn<QString>("verifier");
    QTest::addColumn<QString>("redirectUri");
    QTest::addColumn<QString>("clientId");
    const QString right = u"(right)"_s;
    QTest::newRow("wrong verifier") << newPkce().verifier << gameRedirect << u"latchkey-demo"_s;
    QTest::newRow("redirect_uri mismatch")
        << right << u"http://127.0.0.1:5556/callback"_s << u"latchkey-demo"_s;
    QTest::newRow("client mismatch") << right << gameRedirect << u"web-game"_s;
}

void TestBroker::codeMismatchRefused()
{
    QFETCH(QString, verifier);
    QFETCH(QString, redirectUri);
    QFETCH(QString, clientId);
    const Pkce pkce = newPkce();
    const QString code = devCode(pkce);
    QVERIFY(!code.isEmpty());
    if (verifier == "(right)"_L1)
        verifier = pkce.verifier;
    checkRefusal(redeem(m_port, code, verifier, redirectUri, clientId), 400, "invalid_grant");
    // A refused redemption uses the code up.
    checkRefusal(redeem(m_port, code, pkce.verifier), 400, "invalid_grant");
}

void TestBroker::expiredCodeRefused()
{
    const Pkce pkce = newPkce();
    const QString code = devCode(pkce);
    m_offsetMs = 61 * 1000;
    checkRefusal(redeem(m_port, code, pkce.verifier), 400, "invalid_grant");
}

// RFC 6749 §4.1.2: a code used twice revokes what its first use issued.
void TestBroker::codeReuseRevokesSession()
{
    const Pkce pkce = newPkce();
    const QString code = devCode(pkce, u"reuse@example.test"_s);
    const TestResponse first = redeem(m_port, code, pkce.verifier);
    QCOMPARE(first.status, 200);
    checkRefusal(redeem(m_port, code, pkce.verifier), 400, "invalid_grant");
    TestClient me(m_port);
    QCOMPARE(me.get("/api/me", first.json().value("access_token"_L1).toString().toLatin1()).status,
             401);
    checkRefusal(refreshWith(first.json().value("refresh_token"_L1).toString()), 400,
                 "invalid_grant");
}

// A used code is remembered for Broker::pendingRetentionSecs past its expiry (a replay then
// still ends its session); later the row is deleted, so a replay is merely refused.
void TestBroker::usedCodesKeptThenPruned()
{
    const auto signIn = [this](const QString &email) {
        const Pkce pkce = newPkce();
        const QString code = devCode(pkce, email);
        const TestResponse r = redeem(m_port, code, pkce.verifier);
        return QPair<QString, QString>{code, r.json().value("refresh_token"_L1).toString()};
    };
    const auto [keptCode, keptRefresh] = signIn(u"kept@example.test"_s);
    const auto [prunedCode, prunedRefresh] = signIn(u"pruned@example.test"_s);
    QVERIFY(!keptRefresh.isEmpty() && !prunedRefresh.isEmpty());
    const Pkce any = newPkce();

    m_offsetMs = 30 * 60 * 1000; // expired, within the retention
    QCOMPARE(getOnce(m_port, authorizePath(any, {{u"provider"_s, u"dev"_s}})).status, 302);
    checkRefusal(redeem(m_port, keptCode, any.verifier), 400, "invalid_grant");
    checkRefusal(refreshWith(keptRefresh), 400, "invalid_grant"); // its session ended

    m_offsetMs = 2 * 3600 * 1000; // past it: the next flow's start deletes the row
    QCOMPARE(getOnce(m_port, authorizePath(any, {{u"provider"_s, u"dev"_s}})).status, 302);
    QCOMPARE(getOnce(m_port, authorizePath(any, {{u"provider"_s, u"dev"_s}})).status, 302);
    checkRefusal(redeem(m_port, prunedCode, any.verifier), 400, "invalid_grant");
    QCOMPARE(refreshWith(prunedRefresh).status, 200); // no row left to tie it to the session
}

void TestBroker::refreshAndRevoke()
{
    const Pkce pkce = newPkce();
    const TestResponse signedIn = redeem(m_port, devCode(pkce), pkce.verifier);
    QCOMPARE(signedIn.status, 200);
    const TestResponse refreshed =
        refreshWith(signedIn.json().value("refresh_token"_L1).toString());
    QCOMPARE(refreshed.status, 200);
    const QString current = refreshed.json().value("refresh_token"_L1).toString();
    QVERIFY(!current.isEmpty());

    QUrlQuery revoke;
    revoke.addQueryItem(u"token"_s, current);
    QCOMPARE(postForm(m_port, "/oauth/revoke", revoke).status, 200);
    checkRefusal(refreshWith(current), 400, "invalid_grant");
    // RFC 7009 §2.2: an unknown token is no error.
    revoke.clear();
    revoke.addQueryItem(u"token"_s, u"never-issued"_s);
    QCOMPARE(postForm(m_port, "/oauth/revoke", revoke).status, 200);
    checkRefusal(postForm(m_port, "/oauth/revoke", {}), 400, "invalid_request");
}

void TestBroker::tokenRequestErrors_data()
{
    QTest::addColumn<QString>("form");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::newRow("no grant_type") << u"code=x"_s << 400 << u"invalid_request"_s;
    QTest::newRow("password grant")
        << u"grant_type=password"_s << 400 << u"unsupported_grant_type"_s;
    QTest::newRow("unknown client")
        << u"grant_type=authorization_code&client_id=nope&code=x&redirect_uri=x&code_verifier=x"_s
        << 401 << u"invalid_client"_s;
    QTest::newRow("no verifier")
        << u"grant_type=authorization_code&client_id=latchkey-demo&code=x&redirect_uri=x"_s << 400
        << u"invalid_request"_s;
    QTest::newRow("unknown code") << u"grant_type=authorization_code&client_id=latchkey-demo&"
                                     "code=x&redirect_uri=x&code_verifier=x"_s
                                  << 400 << u"invalid_grant"_s;
    QTest::newRow("no refresh_token")
        << u"grant_type=refresh_token"_s << 400 << u"invalid_request"_s;
    QTest::newRow("repeated parameter")
        << u"grant_type=refresh_token&grant_type=refresh_token"_s << 400 << u"invalid_request"_s;
}

void TestBroker::tokenRequestErrors()
{
    QFETCH(QString, form);
    QFETCH(int, status);
    QFETCH(QString, error);
    checkRefusal(postForm(m_port, "/oauth/token", QUrlQuery(form)), status, qPrintable(error));
}

void TestBroker::guestFromChooser()
{
    const Pkce pkce = newPkce();
    const Walk w = walk(m_port, authorizePath(pkce, {{u"provider"_s, u"guest"_s}}));
    const TestResponse r = redeem(m_port, codeOf(w), pkce.verifier);
    QCOMPARE(r.status, 200);
    const QJsonObject user = r.json().value("user"_L1).toObject();
    QCOMPARE(user.value("is_guest"_L1).toBool(), true);
    QVERIFY2(user.value("name"_L1).toString().startsWith("guest-"_L1),
             qPrintable(user.value("name"_L1).toString()));
}

void TestBroker::guestApi()
{
    const TestResponse first = postJsonOnce(m_port, "/api/login/guest", {});
    const TestResponse second = postJsonOnce(m_port, "/api/login/guest", {});
    QCOMPARE(first.status, 200);
    QCOMPARE(second.status, 200);
    const QJsonObject a = first.json().value("user"_L1).toObject();
    const QJsonObject b = second.json().value("user"_L1).toObject();
    QCOMPARE(a.value("is_guest"_L1).toBool(), true);
    QVERIFY(a.value("id"_L1).toInteger() != b.value("id"_L1).toInteger());
    QVERIFY(a.value("name"_L1).toString() != b.value("name"_L1).toString());
    QVERIFY(logged(u"guest_created"_s));
}

QTEST_GUILESS_MAIN(TestBroker)
#include "tst_broker.moc"
