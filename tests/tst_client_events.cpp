// The client library's live events against the real server (SQLite): the socket opens after
// a login (isLive, liveChanged); an admin's change to the player reaches user() and
// userChanged without a refresh; a session ended by an admin or a ban logs the player out at
// once and erases the store; the server gone is offline, not logout, and the socket comes
// back by itself; liveEvents off opens nothing; a server without events is left alone.
#include "app/latchkeyserver.h"
#include "db/storage.h"

#include "frameloop.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <latchkey/client.h>

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

class TestClientEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void profileChangedElsewhere();
    void sessionEndedElsewhereLogsOut_data();
    void sessionEndedElsewhereLogsOut();
    void serverGoneIsOfflineThenLiveAgain();
    void liveEventsOff();
    void serverWithoutEventsLeftAlone();

private:
    bool startServer(quint16 port);
    ClientConfig clientConfig(const QString &name, bool liveEvents = true);
    //! A guest signed in with \a client, its socket open.
    bool signIn(Client &client, int *logouts = nullptr);
    static bool pump(Client &client, const std::function<bool()> &done, int timeoutMs = 15000)
    {
        return runFrames([&] { client.processCallbacks(); }, done, timeoutMs);
    }
    //! An admin's call (PATCH /admin/users/{id}, DELETE /admin/sessions/{id}, …).
    TestResponse admin(const QByteArray &method, const QByteArray &path,
                       const QJsonObject &body = {});

    QTemporaryDir m_dir;
    Config m_config;
    std::unique_ptr<LatchkeyServer> m_server;
    QByteArray m_adminToken;
};

void TestClientEvents::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_config = testServerConfig(m_dir, u"client_events"_s);
    m_config.guest.perAddressPerMinute = 1000;
    QVERIFY(startServer(0));
    const TestResponse boss = postJsonOnce(m_server->port(), "/api/login/guest", {});
    QCOMPARE(boss.status, 200);
    m_adminToken = boss.json().value("access_token"_L1).toString().toLatin1();
    Storage db(m_config.database, u"tst-client-events"_s, systemClock());
    QVERIFY(db.isAvailable());
    QVERIFY(db.operators().setRole(boss.json()["user"_L1]["id"_L1].toInteger(), u"admin"_s));
}

void TestClientEvents::cleanupTestCase()
{
    m_server.reset();
}

bool TestClientEvents::startServer(quint16 port)
{
    Config c = m_config;
    c.server.port = port;
    m_server = std::make_unique<LatchkeyServer>(c);
    const Status started = m_server->start();
    if (!started)
        qWarning() << started.error().message;
    return started.ok();
}

ClientConfig TestClientEvents::clientConfig(const QString &name, bool liveEvents)
{
    ClientConfig config;
    config.serverUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(m_server->port()));
    config.clientId = u"latchkey-demo"_s;
    config.storageDirectory = m_dir.filePath(name);
    config.secretStorage = SecretStorage::File;
    config.requestTimeout = std::chrono::seconds(3);
    config.liveEvents = liveEvents;
    return config;
}

bool TestClientEvents::signIn(Client &client, int *logouts)
{
    bool in = false;
    client.loginAsGuest([&](const User &) { in = true; },
                        [logouts] {
                            if (logouts)
                                ++*logouts;
                        });
    return pump(client, [&] { return in && client.isLive(); });
}

TestResponse TestClientEvents::admin(const QByteArray &method, const QByteArray &path,
                                     const QJsonObject &body)
{
    return requestOnce(m_server->port(), method, path, m_adminToken, body);
}

void TestClientEvents::profileChangedElsewhere()
{
    Client client(clientConfig(u"profile"_s));
    QSignalSpy live(&client, &Client::liveChanged);
    QSignalSpy changed(&client, &Client::userChanged);
    QSignalSpy refreshed(&client, &Client::sessionRefreshed);
    QVERIFY(signIn(client));
    QCOMPARE(live.count(), 1);
    QCOMPARE(live.first().first().toBool(), true);
    const qint64 id = client.user().id;
    QCOMPARE(admin("PATCH", "/admin/users/" + QByteArray::number(id),
                   {{u"stars"_s, 7}, {u"name"_s, u"Renamed%1"_s.arg(id)}})
                 .status,
             200);
    QVERIFY(pump(client, [&] {
        return client.user().stars == 7 && client.user().name == u"Renamed%1"_s.arg(id);
    }));
    QCOMPARE(client.user().name, u"Renamed%1"_s.arg(id));
    QVERIFY(changed.count() >= 1); // the admin's two fields may commit one by one
    QCOMPARE(changed.last().first().value<User>().name, u"Renamed%1"_s.arg(id));
    QCOMPARE(refreshed.count(), 0); // told, not fetched
    QVERIFY(client.isLoggedIn());
}

void TestClientEvents::sessionEndedElsewhereLogsOut_data()
{
    QTest::addColumn<bool>("ban");
    QTest::newRow("admin ends the session") << false;
    QTest::newRow("ban") << true;
}

void TestClientEvents::sessionEndedElsewhereLogsOut()
{
    QFETCH(bool, ban);
    const QString name = ban ? u"banned"_s : u"ended"_s;
    int logouts = 0;
    {
        Client client(clientConfig(name));
        QVERIFY(signIn(client, &logouts));
        const QByteArray user = QByteArray::number(client.user().id);
        if (ban) {
            QCOMPARE(admin("PATCH", "/admin/users/" + user, {{u"status"_s, u"banned"_s}}).status,
                     200);
        } else {
            const TestResponse sessions = admin("GET", "/admin/users/" + user + "/sessions");
            const qint64 session =
                sessions.json()["sessions"_L1].toArray().first()["id"_L1].toInteger();
            QCOMPARE(admin("DELETE", "/admin/sessions/" + QByteArray::number(session)).status, 200);
        }
        QVERIFY(pump(client, [&] { return logouts == 1; }));
        QVERIFY(!client.isLoggedIn());
        QVERIFY(!client.isLive());
    }
    // The store is erased: a restart finds nobody.
    Client restarted(clientConfig(name));
    QVERIFY(!restarted.loadStoredCredentials());
}

void TestClientEvents::serverGoneIsOfflineThenLiveAgain()
{
    Client client(clientConfig(u"offline"_s));
    int logouts = 0;
    QVERIFY(signIn(client, &logouts));
    const quint16 port = m_server->port();
    m_server.reset(); // its sockets close with 1001 as it shuts down
    QVERIFY(pump(client, [&] { return !client.isLive(); }));
    QTest::qWait(1500); // retries against nothing: still logged in
    client.processCallbacks();
    QVERIFY(client.isLoggedIn());
    QCOMPARE(logouts, 0);
    QVERIFY(startServer(port));
    QVERIFY(pump(
        client, [&] { return client.isLive(); }, 20000));
    // And it hears again.
    QCOMPARE(
        admin("PATCH", "/admin/users/" + QByteArray::number(client.user().id), {{u"level"_s, 12}})
            .status,
        200);
    QVERIFY(pump(client, [&] { return client.user().level == 12; }));
    QCOMPARE(logouts, 0);
}

void TestClientEvents::liveEventsOff()
{
    Client client(clientConfig(u"off"_s, false));
    QSignalSpy live(&client, &Client::liveChanged);
    bool in = false;
    client.loginAsGuest([&](const User &) { in = true; });
    QVERIFY(pump(client, [&] { return in; }));
    QTest::qWait(500);
    client.processCallbacks();
    QVERIFY(!client.isLive());
    QCOMPARE(live.count(), 0);
}

// A server without /api/events (the seed's generation, or events.enabled off) answers 404:
// the client stops there instead of renewing its token and knocking again every minute.
void TestClientEvents::serverWithoutEventsLeftAlone()
{
    Config config = testServerConfig(m_dir, u"no_events"_s);
    config.guest.perAddressPerMinute = 1000;
    config.events.enabled = false;
    LatchkeyServer server(config);
    QVERIFY(server.start());
    ClientConfig clientConfig = this->clientConfig(u"no-events"_s);
    clientConfig.serverUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(server.port()));
    Client client(clientConfig);
    QSignalSpy refreshed(&client, &Client::sessionRefreshed);
    bool in = false;
    client.loginAsGuest([&](const User &) { in = true; });
    QVERIFY(pump(client, [&] { return in; }));
    QTest::qWait(2500); // a retry would renew the token within 0.5-1.5 s
    client.processCallbacks();
    QVERIFY(!client.isLive());
    QCOMPARE(refreshed.count(), 0);
    QVERIFY(client.isLoggedIn());
}

QTEST_MAIN(TestClientEvents)
#include "tst_client_events.moc"
