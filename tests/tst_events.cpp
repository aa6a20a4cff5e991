// GET /api/events on SQLite and PostgreSQL, over real sockets with a raw RFC 6455 client: the
// handshake's refusals (no, bad or ended token; not a handshake; an API token; the per-player
// cap), both ways to pass the token, what each change tells a socket (logout, rename,
// picture, an admin ending the session, a ban, the account deleted), the frame rules a client
// must keep (masking, reserved bits and opcodes, control frame limits, 64 KiB, UTF-8), pings
// both ways, and a reader that does not read being dropped with its queue bounded.
#include "app/latchkeyserver.h"
#include "db/storage.h"

#include "testclient.h"
#include "testserverconfig.h"
#include "wsclient.h"

#include <latchkey/clock.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
struct Player
{
    QByteArray access;
    QByteArray refresh;
    qint64 userId = 0;
    QString name;
};

QJsonObject parsed(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}
} // namespace

class TestEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void handshakeRefusals();
    void tokenInHeaderOrSubprotocol();
    void logoutEndsTheSocket();
    void profileChangesReachEverySocket();
    void adminEndsSessionAndBans();
    void deletedAccount();
    void frameRules_data();
    void frameRules();
    void largestMessageAccepted();
    void pingsBothWays();
    void unansweredPingsClose();
    void slowReaderDropped();
    void socketsPerPlayerBounded();

private:
    Player guest();
    qint64 sessionOf(const Player &player);
    TestResponse call(const QByteArray &method, const QByteArray &path, const QByteArray &token,
                      const QJsonObject &body = {});
    qint64 metric(const QString &series);

    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    Config m_config;
    std::unique_ptr<LatchkeyServer> m_server;
    std::unique_ptr<Storage> m_db;
    quint16 m_port = 0;
};

void TestEvents::initTestCase()
{
    if (QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s) ==
        "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_config = testServerConfig(m_dir, u"latchkey_events"_s, m_pg);
    m_config.guest.perAddressPerMinute = 1000;
    m_config.server.metricsListen = u"127.0.0.1:0"_s;
    m_config.events.pingSeconds = 1;
    m_config.events.maxPerUser = 3;
    m_config.events.maxQueuedKib = 4;
    m_server = std::make_unique<LatchkeyServer>(m_config);
    const Status started = m_server->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    m_port = m_server->port();
    m_db = std::make_unique<Storage>(m_config.database, u"tst-events"_s, systemClock());
    QVERIFY(m_db->isAvailable());
    if (m_pg) // sockets open once the listener hears its own heartbeat
        QTRY_COMPARE_WITH_TIMEOUT(metric(u"change_listener_up"_s), 1, 5000);
}

void TestEvents::cleanupTestCase()
{
    m_db.reset();
    m_server.reset();
}

Player TestEvents::guest()
{
    const TestResponse r = postJsonOnce(m_port, "/api/login/guest", {});
    if (r.status != 200)
        qWarning() << "guest sign-in:" << r.status << r.body;
    const QJsonObject user = r.json().value("user"_L1).toObject();
    return {r.json().value("access_token"_L1).toString().toLatin1(),
            r.json().value("refresh_token"_L1).toString().toLatin1(),
            user.value("id"_L1).toInteger(), user.value("name"_L1).toString()};
}

qint64 TestEvents::sessionOf(const Player &player)
{
    const QJsonArray sessions =
        call("GET", "/api/sessions", player.access).json().value("sessions"_L1).toArray();
    for (const QJsonValue &s : sessions) {
        if (s.toObject().value("current"_L1).toBool())
            return s.toObject().value("id"_L1).toInteger();
    }
    return 0;
}

TestResponse TestEvents::call(const QByteArray &method, const QByteArray &path,
                              const QByteArray &token, const QJsonObject &body)
{
    return requestOnce(m_port, method, path, token, body);
}

qint64 TestEvents::metric(const QString &series)
{
    const QByteArray text = TestClient(m_server->metricsPort()).get("/metrics").body;
    const QRegularExpression line(u"^latchkey_%1 (\\d+)$"_s.arg(QRegularExpression::escape(series)),
                                  QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = line.match(QString::fromUtf8(text));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

void TestEvents::handshakeRefusals()
{
    const Player player = guest();
    const auto refusal = [this](const WsClient::Headers &headers, int status, const char *code) {
        WsClient ws(m_port);
        QCOMPARE(ws.open("/api/events", headers), status);
        QCOMPARE(parsed(ws.refusalBody()).value("code"_L1).toString(), QLatin1StringView(code));
        // A refused upgrade is never kept alive: frames may follow the request.
        QVERIFY(ws.waitForDisconnect(2000));
    };
    refusal({}, 401, "invalid_token");
    refusal(WsClient::bearer("not-a-token"), 401, "invalid_token");
    refusal({{"Sec-WebSocket-Protocol", "latchkey.bearer.not-a-token"}}, 401, "invalid_token");

    // An API token is no player's session.
    const TestResponse token = call("POST", "/api/tokens", player.access,
                                    {{u"name"_s, u"bot"_s}, {u"scopes"_s, QJsonArray{u"api"_s}}});
    QCOMPARE(token.status, 201);
    refusal(WsClient::bearer(token.json().value("token"_L1).toString().toLatin1()), 403,
            "forbidden");

    // Not a WebSocket handshake, or another version: 400, the version we speak named.
    TestClient plain(m_port);
    const TestResponse notUpgrade = plain.get("/api/events", player.access);
    QCOMPARE(notUpgrade.status, 400);
    QVERIFY(notUpgrade.json().value("message"_L1).toString().contains("Upgrade: websocket"_L1));
    TestClient old(m_port);
    const TestResponse version8 = old.request("GET", "/api/events", {},
                                              {{"Authorization", "Bearer " + player.access},
                                               {"Upgrade", "websocket"},
                                               {"Connection", "Upgrade"},
                                               {"Sec-WebSocket-Version", "8"},
                                               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
    QCOMPARE(version8.status, 400);
    QCOMPARE(version8.header("sec-websocket-version"), QByteArray("13"));
    QCOMPARE(TestClient(m_port).request("POST", "/api/events").status, 405);

    // An ended session's token.
    QCOMPARE(call("POST", "/api/logout", player.access).status, 200);
    refusal(WsClient::bearer(player.access), 401, "invalid_token");
}

void TestEvents::tokenInHeaderOrSubprotocol()
{
    const Player player = guest();
    WsClient header(m_port);
    QCOMPARE(header.openWithToken(player.access), 101);
    QVERIFY(header.acceptMatches());
    QVERIFY(header.handshakeHeader("sec-websocket-protocol").isEmpty());
    // Nothing unprompted but pings (every second here).
    const std::optional<WsFrame> first = header.next(2500);
    QVERIFY(first);
    QCOMPARE(first->opcode, quint8(0x9));

    WsClient offered(m_port);
    QCOMPARE(offered.open("/api/events", {{"Sec-WebSocket-Protocol",
                                           "latchkey.v1, latchkey.bearer." + player.access}}),
             101);
    QCOMPARE(offered.handshakeHeader("sec-websocket-protocol"), QByteArray("latchkey.v1"));
    // A browser fails a socket whose only offer is not answered: the token offer is.
    WsClient browser(m_port);
    QCOMPARE(browser.open("/api/events",
                          {{"Sec-WebSocket-Protocol", "latchkey.bearer." + player.access}}),
             101);
    QCOMPARE(browser.handshakeHeader("sec-websocket-protocol"), "latchkey.bearer." + player.access);
}

void TestEvents::logoutEndsTheSocket()
{
    const Player player = guest();
    const qint64 session = sessionOf(player);
    WsClient ws(m_port);
    QCOMPARE(ws.openWithToken(player.access), 101);
    QCOMPARE(call("POST", "/api/logout", player.access).status, 200);
    const QJsonObject event = parsed(ws.nextText());
    QCOMPARE(event.value("event"_L1).toString(), u"session_revoked"_s);
    QCOMPARE(event.value("session"_L1).toInteger(), session);
    QCOMPARE(event.value("reason"_L1).toString(), u"logout"_s);
    QCOMPARE(ws.closeCode(), quint16(1000));
    QVERIFY(ws.waitForDisconnect(6000));
}

void TestEvents::profileChangesReachEverySocket()
{
    const Player player = guest();
    WsClient one(m_port);
    WsClient two(m_port);
    QCOMPARE(one.openWithToken(player.access), 101);
    QCOMPARE(two.openWithToken(player.access), 101);
    const QString name = u"Renamed%1"_s.arg(player.userId);
    QCOMPARE(
        call("POST", "/api/update_username", player.access, {{u"new_username"_s, name}}).status,
        200);
    for (WsClient *ws : {&one, &two}) {
        const QJsonObject event = parsed(ws->nextText());
        QCOMPARE(event.value("event"_L1).toString(), u"user_updated"_s);
        QCOMPARE(event.value("user"_L1).toObject().value("name"_L1).toString(), name);
        QCOMPARE(event.value("user"_L1).toObject().value("id"_L1).toInteger(), player.userId);
    }
    const QString picture = u"https://cdn.example.com/p/%1.png"_s.arg(player.userId);
    QCOMPARE(
        call("POST", "/api/update_picture", player.access, {{u"new_picture"_s, picture}}).status,
        200);
    const QJsonObject event = parsed(one.nextText());
    QCOMPARE(event.value("user"_L1).toObject().value("picture"_L1).toString(), picture);
    QCOMPARE(parsed(two.nextText()).value("user"_L1).toObject().value("picture"_L1).toString(),
             picture);
    // What is not in the user row tells nobody anything.
    QCOMPARE(call("PUT", "/api/preferences", player.access, {{u"volume"_s, 3}}).status, 200);
    QVERIFY(two.nextText(500).isEmpty());
}

void TestEvents::adminEndsSessionAndBans()
{
    const Player boss = guest();
    QVERIFY(m_db->operators().setRole(boss.userId, u"admin"_s));
    const Player ended = guest();
    WsClient first(m_port);
    QCOMPARE(first.openWithToken(ended.access), 101);
    QCOMPARE(call("DELETE", "/admin/sessions/" + QByteArray::number(sessionOf(ended)), boss.access)
                 .status,
             200);
    QCOMPARE(parsed(first.nextText()).value("reason"_L1).toString(), u"admin"_s);
    QCOMPARE(first.closeCode(), quint16(1000));

    const Player banned = guest();
    WsClient second(m_port);
    QCOMPARE(second.openWithToken(banned.access), 101);
    QCOMPARE(call("PATCH", "/admin/users/" + QByteArray::number(banned.userId), boss.access,
                  {{u"status"_s, u"banned"_s}, {u"reason"_s, u"cheating"_s}})
                 .status,
             200);
    const QJsonObject event = parsed(second.nextText());
    QCOMPARE(event.value("event"_L1).toString(), u"session_revoked"_s);
    QCOMPARE(event.value("reason"_L1).toString(), u"ban"_s);
    QCOMPARE(second.closeCode(), quint16(1000));
}

void TestEvents::deletedAccount()
{
    const Player player = guest();
    WsClient ws(m_port);
    QCOMPARE(ws.openWithToken(player.access), 101);
    QCOMPARE(call("DELETE", "/api/me", player.access, {{u"confirm"_s, player.name}}).status, 200);
    QCOMPARE(parsed(ws.nextText()).value("reason"_L1).toString(), u"deleted"_s);
    QCOMPARE(ws.closeCode(), quint16(1000));
}

void TestEvents::frameRules_data()
{
    QTest::addColumn<quint8>("opcode");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<bool>("masked");
    QTest::addColumn<quint8>("rsv");
    QTest::addColumn<int>("code");
    QTest::newRow("unmasked") << quint8(0x1) << QByteArray("hi") << true << false << quint8(0)
                              << 1002;
    QTest::newRow("reserved bit") << quint8(0x1) << QByteArray("hi") << true << true << quint8(4)
                                  << 1002;
    QTest::newRow("reserved opcode")
        << quint8(0x3) << QByteArray() << true << true << quint8(0) << 1002;
    QTest::newRow("long ping") << quint8(0x9) << QByteArray(126, 'p') << true << true << quint8(0)
                               << 1002;
    QTest::newRow("fragmented ping")
        << quint8(0x9) << QByteArray("p") << false << true << quint8(0) << 1002;
    QTest::newRow("stray continuation")
        << quint8(0x0) << QByteArray("x") << true << true << quint8(0) << 1002;
    QTest::newRow("over 64 KiB") << quint8(0x1) << QByteArray(64 * 1024 + 1, 'a') << true << true
                                 << quint8(0) << 1009;
    QTest::newRow("not UTF-8") << quint8(0x1) << QByteArray("\xC3\x28") << true << true << quint8(0)
                               << 1007;
    QTest::newRow("surrogate in UTF-8")
        << quint8(0x1) << QByteArray("\xED\xA0\x80") << true << true << quint8(0) << 1007;
    QTest::newRow("binary") << quint8(0x2) << QByteArray("\x01") << true << true << quint8(0)
                            << 1003;
    QTest::newRow("reserved close code")
        << quint8(0x8) << QByteArray("\x03\xED", 2) << true << true << quint8(0) << 1002;
}

void TestEvents::frameRules()
{
    QFETCH(quint8, opcode);
    QFETCH(QByteArray, payload);
    QFETCH(bool, fin);
    QFETCH(bool, masked);
    QFETCH(quint8, rsv);
    QFETCH(int, code);
    const Player player = guest();
    WsClient ws(m_port);
    QCOMPARE(ws.openWithToken(player.access), 101);
    ws.sendFrame(opcode, payload, fin, masked, rsv);
    QCOMPARE(ws.closeCode(), quint16(code));
    QVERIFY(ws.waitForDisconnect(6000));
}

void TestEvents::largestMessageAccepted()
{
    // 64 KiB exactly, in two fragments with a ping between them (RFC 6455 5.4): kept open.
    const Player player = guest();
    WsClient ws(m_port);
    QCOMPARE(ws.openWithToken(player.access), 101);
    ws.sendFrame(0x1, QByteArray(32 * 1024, 'a'), false);
    ws.sendFrame(0x9, "between");
    ws.sendFrame(0x0, QByteArray(32 * 1024, 'b'), true);
    ws.sendFrame(0x9, "after");
    std::optional<WsFrame> frame;
    QStringList pongs;
    while ((frame = ws.next(3000)) && pongs.size() < 2) {
        QVERIFY2(frame->opcode != 0x8, "closed after a message within the limit");
        if (frame->opcode == 0xA)
            pongs.append(QString::fromLatin1(frame->payload));
    }
    QCOMPARE(pongs, (QStringList{u"between"_s, u"after"_s}));
}

void TestEvents::pingsBothWays()
{
    const Player player = guest();
    WsClient ws(m_port);
    QCOMPARE(ws.openWithToken(player.access), 101);
    // Answered pings keep the socket open past two ping intervals.
    QTest::qWait(2500);
    for (int i = 0; i < 4 && ws.pingsSeen < 2; ++i)
        ws.next(1000);
    QVERIFY(ws.pingsSeen >= 2);
    ws.sendFrame(0x9, "are you there");
    std::optional<WsFrame> pong;
    while ((pong = ws.next()) && pong->opcode != 0xA) {
    }
    QVERIFY(pong);
    QCOMPARE(pong->payload, QByteArray("are you there"));
    // The client's close is answered with the same code, then the connection ends.
    ws.sendFrame(0x8, QByteArray("\x03\xE8", 2) + "bye");
    QCOMPARE(ws.closeCode(), quint16(1000));
    QVERIFY(ws.waitForDisconnect(6000));
}

void TestEvents::unansweredPingsClose()
{
    const qint64 before = metric(u"event_sockets_dropped_total{reason=\"unanswered\"}"_s);
    const Player player = guest();
    WsClient ws(m_port);
    ws.autoPong = false;
    QCOMPARE(ws.openWithToken(player.access), 101);
    QCOMPARE(ws.closeCode(6000), quint16(1008));
    QVERIFY(ws.pingsSeen >= 2);
    QCOMPARE(metric(u"event_sockets_dropped_total{reason=\"unanswered\"}"_s), before + 1);
}

void TestEvents::slowReaderDropped()
{
    const qint64 before = metric(u"event_sockets_dropped_total{reason=\"slow\"}"_s);
    const Player player = guest();
    WsClient ws(m_port);
    QCOMPARE(ws.openWithToken(player.access), 101);
    // The client reads nothing from now on (Qt takes at most 1 KiB from the kernel for it);
    // every picture change queues ~2 KiB for it.
    ws.socket().setReadBufferSize(1024);
    const QString path(1900, u'p');
    int changes = 0;
    while (metric(u"event_sockets_dropped_total{reason=\"slow\"}"_s) == before && changes < 2000) {
        const QString picture = u"https://cdn.example.com/%1/%2"_s.arg(changes).arg(path);
        QCOMPARE(call("POST", "/api/update_picture", player.access, {{u"new_picture"_s, picture}})
                     .status,
                 200);
        ++changes;
    }
    QCOMPARE(metric(u"event_sockets_dropped_total{reason=\"slow\"}"_s), before + 1);
    qInfo() << "dropped after" << changes << "updates of ~2 KiB";
    // Dropped, not closed politely: reading again, the client finds the connection gone.
    ws.socket().setReadBufferSize(0);
    QVERIFY(ws.waitForDisconnect(5000));
    QCOMPARE(call("GET", "/api/me", player.access).status, 200);
    QTRY_COMPARE(metric(u"event_sockets"_s), 0);
}

void TestEvents::socketsPerPlayerBounded()
{
    const Player player = guest();
    std::vector<std::unique_ptr<WsClient>> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(std::make_unique<WsClient>(m_port));
        QCOMPARE(open.back()->openWithToken(player.access), 101);
    }
    WsClient fourth(m_port);
    QCOMPARE(fourth.openWithToken(player.access), 429);
    QCOMPARE(fourth.handshakeHeader("retry-after"), QByteArray("5"));
    QVERIFY(QString::fromUtf8(fourth.refusalBody()).contains("3 event sockets"_L1));
    // Another player is not affected; a closed socket frees its place.
    WsClient other(m_port);
    QCOMPARE(other.openWithToken(guest().access), 101);
    open.front()->sendFrame(0x8, QByteArray("\x03\xE8", 2));
    QCOMPARE(open.front()->closeCode(), quint16(1000));
    int status = 0;
    for (int attempt = 0; attempt < 50 && status != 101; ++attempt) {
        WsClient again(m_port);
        status = again.openWithToken(player.access);
        if (status != 101) {
            qInfo() << status << again.refusalBody();
            QTest::qWait(100);
        }
    }
    QCOMPARE(status, 101);
}

QTEST_GUILESS_MAIN(TestEvents)
#include "tst_events.moc"
