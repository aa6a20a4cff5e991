// Two instances behind nginx, sharing one PostgreSQL and nothing else: Debian's nginx started
// by the test on loopback, round robin, no stickiness, X-Forwarded-For appended. A session
// made through one instance is used through the other, concurrent refreshes of one token on
// both yield one successor, a logout on one is refused on the other at once, and the
// failed-sign-in limit adds up over both and sees the client's address behind nginx.
#include "app/latchkeyserver.h"

#include "pgfixture.h"
#include "standinserver.h"
#include "testclient.h"
#include "testserverconfig.h"
#include "wsclient.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include <memory>
#include <vector>

using namespace latchkey;
using namespace latchkey::test;

namespace {

constexpr int failureLimit = 30;

QByteArray rawPost(const QByteArray &path, const QJsonObject &body,
                   const QByteArray &extraHeaders = {})
{
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           extraHeaders + "Content-Length: " + QByteArray::number(json.size()) + "\r\n\r\n" + json;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

class TestScaleOut : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sessionWorksOnBoth();
    void concurrentRefreshesOnBothOneSuccessor();
    void logoutOnOneRefusedOnOther();
    void eventSocketsThroughTheBalancer();
    void failureLimitSharedAndSeesForwardedClient();

private:
    bool startNginx();
    TestResponse login(quint16 port, const QByteArray &token, const QByteArray &headers = {});
    static QByteArray accessOf(const TestResponse &r)
    {
        return r.json().value(QLatin1StringView("access_token")).toString().toLatin1();
    }
    static QString refreshOf(const TestResponse &r)
    {
        return r.json().value(QLatin1StringView("refresh_token")).toString();
    }

    QTemporaryDir m_dir;
    StandInServer m_provider;
    std::unique_ptr<LatchkeyServer> m_a;
    std::unique_ptr<LatchkeyServer> m_b;
    QProcess m_nginx;
    quint16 m_lb = 0; //!< nginx
};

void TestScaleOut::initTestCase()
{
    const std::optional<PgServer> pg = pgServer();
    QVERIFY2(pg, "run through CTest: the postgres fixture starts the shared database");
    // Tokens "user-<x>" are players; anything else is refused, as a guess would be.
    m_provider.route("/tokeninfo", [](const StandInRequest &request) {
        const QByteArray token = request.param("access_token"); // as Google documents it
        if (!token.startsWith("user-"))
            return StandInReply{400, "{\"error\":\"invalid_token\"}", {}, 0, false, {}};
        const QJsonObject info{{QStringLiteral("aud"), QStringLiteral("client-a")},
                               {QStringLiteral("sub"), QString::fromLatin1(token)},
                               {QStringLiteral("email"), QString::fromLatin1(token + "@x.test")},
                               {QStringLiteral("email_verified"), QStringLiteral("true")},
                               {QStringLiteral("exp"), QStringLiteral("4102444800")}};
        return StandInReply{200, QJsonDocument(info).toJson(), {}, 0, false, {}};
    });

    Config a = testServerConfig(m_dir, QStringLiteral("scaleout"), pg);
    a.google.clientIds = {QStringLiteral("client-a")};
    a.google.tokenInfoUrl = m_provider.url(QStringLiteral("/tokeninfo"));
    a.security.failedAuthPerMinute = failureLimit;
    // nginx connects from 127.0.0.2 (proxy_bind), the test's own clients from 127.0.0.1: only
    // the proxy's X-Forwarded-For is believed.
    a.server.trustedProxies = {QStringLiteral("127.0.0.2")};
    Config b = a; // the same database: nothing else is shared
    b.server.logDir = m_dir.filePath(QStringLiteral("b-logs"));
    b.server.dataDir = m_dir.filePath(QStringLiteral("b-data"));
    m_a = std::make_unique<LatchkeyServer>(a);
    m_b = std::make_unique<LatchkeyServer>(b);
    for (LatchkeyServer *s : {m_a.get(), m_b.get()}) {
        const Status started = s->start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    }
    QVERIFY(startNginx());
}

bool TestScaleOut::startNginx()
{
    m_lb = freePort();
    const QString conf = m_dir.filePath(QStringLiteral("nginx.conf"));
    QFile file(conf);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(
        QStringLiteral("%1pid nginx.pid;\nerror_log error.log warn;\nworker_processes 1;\n"
                       "events { worker_connections 256; }\n"
                       "http {\n  access_log off;\n  client_body_temp_path tmp;\n"
                       "  proxy_temp_path tmp;\n  fastcgi_temp_path tmp;\n  uwsgi_temp_path tmp;\n"
                       "  scgi_temp_path tmp;\n"
                       // WebSocket upgrades pass (GET /api/events); other requests keep
                       // the upstream connections alive.
                       "  map $http_upgrade $connection_upgrade {\n    default upgrade;\n"
                       "    '' \"\";\n  }\n"
                       "  upstream latchkey {\n    server 127.0.0.1:%2;\n    server 127.0.0.1:%3;\n"
                       "    keepalive 16;\n  }\n"
                       "  server {\n    listen 127.0.0.1:%4;\n    location / {\n"
                       "      proxy_pass http://latchkey;\n      proxy_bind 127.0.0.2;\n"
                       "      proxy_http_version 1.1;\n"
                       "      proxy_set_header Upgrade $http_upgrade;\n"
                       "      proxy_set_header Connection $connection_upgrade;\n"
                       "      proxy_set_header Host $host;\n"
                       "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                       "    }\n  }\n}\n")
            .arg(geteuid() == 0 ? QStringLiteral("user root;\n") : QString())
            .arg(m_a->port())
            .arg(m_b->port())
            .arg(m_lb)
            .toUtf8());
    file.close();
    m_nginx.setProcessChannelMode(QProcess::ForwardedChannels);
    m_nginx.start(QStringLiteral(LATCHKEY_NGINX_PATH),
                  {QStringLiteral("-p"), m_dir.path() + u'/', QStringLiteral("-c"), conf,
                   QStringLiteral("-g"), QStringLiteral("daemon off;")});
    if (!m_nginx.waitForStarted(5000))
        return false;
    for (int i = 0; i < 100; ++i) {
        if (TestClient(m_lb, 1000).get("/health").status == 200)
            return true;
        QTest::qWait(50);
    }
    return false;
}

void TestScaleOut::cleanupTestCase()
{
    if (m_nginx.state() != QProcess::NotRunning) {
        m_nginx.terminate();
        if (!m_nginx.waitForFinished(5000))
            m_nginx.kill();
    }
    m_a.reset();
    m_b.reset();
}

TestResponse TestScaleOut::login(quint16 port, const QByteArray &token, const QByteArray &headers)
{
    TestClient client(port);
    client.sendRaw(rawPost(
        "/api/login", {{QStringLiteral("access_token"), QString::fromLatin1(token)}}, headers));
    return client.readResponse();
}

void TestScaleOut::sessionWorksOnBoth()
{
    const TestResponse signedIn = login(m_lb, "user-both");
    QCOMPARE(signedIn.status, 200);
    const QByteArray access = accessOf(signedIn);
    QCOMPARE(TestClient(m_a->port()).get("/api/me", access).status, 200);
    QCOMPARE(TestClient(m_b->port()).get("/api/me", access).status, 200);
    TestClient throughNginx(m_lb);
    for (int i = 0; i < 6; ++i) // round robin: both instances answer in turn
        QCOMPARE(throughNginx.get("/api/me", access).status, 200);
}

// Half of the refreshes go to each instance at once: only the database's conditional UPDATE
// can make one of them win (within the grace window the others get the same successor).
void TestScaleOut::concurrentRefreshesOnBothOneSuccessor()
{
    const TestResponse signedIn = login(m_lb, "user-racer");
    QCOMPARE(signedIn.status, 200);
    const QByteArray request =
        rawPost("/api/refresh", {{QStringLiteral("refresh_token"), refreshOf(signedIn)}});
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 16; ++i) {
        clients.push_back(std::make_unique<TestClient>(i % 2 ? m_a->port() : m_b->port()));
        QVERIFY(clients.back()->isConnected());
    }
    for (auto &c : clients)
        c->sendRaw(request);
    QSet<QString> successors;
    for (auto &c : clients) {
        const TestResponse r = c->readResponse();
        QVERIFY2(r.status == 200 || r.status == 401, QByteArray::number(r.status).constData());
        if (r.status == 200)
            successors.insert(refreshOf(r));
    }
    QCOMPARE(successors.size(), 1);
    const TestResponse next = TestClient(m_lb).postJson(
        "/api/refresh", {{QStringLiteral("refresh_token"), *successors.begin()}});
    QCOMPARE(next.status, 200);
}

void TestScaleOut::logoutOnOneRefusedOnOther()
{
    const TestResponse signedIn = login(m_lb, "user-leaver");
    QCOMPARE(signedIn.status, 200);
    const QByteArray access = accessOf(signedIn);
    QCOMPARE(TestClient(m_b->port()).get("/api/me", access).status, 200);
    QCOMPARE(TestClient(m_a->port()).postJson("/api/logout", {}, access).status, 200);
    QCOMPARE(TestClient(m_b->port()).get("/api/me", access).status, 401);
    const TestResponse refreshed =
        TestClient(m_b->port())
            .postJson("/api/refresh", {{QStringLiteral("refresh_token"), refreshOf(signedIn)}});
    QCOMPARE(refreshed.status, 401);
}

// 20 guesses through nginx, claiming another address in X-Forwarded-For: nginx appends the
// real peer, so they count under 127.0.0.1 on whichever instance took them. 10 more straight
// to instance A reach the limit of 30 — counted per instance, neither would be there yet.
// Event sockets through nginx land on either instance; a logout made on A reaches both.
void TestScaleOut::eventSocketsThroughTheBalancer()
{
    std::vector<std::unique_ptr<WsClient>> sockets;
    std::vector<QByteArray> tokens;
    for (const QByteArray player : {"user-live-1", "user-live-2"}) {
        const TestResponse signedIn = login(m_lb, player);
        QCOMPARE(signedIn.status, 200);
        tokens.push_back(accessOf(signedIn));
        sockets.push_back(std::make_unique<WsClient>(m_lb));
        QCOMPARE(sockets.back()->openWithToken(tokens.back()), 101);
    }
    for (size_t i = 0; i < sockets.size(); ++i) {
        QCOMPARE(TestClient(m_a->port()).postJson("/api/logout", {}, tokens[i]).status, 200);
        const QJsonObject event = QJsonDocument::fromJson(sockets[i]->nextText()).object();
        QCOMPARE(event.value(QLatin1StringView("event")).toString(),
                 QStringLiteral("session_revoked"));
        QCOMPARE(sockets[i]->closeCode(), quint16(1000));
    }
}

void TestScaleOut::failureLimitSharedAndSeesForwardedClient()
{
    // From zero: the refreshes refused above counted under 127.0.0.1 too.
    QCOMPARE(pgExec(*pgServer(), QStringLiteral("scaleout"),
                    QStringLiteral("DELETE FROM auth_failures")),
             QString());
    for (int i = 0; i < 20; ++i)
        QCOMPARE(login(m_lb, "guess", "X-Forwarded-For: 203.0.113.7\r\n").status, 401);
    for (int i = 0; i < failureLimit - 20; ++i)
        QCOMPARE(login(m_a->port(), "guess").status, 401);
    const TestResponse direct = login(m_b->port(), "guess");
    QCOMPARE(direct.status, 429);
    QVERIFY(!direct.header("retry-after").isEmpty());
    // Behind nginx, the spoofed address does not get around it either.
    QCOMPARE(login(m_lb, "user-late", "X-Forwarded-For: 203.0.113.7\r\n").status, 429);
}

QTEST_GUILESS_MAIN(TestScaleOut)
#include "tst_scaleout.moc"
