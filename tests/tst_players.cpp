// What players see of their own account, over real sockets on SQLite and PostgreSQL: their
// sessions per device (masked addresses, the caller's marked, ending another device's, never
// another player's), their preferences (a JSON object of at most 16 KiB), the export of
// everything stored about them, and deleting the account.
#include "api/sessionroutes.h"
#include "app/latchkeyserver.h"

#include "brokerflow.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
using Device = SignedIn;

QByteArray bearer(const QByteArray &token)
{
    return "Bearer " + token;
}
} // namespace

class TestPlayers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase() { m_server.reset(); }

    void maskedAddress_data();
    void maskedAddress();
    void sessionsPerDevice();
    void sessionRefusals();
    void preferencesRoundTrip();
    void preferencesRefusals_data();
    void preferencesRefusals();
    void exportHoldsEverything();
    void deleteRefusals_data();
    void deleteRefusals();
    void deleteAccount();

private:
    //! A sign-in of \a email through the broker's development provider: a new session.
    Device signIn(const QString &email);
    TestResponse call(const QByteArray &method, const QByteArray &path, const QByteArray &token,
                      const QByteArray &body = {},
                      const QByteArray &contentType = "application/json");

    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    std::unique_ptr<LatchkeyServer> m_server;
    quint16 m_port = 0;
};

void TestPlayers::initTestCase()
{
    if (QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s) ==
        "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    Config c = testServerConfig(m_dir, u"latchkey_players"_s, m_pg);
    c.dev.enabled = true;
    m_server = std::make_unique<LatchkeyServer>(c);
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    m_port = m_server->port();
}

Device TestPlayers::signIn(const QString &email)
{
    return devSignIn(m_port, email);
}

TestResponse TestPlayers::call(const QByteArray &method, const QByteArray &path,
                               const QByteArray &token, const QByteArray &body,
                               const QByteArray &contentType)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!token.isEmpty())
        headers.append({"Authorization", bearer(token)});
    if (!body.isEmpty())
        headers.append({"Content-Type", contentType});
    TestClient client(m_port);
    return client.request(method, path, body, headers);
}

void TestPlayers::maskedAddress_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("shown");
    QTest::newRow("IPv4") << u"203.0.113.77"_s << u"203.0.113.0/24"_s;
    QTest::newRow("IPv6") << u"2001:db8:1:2:3:4:5:6"_s << u"2001:db8:1:2::/64"_s;
    QTest::newRow("IPv4-mapped") << u"::ffff:198.51.100.9"_s << u"198.51.100.0/24"_s;
    QTest::newRow("none") << QString() << QString();
    QTest::newRow("not an address") << u"garbage"_s << QString();
}

void TestPlayers::maskedAddress()
{
    QFETCH(QString, address);
    QFETCH(QString, shown);
    QCOMPARE(SessionRoutes::maskedAddress(address), shown);
}

void TestPlayers::sessionsPerDevice()
{
    const Device phone = signIn(u"two.devices@example.test"_s);
    const Device laptop = signIn(u"two.devices@example.test"_s);
    QCOMPARE(phone.userId, laptop.userId);
    QVERIFY(phone.sessionId != laptop.sessionId);

    const TestResponse listed = call("GET", "/api/sessions", phone.access);
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json().value("status"_L1).toString(), u"success"_s);
    const QJsonArray sessions = listed.json().value("sessions"_L1).toArray();
    QCOMPARE(sessions.size(), 2);
    for (const QJsonValue &value : sessions) {
        const QJsonObject s = value.toObject();
        const qint64 id = s.value("id"_L1).toInteger();
        QVERIFY(id == phone.sessionId || id == laptop.sessionId);
        QCOMPARE(s.value("current"_L1).toBool(), id == phone.sessionId);
        QCOMPARE(s.value("address"_L1).toString(), u"127.0.0.0/24"_s);
        QVERIFY(QDateTime::fromString(s.value("created_at"_L1).toString(), Qt::ISODateWithMs)
                    .isValid());
        QVERIFY(s.contains("last_refresh"_L1) && s.contains("user_agent"_L1));
    }

    // The phone ends the laptop's session: the laptop is out at once, the phone stays.
    const QByteArray laptopPath = "/api/sessions/" + QByteArray::number(laptop.sessionId);
    const TestResponse ended = call("DELETE", laptopPath, phone.access);
    QCOMPARE(ended.status, 200);
    QCOMPARE(call("GET", "/api/me", laptop.access).status, 401);
    QCOMPARE(call("GET", "/api/me", phone.access).status, 200);
    QCOMPARE(
        call("GET", "/api/sessions", phone.access).json().value("sessions"_L1).toArray().size(), 1);
    QCOMPARE(call("DELETE", laptopPath, phone.access).status, 404); // ended already
}

void TestPlayers::sessionRefusals()
{
    const Device mine = signIn(u"mine@example.test"_s);
    const Device theirs = signIn(u"theirs@example.test"_s);
    // Another player's session is "no such session", and stays live.
    const TestResponse other =
        call("DELETE", "/api/sessions/" + QByteArray::number(theirs.sessionId), mine.access);
    QCOMPARE(other.status, 404);
    QCOMPARE(other.json().value("code"_L1).toString(), u"not_found"_s);
    QCOMPARE(call("GET", "/api/me", theirs.access).status, 200);
    QCOMPARE(call("DELETE", "/api/sessions/999999999", mine.access).status, 404);
    for (const QByteArray path : {"/api/sessions/abc", "/api/sessions/0", "/api/sessions/-1",
                                  "/api/sessions/", "/api/sessions/1/2"})
        QCOMPARE(call("DELETE", path, mine.access).status, 404);
    const TestResponse wrongMethod = call("GET", "/api/sessions/1", mine.access);
    QCOMPARE(wrongMethod.status, 405);
    QCOMPARE(wrongMethod.header("allow"), QByteArray("DELETE"));
    QCOMPARE(call("GET", "/api/sessions", {}).status, 401);
    QCOMPARE(call("DELETE", "/api/sessions/1", "not-a-token").status, 401);
}

void TestPlayers::preferencesRoundTrip()
{
    const Device player = signIn(u"prefs@example.test"_s);
    const TestResponse empty = call("GET", "/api/preferences", player.access);
    QCOMPARE(empty.status, 200);
    QCOMPARE(empty.json().value("preferences"_L1).toObject(), QJsonObject());

    const QJsonObject prefs{{u"volume"_s, 0.5},
                            {u"keys"_s, QJsonObject{{u"jump"_s, u"space"_s}}},
                            {u"name in Ελληνικά"_s, u"ναι"_s}};
    const TestResponse put = call("PUT", "/api/preferences", player.access,
                                  QJsonDocument(prefs).toJson(QJsonDocument::Compact));
    QCOMPARE(put.status, 200);
    QCOMPARE(put.json().value("preferences"_L1).toObject(), prefs);
    QCOMPARE(call("GET", "/api/preferences", player.access).json().value("preferences"_L1),
             QJsonValue(prefs));
    // Replaced whole, not merged; another player sees only their own.
    QCOMPARE(call("PUT", "/api/preferences", player.access, "{\"volume\":1}").status, 200);
    QCOMPARE(call("GET", "/api/preferences", player.access).json().value("preferences"_L1),
             QJsonValue(QJsonObject{{u"volume"_s, 1}}));
    const Device other = signIn(u"prefs.other@example.test"_s);
    QCOMPARE(call("GET", "/api/preferences", other.access).json().value("preferences"_L1),
             QJsonValue(QJsonObject()));
}

void TestPlayers::preferencesRefusals_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("an array") << QByteArray("[1,2]") << QByteArray("application/json") << 400
                              << u"invalid_json"_s;
    QTest::newRow("a number") << QByteArray("5") << QByteArray("application/json") << 400
                              << u"invalid_json"_s;
    QTest::newRow("not JSON") << QByteArray("{volume") << QByteArray("application/json") << 400
                              << u"invalid_json"_s;
    QTest::newRow("empty") << QByteArray() << QByteArray("application/json") << 400
                           << u"invalid_json"_s;
    QTest::newRow("a form") << QByteArray("a=b") << QByteArray("application/x-www-form-urlencoded")
                            << 415 << u"unsupported_media_type"_s;
    const QByteArray big = "{\"blob\":\"" + QByteArray(16 * 1024, 'x') + "\"}";
    QTest::newRow("over 16 KiB") << big << QByteArray("application/json") << 413
                                 << u"payload_too_large"_s;
}

void TestPlayers::preferencesRefusals()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QString, code);
    const Device player = signIn(u"refused.prefs@example.test"_s);
    QCOMPARE(call("PUT", "/api/preferences", player.access, "{\"kept\":true}").status, 200);
    const TestResponse r = call("PUT", "/api/preferences", player.access, body, contentType);
    QCOMPARE(r.status, status);
    QCOMPARE(r.json().value("code"_L1).toString(), code);
    QVERIFY(!r.json().value("message"_L1).toString().isEmpty());
    // Nothing was lost.
    QCOMPARE(call("GET", "/api/preferences", player.access).json().value("preferences"_L1),
             QJsonValue(QJsonObject{{u"kept"_s, true}}));
    QCOMPARE(call("GET", "/api/preferences", {}).status, 401);
}

void TestPlayers::exportHoldsEverything()
{
    const Device phone = signIn(u"export@example.test"_s);
    const Device laptop = signIn(u"export@example.test"_s);
    QCOMPARE(call("DELETE", "/api/sessions/" + QByteArray::number(laptop.sessionId), phone.access)
                 .status,
             200);
    QCOMPARE(call("PUT", "/api/preferences", phone.access, "{\"lang\":\"fr\"}").status, 200);
    const TestResponse r = call("GET", "/api/me/export", phone.access);
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("content-disposition").startsWith("attachment; filename=\"latchkey-export-"));
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
    const QJsonObject data = r.json();
    QCOMPARE(data.value("user"_L1).toObject().value("id"_L1).toInteger(), phone.userId);
    QCOMPARE(data.value("user"_L1).toObject().value("email"_L1).toString(),
             u"export@example.test"_s);
    const QJsonArray identities = data.value("identities"_L1).toArray();
    QCOMPARE(identities.size(), 1);
    QCOMPARE(identities.first().toObject().value("provider"_L1).toString(), u"dev"_s);
    // Every session, the ended one too, with its address unmasked: the player's own data.
    const QJsonArray sessions = data.value("sessions"_L1).toArray();
    QCOMPARE(sessions.size(), 2);
    const QJsonObject ended = sessions.at(1).toObject();
    QCOMPARE(ended.value("id"_L1).toInteger(), laptop.sessionId);
    QVERIFY(ended.value("revoked_at"_L1).toInteger() > 0);
    QCOMPARE(ended.value("revoke_reason"_L1).toString(), u"ended_by_player"_s);
    QCOMPARE(ended.value("address"_L1).toString(), u"127.0.0.1"_s);
    QVERIFY(sessions.at(0).toObject().value("revoked_at"_L1).isNull());
    QCOMPARE(data.value("preferences"_L1).toObject(), (QJsonObject{{u"lang"_s, u"fr"_s}}));
    QVERIFY(data.contains("exported_at"_L1));
    QCOMPARE(call("GET", "/api/me/export", {}).status, 401);
}

void TestPlayers::deleteRefusals_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::newRow("no confirm") << QByteArray("{}") << u"missing_field"_s;
    QTest::newRow("another name") << QByteArray("{\"confirm\":\"someone\"}") << u"invalid_field"_s;
    QTest::newRow("another case") << QByteArray("{\"confirm\":\"REFUSED\"}") << u"invalid_field"_s;
    QTest::newRow("not a string") << QByteArray("{\"confirm\":true}") << u"invalid_field"_s;
    QTest::newRow("no body") << QByteArray() << u"invalid_json"_s;
}

void TestPlayers::deleteRefusals()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    const Device player = signIn(u"refused@example.test"_s); // named "refused"
    const TestResponse r = call("DELETE", "/api/me", player.access, body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value("code"_L1).toString(), code);
    QCOMPARE(call("GET", "/api/me", player.access).status, 200); // nothing was deleted
}

void TestPlayers::deleteAccount()
{
    const Device phone = signIn(u"leaving@example.test"_s);
    const Device laptop = signIn(u"leaving@example.test"_s);
    QCOMPARE(call("PUT", "/api/preferences", phone.access, "{\"a\":1}").status, 200);
    const QString name = call("GET", "/api/me", phone.access)
                             .json()
                             .value("user"_L1)
                             .toObject()
                             .value("name"_L1)
                             .toString();
    const TestResponse deleted =
        call("DELETE", "/api/me", phone.access,
             QJsonDocument(QJsonObject{{u"confirm"_s, name}}).toJson(QJsonDocument::Compact));
    QCOMPARE(deleted.status, 200);
    // Every token of the account stops working at once, on every device.
    for (const Device &device : {phone, laptop}) {
        QCOMPARE(call("GET", "/api/me", device.access).status, 401);
        QCOMPARE(postJsonOnce(m_port, "/api/refresh",
                              {{u"refresh_token"_s, QString::fromLatin1(device.refresh)}})
                     .status,
                 401);
    }
    QFile log(m_server->config().server.logDir + u"/login.log"_s);
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY(log.readAll().contains("account_deleted"));
    // The same provider account signs in as a new player: nothing of the old one is left.
    const Device again = signIn(u"leaving@example.test"_s);
    QVERIFY(again.userId != phone.userId);
    QCOMPARE(call("GET", "/api/preferences", again.access).json().value("preferences"_L1),
             QJsonValue(QJsonObject()));
}

QTEST_GUILESS_MAIN(TestPlayers)
#include "tst_players.moc"
