// Router over real sockets: routing misses (404, 405 + Allow) and each per-route check
// (body media type, JSON object, database, Bearer) refusing before the
// handler, with a route group of the test's own on an in-process HttpServer.
#include "api/router.h"
#include "auth/auditlog.h"
#include "auth/sessionservice.h"
#include "db/migrator.h"
#include "http/httpserver.h"

#include "testclient.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace latchkey;
using latchkey::test::TestClient;
using latchkey::test::TestResponse;

namespace {

//! Shared by the test and every worker thread.
struct Shared
{
    Config config;
    TokenIssuer tokens{config.security};
    LoginLog log{QString(), false};
    FailureLimiter limiter{config.security.failedAuthPerMinute};
    RequestLimiter requests{config.security};
    std::atomic<int> handled{0};

    explicit Shared(Config c) : config(std::move(c)) {}
};

class TestRoutes : public RouteGroup
{
public:
    explicit TestRoutes(Shared &shared) : m_shared(shared) {}

    void addRoutes(Router &router) override
    {
        router.add("POST", "/json", {.body = Body::Json}, this, &TestRoutes::echo);
        router.add("POST", "/form", {.body = Body::Form}, this, &TestRoutes::echo);
        router.add("GET", "/plain", {}, this, &TestRoutes::echo);
        router.add("POST", "/plain", {}, this, &TestRoutes::echo);
        router.add("GET", "/db", {.database = true}, this, &TestRoutes::echo);
        router.add("GET", "/me", {.auth = Auth::Bearer, .database = true}, this, &TestRoutes::me);
        router.add("GET", "/boss", {.auth = Auth::Admin, .database = true}, this, &TestRoutes::me);
        router.add("GET", "/things/{id}", {}, this, &TestRoutes::id);
        router.add("GET", "/things/{id}/parts", {}, this, &TestRoutes::id);
    }

private:
    void echo(Call &call)
    {
        ++m_shared.handled;
        call.responder.send(
            HttpResponse::json(200, {{QStringLiteral("bodyLength"), int(call.http.body.size())},
                                     {QStringLiteral("body"), call.body}}));
    }
    void id(Call &call)
    {
        call.responder.send(HttpResponse::json(
            200, {{QStringLiteral("id"), call.pathId},
                  {QStringLiteral("path"), QString::fromLatin1(call.http.path)}}));
    }
    void me(Call &call)
    {
        ++m_shared.handled;
        call.responder.send(
            HttpResponse::json(200, {{QStringLiteral("user"), call.session.user.toJson()}}));
    }

    Shared &m_shared;
};

//! One worker's objects, as server/app wires them, with TestRoutes as the only group.
class TestWorker : public RequestHandler
{
public:
    TestWorker(Shared &shared, int index)
        : m_storage(shared.config.database, QStringLiteral("tst-router-%1").arg(index),
                    systemClock()),
          m_audit(shared.log, m_storage, 0, systemClock()),
          m_sessions(shared.tokens, shared.config.security, m_storage, m_audit, shared.limiter,
                     systemClock()),
          m_apiTokens(m_storage, m_audit, systemClock()),
          m_router(m_storage, m_sessions, m_apiTokens, shared.requests, systemClock()),
          m_routes(shared)
    {
        m_router.addGroup(m_routes);
    }
    void handle(const HttpRequest &request, Responder responder) override
    {
        m_router.handle(request, std::move(responder));
    }

private:
    Storage m_storage;
    AuditLog m_audit;
    SessionService m_sessions;
    ApiTokens m_apiTokens;
    Router m_router;
    TestRoutes m_routes;
};

QByteArray post(const QByteArray &path, const QByteArray &body, const QByteArray &contentType)
{
    QByteArray out = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!contentType.isNull())
        out += "Content-Type: " + contentType + "\r\n";
    return out + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QString code(const TestResponse &response)
{
    return response.json().value(QLatin1StringView("code")).toString();
}

} // namespace

class TestRouter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void notFound();
    void methodNotAllowedListsAllow();
    void contentType_data();
    void contentType();
    void formRouteTakesForms();
    void bodyMustBeAJsonObject_data();
    void bodyMustBeAJsonObject();
    void databaseUnavailable();
    void bearerRequired_data();
    void bearerRequired();
    void bearerWithLiveSession();
    void adminRoutesNeedAnAdmin();
    void idInThePath_data();
    void idInThePath();
    void headFollowsGet();

private:
    void start(Config config);
    //! A session for \a user opened the way a sign-in opens one, on \a storage.
    Result<IssuedSession> openSession(Storage &storage, const User &user);
    quint16 port() const { return m_server->port(); }

    QTemporaryDir m_dir;
    std::unique_ptr<Shared> m_shared;
    std::unique_ptr<HttpServer> m_server;
};

void TestRouter::start(Config config)
{
    m_server.reset();
    m_shared = std::make_unique<Shared>(std::move(config));
    m_server = std::make_unique<HttpServer>(HttpLimits{}, 2, [shared = m_shared.get()](int index) {
        return std::unique_ptr<RequestHandler>(new TestWorker(*shared, index));
    });
    const Status listening = m_server->listen(QHostAddress::LocalHost, 0);
    QVERIFY2(listening.ok(), qPrintable(listening ? QString() : listening.error().message));
}

void TestRouter::init()
{
    Config config;
    config.database.sqlitePath = m_dir.filePath(QStringLiteral("router.db"));
    config.security.jwtSecret = QByteArray("a-test-secret-that-is-long-enough-for-hs256!");
    config.security.failedAuthPerMinute = 1;
    {
        Result<std::unique_ptr<Database>> db =
            Database::open(config.database, QStringLiteral("tst-router-setup"));
        QVERIFY(db.ok());
        QVERIFY(Migrator(**db).migrate().ok());
    }
    start(config);
}

void TestRouter::cleanup()
{
    m_server.reset();
    m_shared.reset();
}

void TestRouter::notFound()
{
    TestClient client(port());
    const TestResponse r = client.get("/nothing");
    QCOMPARE(r.status, 404);
    QCOMPARE(code(r), QStringLiteral("not_found"));
}

void TestRouter::methodNotAllowedListsAllow()
{
    TestClient client(port());
    const TestResponse r = client.request("DELETE", "/plain");
    QCOMPARE(r.status, 405);
    QCOMPARE(code(r), QStringLiteral("method_not_allowed"));
    QCOMPARE(r.header("allow"), QByteArray("GET, HEAD, POST"));
    QCOMPARE(m_shared->handled.load(), 0);
}

// The rows tst_http had while the HTTP layer checked media types (issue 8 moved the check
// into the router, per route).
void TestRouter::contentType_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::newRow("json") << QByteArray("application/json") << 200;
    QTest::newRow("json with charset") << QByteArray("application/json; charset=utf-8") << 200;
    QTest::newRow("upper case") << QByteArray("Application/JSON") << 200;
    QTest::newRow("text") << QByteArray("text/plain") << 415;
    QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded") << 415;
    QTest::newRow("json prefix") << QByteArray("application/jsonp") << 415;
    QTest::newRow("missing") << QByteArray() << 415;
}

void TestRouter::contentType()
{
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    for (const QByteArray &path : {QByteArray("/json"), QByteArray("/plain")}) {
        TestClient client(port());
        const int before = m_shared->handled.load();
        client.sendRaw(post(path, "{\"a\":1}", contentType));
        const TestResponse r = client.readResponse();
        QCOMPARE(r.status, status);
        if (status == 415) {
            QCOMPARE(code(r), QStringLiteral("unsupported_media_type"));
            QCOMPARE(m_shared->handled.load(), before); // refused before the handler
        } else {
            QCOMPARE(r.json().value(QLatin1StringView("bodyLength")).toInt(), 7);
        }
        // Either way the request was well-formed, so the connection stays usable.
        QCOMPARE(client.get("/plain").status, 200);
    }
}

void TestRouter::formRouteTakesForms()
{
    TestClient client(port());
    client.sendRaw(post("/form", "a=1&b=2", "application/x-www-form-urlencoded"));
    QCOMPARE(client.readResponse().status, 200);
    client.sendRaw(post("/form", "{\"a\":1}", "application/json"));
    const TestResponse r = client.readResponse();
    QCOMPARE(r.status, 415);
    QVERIFY(r.json()
                .value(QLatin1StringView("message"))
                .toString()
                .contains(QStringLiteral("application/x-www-form-urlencoded")));
}

void TestRouter::bodyMustBeAJsonObject_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("array") << QByteArray("[1,2]");
    QTest::newRow("string") << QByteArray("\"x\"");
    QTest::newRow("broken") << QByteArray("{\"a\":");
    QTest::newRow("empty") << QByteArray();
}

void TestRouter::bodyMustBeAJsonObject()
{
    QFETCH(QByteArray, body);
    TestClient client(port());
    client.sendRaw(post("/json", body, "application/json"));
    const TestResponse r = client.readResponse();
    QCOMPARE(r.status, 400);
    QCOMPARE(code(r), QStringLiteral("invalid_json"));
    QCOMPARE(m_shared->handled.load(), 0);
}

void TestRouter::databaseUnavailable()
{
    Config config;
    config.database.driver = QStringLiteral("postgres");
    config.database.host = QStringLiteral("127.0.0.1");
    config.database.port = 1; // nothing listens there
    config.security.jwtSecret = QByteArray("a-test-secret-that-is-long-enough-for-hs256!");
    start(config);
    TestClient client(port());
    for (const QByteArray &path : {QByteArray("/db"), QByteArray("/me")}) {
        const TestResponse r = client.get(path, "whatever");
        QCOMPARE(r.status, 503);
        QCOMPARE(code(r), QStringLiteral("database_unavailable"));
    }
    QCOMPARE(client.get("/plain").status, 200); // routes that need no database still answer
    QCOMPARE(m_shared->handled.load(), 1);
}

void TestRouter::bearerRequired_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::newRow("none") << QByteArray();
    QTest::newRow("basic") << QByteArray("Basic dXNlcjpwYXNz");
    QTest::newRow("garbage") << QByteArray("Bearer garbage");
    QTest::newRow("empty") << QByteArray("Bearer ");
}

void TestRouter::bearerRequired()
{
    QFETCH(QByteArray, authorization);
    TestClient client(port());
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!authorization.isNull())
        headers.append({"Authorization", authorization});
    const TestResponse r = client.request("GET", "/me", {}, headers);
    QCOMPARE(r.status, 401);
    QCOMPARE(code(r), QStringLiteral("invalid_token"));
    QVERIFY(r.header("www-authenticate").startsWith("Bearer"));
    QCOMPARE(m_shared->handled.load(), 0);
}

void TestRouter::bearerWithLiveSession()
{
    // A session opened the way a sign-in opens one, on the test thread's own connection.
    Storage storage(m_shared->config.database, QStringLiteral("tst-router-test"), systemClock());
    QVERIFY(storage.isAvailable());
    const Result<UserStore::SignedIn> user =
        storage.users().loginOrCreate({QStringLiteral("google"), QStringLiteral("sub-1"),
                                       QStringLiteral("bob@example.com"), QString()},
                                      QStringLiteral("bob"), QDateTime::currentDateTimeUtc());
    QVERIFY(user.ok());
    const Result<IssuedSession> session = openSession(storage, user->user);
    QVERIFY(session.ok());
    TestClient client(port());
    const TestResponse r = client.get("/me", session->accessToken);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json()
                 .value(QLatin1StringView("user"))
                 .toObject()
                 .value(QLatin1StringView("name"))
                 .toString(),
             QStringLiteral("bob"));
    // The scheme is case-insensitive (RFC 9110 11.1).
    for (const QByteArray &scheme : {QByteArray("bearer "), QByteArray("BEARER ")}) {
        const TestResponse other =
            client.request("GET", "/me", {}, {{"Authorization", scheme + session->accessToken}});
        QCOMPARE(other.status, 200);
    }
}

// Auth::Admin: a player's session is refused with 403 forbidden before the handler; the same
// user made an admin passes.
void TestRouter::adminRoutesNeedAnAdmin()
{
    Storage storage(m_shared->config.database, QStringLiteral("tst-router-test"), systemClock());
    QVERIFY(storage.isAvailable());
    const Result<UserStore::SignedIn> user =
        storage.users().loginOrCreate({QStringLiteral("google"), QStringLiteral("sub-2"),
                                       QStringLiteral("carol@example.com"), QString()},
                                      QStringLiteral("carol"), QDateTime::currentDateTimeUtc());
    QVERIFY(user.ok());
    const Result<IssuedSession> session = openSession(storage, user->user);
    QVERIFY(session.ok());
    TestClient client(port());
    const TestResponse player = client.get("/boss", session->accessToken);
    QCOMPARE(player.status, 403);
    QCOMPARE(code(player), QStringLiteral("forbidden"));
    QCOMPARE(m_shared->handled.load(), 0);
    QVERIFY(storage.operators().setRole(user->user.id, QStringLiteral("admin")).ok());
    QCOMPARE(client.get("/boss", session->accessToken).status, 200);
    QCOMPARE(client.get("/boss").status, 401);
}

Result<IssuedSession> TestRouter::openSession(Storage &storage, const User &user)
{
    LoginLog file(QString(), false);
    AuditLog log(file, storage, 0, systemClock());
    SessionService sessions(m_shared->tokens, m_shared->config.security, storage, log,
                            m_shared->limiter, systemClock());
    return sessions.open(user, {QHostAddress::LocalHost, {}});
}

// One "{id}" segment anywhere in the path: a positive decimal number, nothing else.
void TestRouter::idInThePath_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<qint64>("id");
    QTest::newRow("last") << QByteArray("/things/42") << 200 << qint64(42);
    QTest::newRow("middle") << QByteArray("/things/7/parts") << 200 << qint64(7);
    QTest::newRow("no id") << QByteArray("/things/") << 404 << qint64(0);
    QTest::newRow("no id, middle") << QByteArray("/things//parts") << 404 << qint64(0);
    QTest::newRow("zero") << QByteArray("/things/0") << 404 << qint64(0);
    QTest::newRow("leading zero") << QByteArray("/things/07/parts") << 404 << qint64(0);
    QTest::newRow("letters") << QByteArray("/things/7a/parts") << 404 << qint64(0);
    QTest::newRow("other suffix") << QByteArray("/things/7/wheels") << 404 << qint64(0);
    QTest::newRow("too long") << QByteArray("/things/1234567890123456789") << 404 << qint64(0);
}

void TestRouter::idInThePath()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(qint64, id);
    TestClient client(port());
    const TestResponse r = client.get(path);
    QCOMPARE(r.status, status);
    if (status == 200)
        QCOMPARE(r.json().value(QLatin1StringView("id")).toInteger(), id);
}

// HEAD reaches the GET route (the HTTP layer leaves the body out); a path without GET
// still answers 405.
void TestRouter::headFollowsGet()
{
    TestClient client(port());
    client.sendRaw("HEAD /plain HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY(client.socket().bytesAvailable() > 0);
    QVERIFY(client.socket().readAll().startsWith("HTTP/1.1 200"));
    QCOMPARE(m_shared->handled.load(), 1);
    TestClient other(port());
    other.sendRaw("HEAD /json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY(other.socket().bytesAvailable() > 0);
    QVERIFY(other.socket().readAll().startsWith("HTTP/1.1 405"));
}

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"
