// The session cache and PostgreSQL's change notifications: two instances in this process on
// the fixture's database, sessions cached for an hour so that only a notification (or the
// cache being bypassed) can explain a refusal. A logout, a rename, SQL typed by an operator,
// a ban: each reaches the other instance; this instance sees its own changes before it
// answers; the listening connection killed with pg_terminate_backend: the cache is bypassed,
// the listener comes back, caching and notifications resume.
#include "app/latchkeyserver.h"

#include "pgfixture.h"
#include "testclient.h"
#include "testserverconfig.h"
#include "wsclient.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
constexpr int arrivesWithinMs = 5000; // generous: it takes milliseconds, or ~1 s when bypassed
const QString database = u"latchkey_cache"_s;

struct Guest
{
    QByteArray access;
    qint64 userId = 0;
};
} // namespace

class TestSessionCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void cachedAfterTheFirstCall();
    void logoutReachesTheOtherInstance();
    void ownChangesSeenBeforeTheAnswer();
    void changesMadeOutsideTheServer();
    void listenerKilledBypassesThenResumes();
    void eventsAcrossInstances();
    void listenerKilledClosesEventSockets();

private:
    Guest guestOn(LatchkeyServer &server);
    //! GET /api/me on \a client's connection (one worker, one cache).
    static TestResponse me(TestClient &client, const Guest &guest)
    {
        return client.get("/api/me", guest.access);
    }
    //! Three calls on \a client's connection: the first reads the database, the others must
    //! be answered by the cache.
    void warm(TestClient &client, LatchkeyServer &server, const Guest &guest);
    //! latchkey_<name> of \a server's /metrics (-1 when absent).
    static qint64 metric(LatchkeyServer &server, const QString &series);
    static qint64 hits(LatchkeyServer &server)
    {
        return metric(server, u"session_cache_lookups_total{result=\"hit\"}"_s);
    }
    QString sql(const QString &statement) { return pgExec(*m_pg, database, statement); }

    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    std::unique_ptr<LatchkeyServer> m_a;
    std::unique_ptr<LatchkeyServer> m_b;
};

void TestSessionCache::initTestCase()
{
    m_pg = pgServer();
    QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    Config config = testServerConfig(m_dir, database, m_pg);
    config.security.sessionCacheSeconds = 3600;
    config.guest.perAddressPerMinute = 1000;
    config.server.metricsListen = u"127.0.0.1:0"_s;
    for (auto *server : {&m_a, &m_b}) {
        config.server.logDir = m_dir.filePath(server == &m_a ? u"a-logs"_s : u"b-logs"_s);
        *server = std::make_unique<LatchkeyServer>(config);
        const Status started = (*server)->start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    }
    // Caching starts once each listener heard its first heartbeat.
    QTRY_COMPARE_WITH_TIMEOUT(metric(*m_a, u"change_listener_up"_s), 1, arrivesWithinMs);
    QTRY_COMPARE_WITH_TIMEOUT(metric(*m_b, u"change_listener_up"_s), 1, arrivesWithinMs);
}

void TestSessionCache::cleanupTestCase()
{
    m_a.reset();
    m_b.reset();
}

Guest TestSessionCache::guestOn(LatchkeyServer &server)
{
    const TestResponse r = postJsonOnce(server.port(), "/api/login/guest", {});
    if (r.status != 200)
        qWarning() << "guest sign-in:" << r.status << r.body;
    return {r.json().value("access_token"_L1).toString().toLatin1(),
            r.json().value("user"_L1).toObject().value("id"_L1).toInteger()};
}

void TestSessionCache::warm(TestClient &client, LatchkeyServer &server, const Guest &guest)
{
    QCOMPARE(me(client, guest).status, 200);
    // Two calls in a row the cache answers. Under load a heartbeat can come back late, and a
    // call then bypasses the cache (as it must): try again.
    const auto cachedTwice = [&] {
        const qint64 before = hits(server);
        return me(client, guest).status == 200 && me(client, guest).status == 200 &&
               hits(server) >= before + 2;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(cachedTwice(), "the cache answered neither call", arrivesWithinMs);
}

qint64 TestSessionCache::metric(LatchkeyServer &server, const QString &series)
{
    const QByteArray text = TestClient(server.metricsPort()).get("/metrics").body;
    const QRegularExpression line(u"^latchkey_%1 (\\d+)$"_s.arg(QRegularExpression::escape(series)),
                                  QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = line.match(QString::fromUtf8(text));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

void TestSessionCache::cachedAfterTheFirstCall()
{
    const Guest guest = guestOn(*m_a);
    TestClient b(m_b->port());
    warm(b, *m_b, guest);
}

void TestSessionCache::logoutReachesTheOtherInstance()
{
    const Guest guest = guestOn(*m_a);
    TestClient b(m_b->port());
    warm(b, *m_b, guest); // cached on B for an hour
    QCOMPARE(postJsonOnce(m_a->port(), "/api/logout", {}, guest.access).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(me(b, guest).status, 401, arrivesWithinMs);
}

// The change is published to this process's workers when it commits, before the answer: a
// client's next call, on any connection, never sees the cached past.
void TestSessionCache::ownChangesSeenBeforeTheAnswer()
{
    for (int round = 0; round < 10; ++round) {
        const Guest guest = guestOn(*m_a);
        TestClient first(m_a->port());
        TestClient second(m_a->port()); // the other worker
        warm(first, *m_a, guest);
        warm(second, *m_a, guest);
        const QString name = u"renamed_%1"_s.arg(round);
        QCOMPARE(postJsonOnce(m_a->port(), "/api/update_username", {{u"new_username"_s, name}},
                              guest.access)
                     .status,
                 200);
        QCOMPARE(me(first, guest).json()["user"_L1]["name"_L1].toString(), name);
        QCOMPARE(me(second, guest).json()["user"_L1]["name"_L1].toString(), name);
        // Pipelined: the worker starts on /api/me the moment the logout is answered.
        first.sendRaw("POST /api/logout HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
                      "Authorization: Bearer " +
                      guest.access +
                      "\r\n\r\nGET /api/me HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                      guest.access + "\r\n\r\n");
        QCOMPARE(first.readResponse().status, 200);
        QCOMPARE(first.readResponse().status, 401);
        QCOMPARE(me(second, guest).status, 401);
    }
}

// latchkey-admin, or SQL typed by hand: the triggers announce it all the same.
void TestSessionCache::changesMadeOutsideTheServer()
{
    const Guest guest = guestOn(*m_a);
    TestClient b(m_b->port());
    warm(b, *m_b, guest);
    QCOMPARE(sql(u"UPDATE users SET stars = 42 WHERE id = %1"_s.arg(guest.userId)), QString());
    QTRY_COMPARE_WITH_TIMEOUT(me(b, guest).json()["user"_L1]["stars"_L1].toInt(), 42,
                              arrivesWithinMs);
    // What latchkey-admin ban does, in one transaction.
    QCOMPARE(sql(u"BEGIN; UPDATE users SET status = 'banned' WHERE id = %1;"
                 " UPDATE sessions SET revoked_at = 1, revoke_reason = 'ban' WHERE user_id = %1;"
                 " COMMIT"_s.arg(guest.userId)),
             QString());
    QTRY_COMPARE_WITH_TIMEOUT(me(b, guest).status, 403, arrivesWithinMs);
}

// Correctness never waits for a notification: with the listening connection gone, a session
// ended meanwhile (its notification lost) is refused once the heartbeat is late, and caching
// resumes when the listener is back.
void TestSessionCache::listenerKilledBypassesThenResumes()
{
    const Guest guest = guestOn(*m_a);
    TestClient b(m_b->port());
    warm(b, *m_b, guest);
    QCOMPARE(sql(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                 " WHERE application_name = 'latchkey-listen' AND datname = '%1'"_s.arg(database)),
             QString());
    QCOMPARE(sql(u"UPDATE sessions SET revoked_at = 1, revoke_reason = 'sql'"
                 " WHERE user_id = %1"_s.arg(guest.userId)),
             QString());
    QTRY_COMPARE_WITH_TIMEOUT(me(b, guest).status, 401, arrivesWithinMs);
    // Refused while the listener is still down (it reconnects only after 3 s of silence): by
    // the cache being bypassed, not emptied by the reconnection.
    QCOMPARE(metric(*m_b, u"change_listener_up"_s), 0);
    QTRY_COMPARE_WITH_TIMEOUT(metric(*m_b, u"change_listener_up"_s), 1, 3 * arrivesWithinMs);

    const Guest again = guestOn(*m_a);
    warm(b, *m_b, again);
    QCOMPARE(sql(u"UPDATE users SET level = 7 WHERE id = %1"_s.arg(again.userId)), QString());
    QTRY_COMPARE_WITH_TIMEOUT(me(b, again).json()["user"_L1]["level"_L1].toInt(), 7,
                              arrivesWithinMs);
}

namespace {
QJsonObject eventOn(WsClient &ws)
{
    return QJsonDocument::fromJson(ws.nextText(arrivesWithinMs)).object();
}
} // namespace

// Live events ride on the same notifications: a socket on B hears what A did, and SQL.
void TestSessionCache::eventsAcrossInstances()
{
    const Guest guest = guestOn(*m_a);
    WsClient ws(m_b->port());
    QCOMPARE(ws.openWithToken(guest.access), 101);
    QCOMPARE(postJsonOnce(m_a->port(), "/api/update_username", {{u"new_username"_s, u"Across"_s}},
                          guest.access)
                 .status,
             200);
    QJsonObject event = eventOn(ws);
    QCOMPARE(event["event"_L1].toString(), u"user_updated"_s);
    QCOMPARE(event["user"_L1]["name"_L1].toString(), u"Across"_s);
    QCOMPARE(sql(u"UPDATE users SET stars = 5 WHERE id = %1"_s.arg(guest.userId)), QString());
    QCOMPARE(eventOn(ws)["user"_L1]["stars"_L1].toInt(), 5);
    // Migration 010's trigger: a linked identity, whoever inserts it.
    QCOMPARE(sql(u"INSERT INTO identities (provider, subject, user_id, created_at)"
                 " VALUES ('steam', '7656119%1', %1, '2026-12-04T00:00:00Z')"_s.arg(guest.userId)),
             QString());
    event = eventOn(ws);
    QCOMPARE(event["event"_L1].toString(), u"identity_linked"_s);
    QCOMPARE(event["provider"_L1].toString(), u"steam"_s);
    QCOMPARE(postJsonOnce(m_a->port(), "/api/logout", {}, guest.access).status, 200);
    event = eventOn(ws);
    QCOMPARE(event["event"_L1].toString(), u"session_revoked"_s);
    QCOMPARE(event["reason"_L1].toString(), u"logout"_s);
    QCOMPARE(ws.closeCode(arrivesWithinMs), quint16(1000));
}

// What a socket missed while the notifications were not arriving cannot be known: it is
// closed with 1013 and the client reconnects; no socket opens until they arrive again.
void TestSessionCache::listenerKilledClosesEventSockets()
{
    const Guest guest = guestOn(*m_a);
    WsClient ws(m_b->port());
    QCOMPARE(ws.openWithToken(guest.access), 101);
    QCOMPARE(sql(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                 " WHERE application_name = 'latchkey-listen' AND datname = '%1'"_s.arg(database)),
             QString());
    QCOMPARE(ws.closeCode(3 * arrivesWithinMs), quint16(1013));
    QTRY_COMPARE_WITH_TIMEOUT(WsClient(m_b->port()).openWithToken(guest.access), 101,
                              3 * arrivesWithinMs);
    WsClient again(m_b->port());
    QCOMPARE(again.openWithToken(guest.access), 101);
    QCOMPARE(sql(u"UPDATE users SET level = 9 WHERE id = %1"_s.arg(guest.userId)), QString());
    QCOMPARE(eventOn(again)["user"_L1]["level"_L1].toInt(), 9);
}

QTEST_MAIN(TestSessionCache)
#include "tst_sessioncache.moc"
