// The device authorization grant (RFC 8628) over real sockets on SQLite and PostgreSQL, with
// the development provider as the upstream: the device's request and its refusals, every
// polling answer (pending, slow_down with the growing interval, access_denied,
// expired_token, the tokens once), the /device pages (forgiving input, the chooser without
// guest, "Allow <game>?", escaping), the wrong-code limit, and a second instance on the same
// database answering polls.
#include "app/latchkeyserver.h"

#include "brokerflow.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <QDateTime>
#include <QJsonArray>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
constexpr auto deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"_L1;

struct DeviceCode
{
    QString deviceCode;
    QString userCode;
};
} // namespace

class TestDevice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { m_offsetMs = 0; }
    void cleanupTestCase();

    void metadata();
    void authorizationAnswer();
    void authorizationRefused_data();
    void authorizationRefused();
    void pollingAnswers();
    void deniedThenTicketUsed();
    void expiredCode();
    void forgivingInputAndChooser();
    void failedSignInIsPage();
    void pollErrors_data();
    void pollErrors();
    void otherInstanceAnswers();
    void wrongCodesLimited(); // last: it blocks the address for the rest of its minute

private:
    DeviceCode newCode(const QString &clientId = u"latchkey-demo"_s);
    TestResponse poll(const QString &deviceCode, const QString &clientId = u"latchkey-demo"_s,
                      quint16 port = 0);
    //! Types \a userCode on /device and signs in as \a email with the development provider:
    //! the page the browser ends on.
    TestResponse signIn(const QString &userCode, const QString &email);
    TestResponse decide(const TestResponse &consent, const char *decision);
    static void checkRefusal(const TestResponse &r, int status, const char *error);
    static void checkPage(const TestResponse &r, int status);

    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    Config m_config;
    std::atomic<qint64> m_offsetMs{0};
    std::unique_ptr<LatchkeyServer> m_server;
    std::unique_ptr<LatchkeyServer> m_other; //!< a second instance on the same database
    quint16 m_port = 0;
};

void TestDevice::initTestCase()
{
    if (QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s) ==
        "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_config = testServerConfig(m_dir, u"latchkey_device"_s, m_pg);
    m_config.dev.enabled = true;
    m_config.clients.push_back(
        {u"web-game"_s, u"Web Game"_s, false, {u"https://game.example/callback"_s}, false});
    m_config.clients.push_back({u"tv-game"_s, u"TV <script>alert(1)</script>"_s, false, {}, true});
    const auto clock = [this] { return QDateTime::currentMSecsSinceEpoch() + m_offsetMs.load(); };
    m_server = std::make_unique<LatchkeyServer>(m_config, clock);
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    m_port = m_server->port();
    m_other = std::make_unique<LatchkeyServer>(m_config, clock);
    const Status otherStarted = m_other->start();
    QVERIFY2(otherStarted, qPrintable(otherStarted ? QString() : otherStarted.error().message));
}

void TestDevice::cleanupTestCase()
{
    m_other.reset();
    m_server.reset();
}

DeviceCode TestDevice::newCode(const QString &clientId)
{
    QUrlQuery form;
    form.addQueryItem(u"client_id"_s, clientId);
    const TestResponse r = postForm(m_port, "/oauth/device_authorization", form);
    if (r.status != 200)
        qWarning() << "device_authorization:" << r.status << r.body;
    return {r.json().value("device_code"_L1).toString(), r.json().value("user_code"_L1).toString()};
}

TestResponse TestDevice::poll(const QString &deviceCode, const QString &clientId, quint16 port)
{
    QUrlQuery form;
    form.addQueryItem(u"grant_type"_s, deviceGrant);
    form.addQueryItem(u"device_code"_s, deviceCode);
    form.addQueryItem(u"client_id"_s, clientId);
    return postForm(port ? port : m_port, "/oauth/token", form);
}

TestResponse TestDevice::signIn(const QString &userCode, const QString &email)
{
    return deviceSignIn(m_port, userCode, email);
}

TestResponse TestDevice::decide(const TestResponse &consent, const char *decision)
{
    return deviceDecide(m_port, consent, QString::fromLatin1(decision));
}

void TestDevice::checkRefusal(const TestResponse &r, int status, const char *error)
{
    QCOMPARE(r.status, status);
    QCOMPARE(r.json().value("error"_L1).toString(), QString::fromLatin1(error));
    QVERIFY(!r.json().value("error_description"_L1).toString().isEmpty());
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
}

void TestDevice::checkPage(const TestResponse &r, int status)
{
    QCOMPARE(r.status, status);
    QVERIFY(r.header("location").isEmpty());
    QVERIFY(r.header("content-type").startsWith("text/html"));
    QVERIFY(r.header("content-security-policy").contains("default-src 'none'"));
    QVERIFY2(!r.body.contains("<script"), r.body.constData());
}

void TestDevice::metadata()
{
    const QJsonObject m = getOnce(m_port, "/.well-known/oauth-authorization-server").json();
    QCOMPARE(m.value("device_authorization_endpoint"_L1).toString(),
             u"http://127.0.0.1:%1/oauth/device_authorization"_s.arg(m_port));
    QVERIFY(m.value("grant_types_supported"_L1).toArray().contains(QJsonValue(deviceGrant)));
}

void TestDevice::authorizationAnswer()
{
    QUrlQuery form;
    form.addQueryItem(u"client_id"_s, u"latchkey-demo"_s);
    const TestResponse r = postForm(m_port, "/oauth/device_authorization", form);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
    const QJsonObject a = r.json();
    const QString userCode = a.value("user_code"_L1).toString();
    QVERIFY2(QRegularExpression(u"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$"_s)
                 .match(userCode)
                 .hasMatch(),
             qPrintable(userCode));
    QVERIFY(a.value("device_code"_L1).toString().size() >= 43);
    const QString uri = u"http://127.0.0.1:%1/device"_s.arg(m_port);
    QCOMPARE(a.value("verification_uri"_L1).toString(), uri);
    QCOMPARE(a.value("verification_uri_complete"_L1).toString(), uri + "?user_code="_L1 + userCode);
    QCOMPARE(a.value("expires_in"_L1).toInt(), 600);
    QCOMPARE(a.value("interval"_L1).toInt(), 5);
    QVERIFY(newCode().userCode != userCode);
}

void TestDevice::authorizationRefused_data()
{
    QTest::addColumn<QString>("clientId");
    QTest::newRow("unknown client") << u"no-such-game"_s;
    QTest::newRow("missing client") << QString();
    QTest::newRow("client without the device grant") << u"web-game"_s;
}

void TestDevice::authorizationRefused()
{
    QFETCH(QString, clientId);
    QUrlQuery form;
    if (!clientId.isEmpty())
        form.addQueryItem(u"client_id"_s, clientId);
    checkRefusal(postForm(m_port, "/oauth/device_authorization", form), 401, "invalid_client");
}

void TestDevice::pollingAnswers()
{
    const DeviceCode code = newCode();
    checkRefusal(poll(code.deviceCode), 400, "authorization_pending");
    // Sooner than the interval: slow_down, and the interval grows to 10 s.
    checkRefusal(poll(code.deviceCode), 400, "slow_down");
    m_offsetMs = 6000;
    checkRefusal(poll(code.deviceCode), 400, "slow_down");
    m_offsetMs = 6000 + 15500;
    checkRefusal(poll(code.deviceCode), 400, "authorization_pending");

    const TestResponse consent = signIn(code.userCode, u"console.player@example.test"_s);
    checkPage(consent, 200);
    QVERIFY2(consent.body.contains("Allow Latchkey demo on this device?"),
             consent.body.constData());
    QVERIFY(consent.body.contains("console.player"));
    const TestResponse done = decide(consent, "allow");
    checkPage(done, 200);
    QVERIFY(done.body.contains("signed in"));

    // Approved: the tokens, sooner than the interval or not, exactly once.
    const TestResponse tokens = poll(code.deviceCode);
    QCOMPARE(tokens.status, 200);
    const QJsonObject user = tokens.json().value("user"_L1).toObject();
    QCOMPARE(user.value("email"_L1).toString(), u"console.player@example.test"_s);
    TestClient me(m_port);
    QCOMPARE(me.get("/api/me", tokens.json().value("access_token"_L1).toString().toLatin1()).status,
             200);
    checkRefusal(poll(code.deviceCode), 400, "invalid_grant");
    // The confirmation is single-use.
    checkPage(decide(consent, "allow"), 400);
}

void TestDevice::deniedThenTicketUsed()
{
    const DeviceCode code = newCode(u"tv-game"_s);
    const TestResponse consent = signIn(code.userCode, u"denier@example.test"_s);
    checkPage(consent, 200);
    QVERIFY2(consent.body.contains("TV &lt;script&gt;"), consent.body.constData());
    const TestResponse denied = decide(consent, "deny");
    checkPage(denied, 200);
    QVERIFY(denied.body.contains("denied"));
    checkRefusal(poll(code.deviceCode, u"tv-game"_s), 400, "access_denied");
    checkRefusal(poll(code.deviceCode, u"tv-game"_s), 400, "access_denied");
    // A denied code cannot be typed again.
    checkPage(getOnce(m_port, "/device?user_code=" + code.userCode.toLatin1()), 400);
    // An answer that is neither allow nor deny.
    checkPage(decide(consent, "maybe"), 400);
}

void TestDevice::expiredCode()
{
    const DeviceCode code = newCode();
    m_offsetMs = 601 * 1000;
    checkRefusal(poll(code.deviceCode), 400, "expired_token");
    const TestResponse typed = getOnce(m_port, "/device?user_code=" + code.userCode.toLatin1());
    checkPage(typed, 400);
    QVERIFY(typed.body.contains("not valid or has expired"));
}

void TestDevice::forgivingInputAndChooser()
{
    const DeviceCode code = newCode();
    checkPage(getOnce(m_port, "/device"), 200);
    const QByteArray typed = QUrl::toPercentEncoding(code.userCode.toLower().replace(u'-', u' '));
    const TestResponse chooser = getOnce(m_port, "/device?user_code=" + typed);
    checkPage(chooser, 200);
    QVERIFY(chooser.body.contains("provider=dev"));
    QVERIFY(chooser.body.contains("Latchkey demo"));
    QVERIFY(!chooser.body.contains("guest"));
    // The whole flow from the lower-case code.
    checkPage(signIn(code.userCode.toLower().remove(u'-'), u"lower@example.test"_s), 200);
}

void TestDevice::failedSignInIsPage()
{
    const DeviceCode code = newCode();
    const TestResponse cancelled = signIn(code.userCode, u"cancel"_s);
    QVERIFY(cancelled.status >= 400);
    checkPage(cancelled, cancelled.status);
    // The code stays usable: the player may try again.
    checkPage(signIn(code.userCode, u"retry@example.test"_s), 200);
    checkPage(
        getOnce(m_port, "/device?user_code=" + code.userCode.toLatin1() + "&provider=myspace"),
        400);
}

void TestDevice::pollErrors_data()
{
    QTest::addColumn<QString>("deviceCode");
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown code") << u"never-issued"_s << u"latchkey-demo"_s << 400
                                  << u"invalid_grant"_s;
    QTest::newRow("missing code") << QString() << u"latchkey-demo"_s << 400 << u"invalid_request"_s;
    QTest::newRow("another client's code")
        << u"(new)"_s << u"tv-game"_s << 400 << u"invalid_grant"_s;
    QTest::newRow("unknown client") << u"(new)"_s << u"nope"_s << 401 << u"invalid_client"_s;
}

void TestDevice::pollErrors()
{
    QFETCH(QString, deviceCode);
    QFETCH(QString, clientId);
    QFETCH(int, status);
    QFETCH(QString, error);
    if (deviceCode == "(new)"_L1)
        deviceCode = newCode().deviceCode;
    checkRefusal(poll(deviceCode, clientId), status, qPrintable(error));
}

// Every step is in the database: a code made on one instance is answered by the other.
void TestDevice::otherInstanceAnswers()
{
    const DeviceCode code = newCode();
    checkRefusal(poll(code.deviceCode, u"latchkey-demo"_s, m_other->port()), 400,
                 "authorization_pending");
    QCOMPARE(decide(signIn(code.userCode, u"two@example.test"_s), "allow").status, 200);
    QCOMPARE(poll(code.deviceCode, u"latchkey-demo"_s, m_other->port()).status, 200);
}

void TestDevice::wrongCodesLimited()
{
    m_offsetMs = 2 * 3600 * 1000; // a minute no other test typed a wrong code in
    const DeviceCode code = newCode();
    for (int i = 0; i < 10; ++i)
        checkPage(getOnce(m_port, "/device?user_code=BBBB-BBBB"), 400);
    const TestResponse limited = getOnce(m_port, "/device?user_code=BBBB-BBBB");
    checkPage(limited, 429);
    QVERIFY(limited.header("retry-after").toInt() > 0);
    QVERIFY(limited.body.contains("Too many wrong codes"));
    // The right code too, until the minute is over, on every instance.
    checkPage(getOnce(m_port, "/device?user_code=" + code.userCode.toLatin1()), 429);
    checkPage(getOnce(m_other->port(), "/device?user_code=" + code.userCode.toLatin1()), 429);
}

QTEST_GUILESS_MAIN(TestDevice)
#include "tst_device.moc"
