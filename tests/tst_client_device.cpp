// The client library's device-code and Steam logins against a real server (SQLite, the
// development provider upstream; the player's browser steps done over HTTP by the test), and
// one stand-in: a server that asks for slow_down, which a well-behaved client never makes a
// real one say. Steam's Web API is a stand-in as everywhere (no local Steam exists).
#include "app/latchkeyserver.h"

#include "brokerflow.h"
#include "frameloop.h"
#include "standinserver.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <latchkey/client.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

class TestClientDevice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase() { m_server.reset(); }

    void deviceLoginAllowed();
    void deviceLoginDenied();
    void deviceLoginCancelled();
    void slowDownHonoured();
    void steamLoginAndLink();
    void steamBanReported();

private:
    ClientConfig config(const QString &name, QUrl server = {}) const;
    static bool pump(Client &client, const std::function<bool()> &done, int timeoutMs = 20000);
    //! The player's part on /device: sign in as \a email and answer \a decision.
    int answer(const QString &userCode, const QString &email, const char *decision);

    QTemporaryDir m_dir;
    StandInServer m_steam;
    std::unique_ptr<LatchkeyServer> m_server;
};

void TestClientDevice::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_steam.route("/ISteamUserAuth/AuthenticateUserTicket/v1/", [](const StandInRequest &r) {
        const bool banned = r.query.contains("ticket=bad0");
        const QString steamId = banned                            ? u"76561190000000002"_s
                                : r.query.contains("ticket=cd34") ? u"76561190000000003"_s
                                                                  : u"76561190000000001"_s;
        const QJsonObject params{{u"result"_s, u"OK"_s},
                                 {u"steamid"_s, steamId},
                                 {u"vacbanned"_s, banned},
                                 {u"publisherbanned"_s, false}};
        const QJsonObject body{{u"response"_s, QJsonObject{{u"params"_s, params}}}};
        return StandInReply{200, QJsonDocument(body).toJson(), {}, 0, false, {}};
    });
    m_steam.route("/ISteamUser/GetPlayerSummaries/v2/", [](const StandInRequest &r) {
        const QJsonObject player{{u"steamid"_s, QString::fromLatin1(r.param("steamids"))},
                                 {u"personaname"_s, u"Steam_Player"_s}};
        const QJsonObject body{{u"response"_s, QJsonObject{{u"players"_s, QJsonArray{player}}}}};
        return StandInReply{200, QJsonDocument(body).toJson(), {}, 0, false, {}};
    });
    Config c = testServerConfig(m_dir, u"server"_s);
    c.dev.enabled = true;
    c.steam.appId = u"480"_s;
    c.steam.webApiKey = "key";
    c.steam.apiUrl = m_steam.url(u"/"_s);
    m_server = std::make_unique<LatchkeyServer>(c);
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
}

ClientConfig TestClientDevice::config(const QString &name, QUrl server) const
{
    ClientConfig c;
    c.serverUrl = server.isEmpty() ? QUrl(u"http://127.0.0.1:%1"_s.arg(m_server->port())) : server;
    c.clientId = u"latchkey-demo"_s;
    c.storageDirectory = m_dir.filePath(name);
    c.secretStorage = SecretStorage::File;
    c.requestTimeout = std::chrono::seconds(3);
    c.openBrowser = [](const QUrl &) { return false; }; // no browser on a console
    return c;
}

bool TestClientDevice::pump(Client &client, const std::function<bool()> &done, int timeoutMs)
{
    return runFrames([&] { client.processCallbacks(); }, done, timeoutMs);
}

int TestClientDevice::answer(const QString &userCode, const QString &email, const char *decision)
{
    const quint16 port = m_server->port();
    return deviceDecide(port, deviceSignIn(port, userCode, email), QString::fromLatin1(decision))
        .status;
}

void TestClientDevice::deviceLoginAllowed()
{
    Client client(config(u"allowed"_s));
    std::optional<DeviceCode> code;
    std::optional<User> user;
    QVERIFY(client.loginWithDeviceCode([&](const DeviceCode &c) { code = c; },
                                       [&](const User &u) { user = u; }));
    QCOMPARE(client.loginStatus(), LoginStatus::InProgress);
    QVERIFY(pump(client, [&] { return code.has_value(); }));
    QVERIFY(QRegularExpression(u"^[B-Z]{4}-[B-Z]{4}$"_s).match(code->userCode).hasMatch());
    QCOMPARE(code->verificationUri.path(), u"/device"_s);
    QVERIFY(code->verificationUriComplete.toString().contains(code->userCode));
    QVERIFY(code->expiresAt > QDateTime::currentDateTimeUtc().addSecs(590));
    QCOMPARE(answer(code->userCode, u"console@example.test"_s, "allow"), 200);
    QVERIFY(pump(client, [&] { return user.has_value(); }));
    QCOMPARE(user->email, u"console@example.test"_s);
    QVERIFY(client.isLoggedIn());
    QCOMPARE(client.loginStatus(), LoginStatus::Success);
}

void TestClientDevice::deviceLoginDenied()
{
    Client client(config(u"denied"_s));
    std::optional<DeviceCode> code;
    QVERIFY(client.loginWithDeviceCode([&](const DeviceCode &c) { code = c; }, {}));
    QVERIFY(pump(client, [&] { return code.has_value(); }));
    QCOMPARE(answer(code->userCode, u"no@example.test"_s, "deny"), 200);
    QVERIFY(pump(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
    QCOMPARE(client.loginError().code, ErrorCode::Cancelled);
    QVERIFY(client.loginError().message.contains("denied"_L1));
    QVERIFY(!client.isLoggedIn());
}

void TestClientDevice::deviceLoginCancelled()
{
    Client client(config(u"cancelled"_s));
    std::optional<DeviceCode> code;
    QVERIFY(client.loginWithDeviceCode([&](const DeviceCode &c) { code = c; }, {}));
    QVERIFY(!client.loginWithDeviceCode({}, {})); // one login at a time
    QVERIFY(pump(client, [&] { return code.has_value(); }));
    client.cancelLogin();
    QVERIFY(pump(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
    QCOMPARE(client.loginError().code, ErrorCode::Cancelled);
}

// RFC 8628 §3.5: after slow_down the client waits its interval plus 5 s.
void TestClientDevice::slowDownHonoured()
{
    StandInServer server;
    QList<qint64> polls;
    QElapsedTimer clock;
    clock.start();
    server.route("/oauth/device_authorization", [](const StandInRequest &) {
        const QJsonObject a{{u"device_code"_s, u"dc"_s},
                            {u"user_code"_s, u"BCDF-GHJK"_s},
                            {u"verification_uri"_s, u"http://127.0.0.1/device"_s},
                            {u"expires_in"_s, 600},
                            {u"interval"_s, 1}};
        return StandInReply{200, QJsonDocument(a).toJson(), {}, 0, false, {}};
    });
    server.route("/oauth/token", [&](const StandInRequest &r) {
        polls.append(clock.elapsed());
        const bool right =
            r.param("grant_type") == "urn:ietf:params:oauth:grant-type:device_code" &&
            r.param("device_code") == "dc" && r.param("client_id") == "latchkey-demo";
        const char *error = !right              ? "invalid_request"
                            : polls.size() == 1 ? "slow_down"
                                                : "access_denied";
        return StandInReply{400, QByteArray("{\"error\":\"") + error + "\"}", {}, 0, false, {}};
    });
    Client client(config(u"slow"_s, server.url(u"/"_s)));
    QVERIFY(client.loginWithDeviceCode({}, {}));
    QVERIFY(pump(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
    QCOMPARE(client.loginError().code, ErrorCode::Cancelled); // access_denied on the 2nd poll
    QCOMPARE(polls.size(), 2);
    QVERIFY2(polls[0] >= 1000, qPrintable(QString::number(polls[0])));
    QVERIFY2(polls[1] - polls[0] >= 6000, qPrintable(QString::number(polls[1] - polls[0])));
}

void TestClientDevice::steamLoginAndLink()
{
    Client client(config(u"steam"_s));
    std::optional<User> user;
    QVERIFY(client.loginWithSteamTicket(u"ab12"_s, [&](const User &u) { user = u; }));
    QVERIFY(pump(client, [&] { return user.has_value(); }));
    QCOMPARE(user->name, u"player-0001"_s);
    // The Steam persona name, when the game asks for it.
    std::optional<Result<User>> renamed;
    client.updateUsernameFromSteam([&](const Result<User> &r) { renamed = r; });
    QVERIFY(pump(client, [&] { return renamed.has_value(); }));
    QVERIFY2(*renamed, qPrintable(*renamed ? QString() : renamed->error().message));
    QCOMPARE((*renamed)->name, u"Steam_Player"_s);
    QCOMPARE(client.user().name, u"Steam_Player"_s);

    // A guest links the same Steam account: identity_in_use; another one joins.
    Client guest(config(u"steam-guest"_s));
    QVERIFY(guest.loginAsGuest({}));
    QVERIFY(pump(guest, [&] { return guest.isLoggedIn(); }));
    std::optional<Result<User>> linked;
    guest.linkSteamTicket(u"ab12"_s, [&](const Result<User> &r) { linked = r; });
    QVERIFY(pump(guest, [&] { return linked.has_value(); }));
    QVERIFY(!*linked);
    QCOMPARE(linked->error().code, ErrorCode::IdentityInUse);
    const qint64 guestId = guest.user().id;
    linked.reset();
    guest.linkSteamTicket(u"cd34"_s, [&](const Result<User> &r) { linked = r; });
    QVERIFY(pump(guest, [&] { return linked.has_value(); }));
    QVERIFY2(*linked, qPrintable(*linked ? QString() : linked->error().message));
    QCOMPARE((*linked)->id, guestId);
    QCOMPARE(guest.user().isGuest, false);
}

void TestClientDevice::steamBanReported()
{
    Client client(config(u"steam-banned"_s));
    QVERIFY(client.loginWithSteamTicket(u"bad0"_s, {}));
    QVERIFY(pump(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
    QCOMPARE(client.loginError().code, ErrorCode::AccountBanned);
}

QTEST_GUILESS_MAIN(TestClientDevice)
#include "tst_client_device.moc"
