// The C API (latchkey/latchkey_c.h) against a real server (SQLite, the development provider
// for the device login's browser steps, done over HTTP by the test): its results and error
// codes, the device-code login, freeing mid-call and inside a callback; the plain C example
// (c_game_loop, compiled as C) run as a game would; the Python ctypes smoke test.
#include "app/latchkeyserver.h"

#include "brokerflow.h"
#include "frameloop.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <latchkey/latchkey_c.h>

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#if defined(__SANITIZE_ADDRESS__)
#define LATCHKEY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LATCHKEY_ASAN 1
#endif
#endif

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
//! What the callbacks saw, copied while they ran.
struct Seen
{
    QList<latchkey_result_kind> kinds;
    latchkey_error error = LATCHKEY_OK;
    QString message;
    QString userName;
    QString userCode;
    QStringList providers;
    int logouts = 0;
    latchkey_client *freeInCallback = nullptr;
};

void record(const latchkey_result *r, void *data)
{
    auto *seen = static_cast<Seen *>(data);
    seen->kinds.append(r->kind);
    seen->error = r->error;
    seen->message = QString::fromUtf8(r->message);
    if (r->user)
        seen->userName = QString::fromUtf8(r->user->name);
    if (r->user_code)
        seen->userCode = QString::fromUtf8(r->user_code);
    for (size_t i = 0; i < r->identity_count; ++i)
        seen->providers.append(QString::fromUtf8(r->identities[i].provider));
    if (r->kind == LATCHKEY_RESULT_LOGOUT)
        ++seen->logouts;
    if (seen->freeInCallback)
        latchkey_client_free(std::exchange(seen->freeInCallback, nullptr));
}
} // namespace

class TestCApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase() { m_server.reset(); }

    void badArguments();
    void errorNames();
    void guestCallsAndErrors();
    void deviceCodeLogin();
    void freeMidCall();
    void freeInsideCallback();
    void cGameLoop();
    void ctypesGuest();

private:
    latchkey_client *create(const QString &name, Seen *seen);
    //! Frames until \a done or 20 s.
    static bool frames(latchkey_client *client, const std::function<bool()> &done);

    QTemporaryDir m_dir;
    std::unique_ptr<LatchkeyServer> m_server;
    QByteArray m_url;
    QList<QByteArray> m_strings; //!< the config's strings, alive as long as the test
};

void TestCApi::initTestCase()
{
    QVERIFY(m_dir.isValid());
    Config c = testServerConfig(m_dir, u"server"_s);
    c.dev.enabled = true;
    m_server = std::make_unique<LatchkeyServer>(c);
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    m_url = "http://127.0.0.1:" + QByteArray::number(m_server->port());
}

latchkey_client *TestCApi::create(const QString &name, Seen *seen)
{
    m_strings.append(m_dir.filePath(name).toUtf8());
    latchkey_config config{};
    config.server_url = m_url.constData();
    config.client_id = "latchkey-demo";
    config.storage_directory = m_strings.constLast().constData();
    config.secret_storage = LATCHKEY_STORAGE_FILE;
    config.request_timeout_ms = 5000;
    return latchkey_client_create(&config, record, seen);
}

bool TestCApi::frames(latchkey_client *client, const std::function<bool()> &done)
{
    return runFrames([client] { latchkey_process_callbacks(client); }, done);
}

void TestCApi::badArguments()
{
    QVERIFY(!latchkey_client_create(nullptr, nullptr, nullptr));
    latchkey_config config{};
    config.server_url = "http://127.0.0.1:1";
    QVERIFY(!latchkey_client_create(&config, nullptr, nullptr)); // no client_id
    QCOMPARE(latchkey_login_as_guest(nullptr, record, nullptr), LATCHKEY_ERROR_BAD_ARGUMENT);
    Seen seen;
    latchkey_client *client = create(u"bad"_s, &seen);
    QVERIFY(client);
    QCOMPARE(latchkey_login_as_guest(client, nullptr, nullptr), LATCHKEY_ERROR_BAD_ARGUMENT);
    QCOMPARE(latchkey_login_with_steam_ticket(client, nullptr, record, &seen),
             LATCHKEY_ERROR_BAD_ARGUMENT);
    QCOMPARE(latchkey_load_stored_credentials(client, record, &seen), LATCHKEY_ERROR_NOT_FOUND);
    QCOMPARE(latchkey_is_logged_in(client), 0);
    latchkey_process_callbacks(nullptr);
    latchkey_logout(nullptr);
    latchkey_client_free(nullptr);
    latchkey_client_free(client);
}

void TestCApi::errorNames()
{
    QCOMPARE(latchkey_error_name(LATCHKEY_OK), "ok");
    QCOMPARE(latchkey_error_name(LATCHKEY_ERROR_USERNAME_TAKEN), "username_taken");
    QCOMPARE(latchkey_error_name(LATCHKEY_ERROR_ACCOUNT_BANNED), "account_banned");
    QCOMPARE(latchkey_error_name(LATCHKEY_ERROR_TIMEOUT), "timeout");
    QCOMPARE(latchkey_error_name(LATCHKEY_ERROR_BAD_ARGUMENT), "bad_argument");
    QCOMPARE(latchkey_error_name(latchkey_error(30)), "unknown"); // no such code
    // Every mirrored code has its own name: the C enum and ErrorCode agree in size.
    QSet<QByteArray> names;
    for (int e = LATCHKEY_ERROR_BAD_REQUEST; e <= LATCHKEY_ERROR_TIMEOUT; ++e)
        names.insert(latchkey_error_name(latchkey_error(e)));
    QCOMPARE(names.size(), LATCHKEY_ERROR_TIMEOUT);
    QVERIFY(!names.contains("unknown"));
}

void TestCApi::guestCallsAndErrors()
{
    Seen seen;
    latchkey_client *client = create(u"guest"_s, &seen);
    QCOMPARE(latchkey_login_as_guest(client, record, &seen), LATCHKEY_OK);
    QCOMPARE(latchkey_login_as_guest(client, record, &seen), LATCHKEY_ERROR_INVALID_FIELD);
    QVERIFY(frames(client, [&] { return !seen.kinds.isEmpty(); }));
    QCOMPARE(seen.kinds, QList{LATCHKEY_RESULT_LOGIN});
    QCOMPARE(seen.error, LATCHKEY_OK);
    QVERIFY(seen.userName.startsWith("guest-"_L1));
    QCOMPARE(latchkey_is_logged_in(client), 1);
    QVERIFY(frames(client, [&] { return latchkey_is_live(client) == 1; })); // the event socket

    latchkey_update_username(client, "x", record, &seen); // too short
    QVERIFY(frames(client, [&] { return seen.kinds.size() == 2; }));
    QCOMPARE(seen.kinds.last(), LATCHKEY_RESULT_USER);
    QCOMPARE(seen.error, LATCHKEY_ERROR_INVALID_USERNAME);
    QVERIFY(!seen.message.isEmpty());

    latchkey_identities(client, record, &seen);
    QVERIFY(frames(client, [&] { return seen.kinds.size() == 3; }));
    QCOMPARE(seen.kinds.last(), LATCHKEY_RESULT_IDENTITIES);
    QCOMPARE(seen.providers, QStringList{u"guest"_s});

    latchkey_update_username_from_steam(client, record, &seen); // Steam is off here: 404
    QVERIFY(frames(client, [&] { return seen.kinds.size() == 4; }));
    QCOMPARE(seen.kinds.last(), LATCHKEY_RESULT_USER);
    QCOMPARE(seen.error, LATCHKEY_ERROR_NOT_FOUND);

    latchkey_logout(client);
    QVERIFY(frames(client, [&] { return seen.logouts == 1; }));
    QCOMPARE(latchkey_is_logged_in(client), 0);
    QCOMPARE(latchkey_is_live(client), 0);
    QCOMPARE(latchkey_is_live(nullptr), 0);
    latchkey_client_free(client);
}

void TestCApi::deviceCodeLogin()
{
    Seen seen;
    latchkey_client *client = create(u"device"_s, &seen);
    QCOMPARE(latchkey_login_with_device_code(client, record, &seen), LATCHKEY_OK);
    QVERIFY(frames(client, [&] { return !seen.userCode.isEmpty(); }));
    QCOMPARE(seen.kinds, QList{LATCHKEY_RESULT_DEVICE_CODE});
    // The player's part, in a browser elsewhere.
    const quint16 port = m_server->port();
    const TestResponse consent = deviceSignIn(port, seen.userCode, u"c.console@example.test"_s);
    QCOMPARE(deviceDecide(port, consent, u"allow"_s).status, 200);
    QVERIFY(frames(client, [&] { return seen.kinds.size() == 2; }));
    QCOMPARE(seen.kinds.last(), LATCHKEY_RESULT_LOGIN);
    QCOMPARE(seen.error, LATCHKEY_OK);
    QCOMPARE(seen.userName, u"c.console"_s);
    latchkey_client_free(client);
}

void TestCApi::freeMidCall()
{
    Seen seen;
    latchkey_client *client = create(u"mid"_s, &seen);
    QCOMPARE(latchkey_login_as_guest(client, record, &seen), LATCHKEY_OK);
    latchkey_client_free(client); // the login is abandoned; its callback never runs
    QTest::qWait(300);
    QVERIFY(seen.kinds.isEmpty());
}

void TestCApi::freeInsideCallback()
{
    Seen seen;
    latchkey_client *client = create(u"inside"_s, &seen);
    QCOMPARE(latchkey_login_as_guest(client, record, &seen), LATCHKEY_OK);
    QVERIFY(frames(client, [&] { return !seen.kinds.isEmpty(); }));
    // Two calls answered in the same frame; the first callback frees the client.
    latchkey_refresh(client, record, &seen);
    latchkey_identities(client, record, &seen);
    QTest::qWait(1000); // both answers queued
    seen.freeInCallback = client;
    QVERIFY(latchkey_process_callbacks(client) >= 1);
    QCOMPARE(seen.kinds.size(), 2); // the login, then one callback: the second was dropped
    QVERIFY(!seen.freeInCallback);
}

void TestCApi::cGameLoop()
{
    QProcess game;
    game.start(QStringLiteral(LATCHKEY_C_GAME_LOOP),
               {u"--server"_s, QString::fromLatin1(m_url), u"--storage"_s,
                m_dir.filePath(u"c_game_loop"_s)});
    QVERIFY(game.waitForStarted());
    // The server runs on this thread's event loop's workers; wait without blocking it.
    QTRY_VERIFY_WITH_TIMEOUT(game.state() == QProcess::NotRunning, 60000);
    const QString out = QString::fromUtf8(game.readAllStandardOutput());
    QVERIFY2(game.exitCode() == 0,
             qPrintable(out + QString::fromUtf8(game.readAllStandardError())));
    QVERIFY2(out.contains("logged in as guest-"_L1), qPrintable(out));
    QVERIFY2(out.contains("renamed to c_player_"_L1), qPrintable(out));
    QVERIFY2(out.contains("sign-ins: guest"_L1), qPrintable(out));
    QVERIFY2(out.endsWith("logged out\n"_L1), qPrintable(out));
}

void TestCApi::ctypesGuest()
{
#ifdef LATCHKEY_ASAN
    // An uninstrumented python3 cannot load a library built with AddressSanitizer (its
    // runtime must come first, LD_PRELOAD); the dev stage runs this test.
    QSKIP("ctypes cannot load an ASan-instrumented library into python3");
#endif
    const QString python = QStandardPaths::findExecutable(u"python3"_s);
    QVERIFY2(!python.isEmpty(), "python3 is missing (scripts/deps.sh test installs it)");
    QProcess script;
    script.start(python,
                 {QStringLiteral(LATCHKEY_CTYPES_SCRIPT), QStringLiteral(LATCHKEY_CLIENT_SO),
                  QString::fromLatin1(m_url), m_dir.filePath(u"ctypes"_s)});
    QVERIFY(script.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(script.state() == QProcess::NotRunning, 60000);
    const QString out = QString::fromUtf8(script.readAllStandardOutput());
    QVERIFY2(script.exitCode() == 0,
             qPrintable(out + QString::fromUtf8(script.readAllStandardError())));
    QVERIFY2(out.contains("ctypes: logged in as guest-"_L1), qPrintable(out));
}

QTEST_GUILESS_MAIN(TestCApi)
#include "tst_c_api.moc"
