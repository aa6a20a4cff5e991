// The whole login end to end, on SQLite and on a real PostgreSQL: the client library's
// browser flow (loopback listener, PKCE S256, state, discovery) against a real OpenID
// provider (npm oidc-provider, tests/fixtures/oidc) whose ID token an in-process Latchkey
// server verifies. The "browser" is a script that submits the provider's forms over HTTP,
// and once headless Chromium clicking through the provider's pages. Through the sign-in broker:
// Chromium on Latchkey's chooser, then the same OpenID provider (or a GitHub-like stand-in) as
// the broker's upstream; a guest that links the provider's account.
#include "app/latchkeyserver.h"

#include "brokerstandins.h"
#include "oidcprovider.h"
#include "pgfixture.h"
#include "testserverconfig.h"

#include <latchkey/client.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrlQuery>

#include <memory>
#include <optional>

#ifndef LATCHKEY_TEST_OUTPUT_DIR
#error "LATCHKEY_TEST_OUTPUT_DIR must name the build directory for the screenshot"
#endif

using namespace latchkey;
using namespace latchkey::test;

namespace {
constexpr int loginTimeoutMs = 30000;
constexpr int chromiumTimeoutMs = 45000;

// For failure messages (QVERIFY2 evaluates its message also when the check passes).
QString messageOf(const Result<User> &result)
{
    return result ? QString() : result.error().message;
}
} // namespace

class TestLoginE2e : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void scriptedLoginThenRestoredSession();
    void tamperedStateIsRefused();
    void chromiumLogin();
    void chromiumBrokerLogin_data();
    void chromiumBrokerLogin();
    void guestLinksThroughBroker();
    void chromiumDeviceLogin_data();
    void chromiumDeviceLogin();

private:
    Config serverConfig();
    ClientConfig clientConfig(const QString &storage, Opener opener) const;
    //! The library in its default mode: the broker, client "latchkey-demo", no provider hint.
    ClientConfig brokerClientConfig(const QString &storage, Opener opener) const;
    //! Runs \a client's callbacks until \a done or the browser's time is up.
    static bool waitFor(Client &client, const std::function<bool()> &done);
    //! The login log's events (new_user, login, login_failed, ...), in order.
    QStringList loginEvents() const;

    QString m_driver;
    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    OidcProvider m_provider;
    BrokerStandIns m_standIns;
    std::unique_ptr<LatchkeyServer> m_server;
};

Config TestLoginE2e::serverConfig()
{
    Config c = testServerConfig(m_dir, QStringLiteral("latchkey_login_e2e"), m_pg);
    // The provider stands where Google would: its client ID, issuer and keys.
    c.google.clientIds = {m_provider.clientId()};
    c.google.issuers = {m_provider.issuer().toString()};
    c.google.jwksUrl = m_provider.jwksUri();
    c.google.tokenInfoUrl =
        QUrl(m_provider.issuer().toString() + QStringLiteral("/no-tokeninfo")); // never Google's
    c.google.timeoutMs = 5000;
    // The broker's upstreams: the same provider as a confidential OpenID client, and GitHub's
    // stand-in.
    Config::Upstream fixture;
    fixture.name = QStringLiteral("fixture");
    fixture.type = QStringLiteral("oidc");
    fixture.displayName = QStringLiteral("Fixture OpenID");
    fixture.clientId = QStringLiteral("latchkey-broker");
    fixture.clientSecret = "broker-secret";
    fixture.issuer = m_provider.issuer();
    fixture.scopes = {QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("profile")};
    c.upstreams = {fixture};
    c.dev.enabled = true; // the device login's other upstream
    for (const Config::Upstream &standIn : m_standIns.upstreams()) {
        if (standIn.name == QLatin1StringView("github"))
            c.upstreams.push_back(standIn);
    }
    return c;
}

ClientConfig TestLoginE2e::clientConfig(const QString &storage, Opener opener) const
{
    ClientConfig c = brokerClientConfig(storage, std::move(opener));
    c.clientId = m_provider.clientId();
    c.provider = QStringLiteral("google");
    c.mode = LoginMode::Direct;
    c.issuer = m_provider.issuer();
    c.authorizationEndpoint = QUrl(); // empty: read from the provider's discovery document
    c.tokenEndpoint = QUrl();
    return c;
}

ClientConfig TestLoginE2e::brokerClientConfig(const QString &storage, Opener opener) const
{
    ClientConfig c;
    c.serverUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
    c.clientId = QStringLiteral("latchkey-demo");
    c.storageDirectory = m_dir.filePath(storage);
    c.secretStorage = SecretStorage::File;
    c.loginTimeout = std::chrono::milliseconds(chromiumTimeoutMs);
    c.requestTimeout = std::chrono::seconds(10);
    c.openBrowser = std::move(opener);
    return c;
}

bool TestLoginE2e::waitFor(Client &client, const std::function<bool()> &done)
{
    QDeadlineTimer deadline(chromiumTimeoutMs);
    while (!deadline.hasExpired()) {
        client.processCallbacks();
        if (done())
            return true;
        QTest::qWait(20);
    }
    return false;
}

QStringList TestLoginE2e::loginEvents() const
{
    QFile file(m_server->config().server.logDir + QStringLiteral("/login.log"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList events;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith('{'))
            events << QJsonDocument::fromJson(line)
                          .object()
                          .value(QLatin1StringView("event"))
                          .toString();
        else if (!line.isEmpty())
            events << QString::fromUtf8(line.split(' ').value(1));
    }
    return events;
}

void TestLoginE2e::initTestCase()
{
    m_driver = QProcessEnvironment::systemEnvironment().value(
        QStringLiteral("LATCHKEY_TEST_DRIVER"), QStringLiteral("sqlite"));
    if (m_driver == QLatin1StringView("postgres")) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    QVERIFY2(m_provider.start(), qPrintable(m_provider.errorString()));
    QCOMPARE(m_provider.jwksUri(), QUrl(m_provider.issuer().toString() + QStringLiteral("/jwks")));

    m_server = std::make_unique<LatchkeyServer>(serverConfig());
    const Status started = m_server->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

void TestLoginE2e::cleanupTestCase()
{
    m_server.reset();
    m_provider.stop();
}

void TestLoginE2e::scriptedLoginThenRestoredSession()
{
    auto run = std::make_shared<BrowserRun>();
    const QString storage = QStringLiteral("alice-storage");
    {
        Client client(clientConfig(storage, scriptedBrowser(QStringLiteral("alice"), {}, run)));
        std::optional<User> loggedIn;
        bool onOwnThread = false;
        int logouts = 0;
        QVERIFY(client.login(
            [&](const User &user) {
                loggedIn = user;
                onOwnThread = QThread::currentThread() == thread();
            },
            [&] { ++logouts; }));
        QCOMPARE(client.loginStatus(), LoginStatus::InProgress);
        QVERIFY(!client.login([](const User &) {})); // one login at a time

        QTRY_VERIFY2_WITH_TIMEOUT(
            (client.processCallbacks(), client.loginStatus() != LoginStatus::InProgress),
            qPrintable(run->describe()), loginTimeoutMs);
        QVERIFY2(client.loginStatus() == LoginStatus::Success,
                 qPrintable(client.loginError().message + QLatin1Char('\n') + run->describe()));
        QVERIFY(loggedIn);
        QVERIFY(onOwnThread);
        QCOMPARE(loggedIn->email, QStringLiteral("alice@example.test"));
        QCOMPARE(loggedIn->name, QStringLiteral("alice")); // the username comes from the e-mail
        QVERIFY(loggedIn->id > 0);
        QVERIFY(client.isLoggedIn());
        QCOMPARE(client.user(), *loggedIn);

        // What the browser saw: the library's page on http://127.0.0.1:<port>/callback, and
        // an authorization request with PKCE S256, state and nonce, built from discovery.
        QTRY_VERIFY_WITH_TIMEOUT(run->finished(), 10000);
        QVERIFY2(run->exitCode() == 0, qPrintable(run->describe()));
        QVERIFY2(run->output().startsWith(QStringLiteral("status 200")),
                 qPrintable(run->describe()));
        QVERIFY2(run->output().contains(QStringLiteral("You are signed in")),
                 qPrintable(run->describe()));
        const QUrl opened = run->url();
        QCOMPARE(
            opened.toString(QUrl::RemoveQuery),
            m_provider.discovery().value(QLatin1StringView("authorization_endpoint")).toString());
        const QUrlQuery query(opened);
        QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge_method")),
                 QStringLiteral("S256"));
        QVERIFY(!query.queryItemValue(QStringLiteral("state")).isEmpty());
        QVERIFY(!query.queryItemValue(QStringLiteral("nonce")).isEmpty());
        const QUrl redirect(
            query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(redirect.path(), QStringLiteral("/callback"));
        QVERIFY(redirect.port() > 0);

        const QStringList events = loginEvents();
        QVERIFY2(events.contains(QStringLiteral("new_user")) &&
                     events.contains(QStringLiteral("login")),
                 qPrintable(events.join(QLatin1Char(' '))));

        // The session works: rename, through the access token the login brought.
        std::optional<Result<User>> renamed;
        client.updateUsername(QStringLiteral("alice_e2e"),
                              [&](const Result<User> &r) { renamed = r; });
        QTRY_VERIFY_WITH_TIMEOUT((client.processCallbacks(), renamed.has_value()), 10000);
        QVERIFY2(*renamed, qPrintable(messageOf(*renamed)));
        QCOMPARE((*renamed)->name, QStringLiteral("alice_e2e"));
        QCOMPARE(client.user().name, QStringLiteral("alice_e2e"));
        QCOMPARE(logouts, 0);
    } // the game quits

    // The game starts again: the stored session, without the browser.
    {
        auto noBrowser = std::make_shared<BrowserRun>();
        Client client(
            clientConfig(storage, scriptedBrowser(QStringLiteral("nobody"), {}, noBrowser)));
        std::optional<User> restored;
        int logouts = 0;
        bool refreshed = false;
        connect(&client, &Client::sessionRefreshed, this, [&] { refreshed = true; });
        QVERIFY(client.loadStoredCredentials([&](const User &user) { restored = user; },
                                             [&] { ++logouts; }));
        QVERIFY(client.isLoggedIn()); // at once, from the cache
        QCOMPARE(client.user().email, QStringLiteral("alice@example.test"));
        QCOMPARE(client.user().name, QStringLiteral("alice_e2e"));
        QCOMPARE(client.loginStatus(), LoginStatus::Success);

        QTRY_VERIFY_WITH_TIMEOUT((client.processCallbacks(), refreshed), 10000);
        QVERIFY(restored);
        QCOMPARE(restored->email, QStringLiteral("alice@example.test"));
        QCOMPARE(client.user().name, QStringLiteral("alice_e2e"));
        QVERIFY(client.isOnline());

        // The refreshed session is the server's: another rename goes through.
        std::optional<Result<User>> renamed;
        client.updateUsername(QStringLiteral("alice_again"),
                              [&](const Result<User> &r) { renamed = r; });
        QTRY_VERIFY_WITH_TIMEOUT((client.processCallbacks(), renamed.has_value()), 10000);
        QVERIFY2(*renamed, qPrintable(messageOf(*renamed)));
        QCOMPARE(client.user().name, QStringLiteral("alice_again"));
        QVERIFY(!noBrowser->launched());

        client.logout();
        QTRY_VERIFY_WITH_TIMEOUT((client.processCallbacks(), logouts == 1), 10000);
        QVERIFY(!client.isLoggedIn());
        QTRY_VERIFY_WITH_TIMEOUT(loginEvents().contains(QStringLiteral("logout")), 10000);
    }

    // Logged out: nothing is stored any more.
    Client after(clientConfig(storage, scriptedBrowser(QStringLiteral("nobody"))));
    QVERIFY(!after.loadStoredCredentials());
    QVERIFY(!after.isLoggedIn());
}

void TestLoginE2e::tamperedStateIsRefused()
{
    const QStringList before = loginEvents();
    auto run = std::make_shared<BrowserRun>();
    Client client(
        clientConfig(QStringLiteral("mallory-storage"),
                     scriptedBrowser(QStringLiteral("mallory"), {.tamperState = true}, run)));
    bool succeeded = false;
    QVERIFY(client.login([&](const User &) { succeeded = true; }));
    // The browser gets the refusal page; the code is never exchanged. The login keeps
    // waiting for the real answer (a forged callback must not be able to end it): here the
    // player gives up.
    QTRY_VERIFY2_WITH_TIMEOUT(run->finished(), qPrintable(run->describe()), loginTimeoutMs);
    QVERIFY2(run->exitCode() == 0, qPrintable(run->describe()));
    QVERIFY2(run->output().startsWith(QStringLiteral("status 400")), qPrintable(run->describe()));
    client.processCallbacks();
    QCOMPARE(client.loginStatus(), LoginStatus::InProgress);
    client.cancelLogin();
    QTRY_VERIFY_WITH_TIMEOUT(
        (client.processCallbacks(), client.loginStatus() == LoginStatus::Failed), 10000);
    QCOMPARE(client.loginError().code, ErrorCode::Cancelled);
    QVERIFY(!succeeded);
    QVERIFY(!client.isLoggedIn());

    // The server saw nothing, nothing was stored.
    QTest::qWait(200);
    QCOMPARE(loginEvents(), before);
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("mallory-storage"))) ||
            QDir(m_dir.filePath(QStringLiteral("mallory-storage")))
                .isEmpty(QDir::Files | QDir::NoDotAndDotDot));
}

void TestLoginE2e::chromiumLogin()
{
    const QString chromium =
        qEnvironmentVariable("LATCHKEY_CHROMIUM", QStringLiteral("/usr/bin/chromium"));
    QVERIFY2(QFileInfo(chromium).isExecutable(),
             qPrintable(chromium + QStringLiteral(" is missing (scripts/deps.sh test)")));
    const QString screenshot =
        QStringLiteral(LATCHKEY_TEST_OUTPUT_DIR "/login_e2e_chromium_%1.png").arg(m_driver);
    QFile::remove(screenshot);

    auto run = std::make_shared<BrowserRun>();
    Client client(clientConfig(QStringLiteral("carol-storage"),
                               chromiumBrowser(QStringLiteral("carol"), screenshot, run)));
    std::optional<User> loggedIn;
    QVERIFY(client.login([&](const User &user) { loggedIn = user; }));
    QTRY_VERIFY2_WITH_TIMEOUT(
        (client.processCallbacks(), client.loginStatus() != LoginStatus::InProgress),
        qPrintable(run->describe()), chromiumTimeoutMs);
    QVERIFY2(client.loginStatus() == LoginStatus::Success,
             qPrintable(client.loginError().message + QLatin1Char('\n') + run->describe()));
    QVERIFY(loggedIn);
    QCOMPARE(loggedIn->email, QStringLiteral("carol@example.test"));

    // Chromium showed the library's page, and the screenshot of it is in the build directory.
    QTRY_VERIFY_WITH_TIMEOUT(run->finished(), 20000);
    QVERIFY2(run->exitCode() == 0, qPrintable(run->describe()));
    QVERIFY2(run->output().contains(QStringLiteral("You are signed in")),
             qPrintable(run->describe()));
    QVERIFY2(QFileInfo(screenshot).size() > 0, qPrintable(screenshot));

    client.logout();
    QTRY_VERIFY_WITH_TIMEOUT((client.processCallbacks(), !client.isLoggedIn()), 10000);
}

void TestLoginE2e::chromiumBrokerLogin_data()
{
    QTest::addColumn<QString>("choice");
    QTest::addColumn<QString>("login");
    QTest::addColumn<QString>("email");
    QTest::newRow("oidc-provider upstream")
        << QStringLiteral("Fixture OpenID") << QStringLiteral("dave")
        << QStringLiteral("dave@example.test");
    QTest::newRow("GitHub-like upstream") << QStringLiteral("GitHub") << QStringLiteral("-")
                                          << QStringLiteral("octocat@users.example");
}

// ClientConfig with only serverUrl and clientId: Chromium picks on the chooser.
void TestLoginE2e::chromiumBrokerLogin()
{
    QFETCH(QString, choice);
    QFETCH(QString, login);
    QFETCH(QString, email);
    auto run = std::make_shared<BrowserRun>();
    Client client(brokerClientConfig(QStringLiteral("broker-") + login,
                                     chromiumBrowser(login, {}, run, choice)));
    std::optional<User> loggedIn;
    QVERIFY(client.login([&](const User &user) { loggedIn = user; }));
    QVERIFY2(waitFor(client, [&] { return client.loginStatus() != LoginStatus::InProgress; }),
             qPrintable(run->describe()));
    QVERIFY2(client.loginStatus() == LoginStatus::Success,
             qPrintable(client.loginError().message + QLatin1Char('\n') + run->describe()));
    // The library opened Latchkey's own authorization endpoint, never the provider's.
    QCOMPARE(run->url().path(), QStringLiteral("/oauth/authorize"));
    QCOMPARE(run->url().port(), int(m_server->port()));
    QVERIFY(loggedIn);
    QCOMPARE(loggedIn->email, email);
    QCOMPARE(loggedIn->isGuest, false);
    QVERIFY(waitFor(client, [&] { return run->finished(); }));
    QVERIFY2(run->exitCode() == 0, qPrintable(run->describe()));
}

// A guest plays, then links the OpenID account (Chromium signs in at the provider; the
// provider hint skips the chooser) and becomes a full account; the last identity stays.
void TestLoginE2e::guestLinksThroughBroker()
{
    auto run = std::make_shared<BrowserRun>();
    Client client(brokerClientConfig(QStringLiteral("guest-link"),
                                     chromiumBrowser(QStringLiteral("erin"), {}, run)));
    std::optional<User> guest;
    QVERIFY(client.loginAsGuest([&](const User &user) { guest = user; }));
    QVERIFY(waitFor(client, [&] { return guest.has_value(); }));
    QVERIFY(guest->isGuest);

    std::optional<Result<User>> linked;
    client.linkIdentity(QStringLiteral("fixture"), [&](const Result<User> &r) { linked = r; });
    QVERIFY2(waitFor(client, [&] { return linked.has_value(); }), qPrintable(run->describe()));
    QVERIFY2(*linked, qPrintable(messageOf(*linked) + QLatin1Char('\n') + run->describe()));
    QCOMPARE((*linked)->id, guest->id);
    QCOMPARE((*linked)->isGuest, false);
    QCOMPARE((*linked)->email, QStringLiteral("erin@example.test"));
    QCOMPARE(client.user().isGuest, false);

    std::optional<Result<QList<Identity>>> identities;
    client.identities([&](const Result<QList<Identity>> &r) { identities = r; });
    QVERIFY(waitFor(client, [&] { return identities.has_value(); }));
    QVERIFY(*identities);
    QStringList providers;
    for (const Identity &identity : **identities)
        providers << identity.provider;
    providers.sort();
    QCOMPARE(providers, (QStringList{QStringLiteral("fixture"), QStringLiteral("guest")}));

    std::optional<Status> unlinked;
    client.unlinkIdentity(QStringLiteral("guest"), [&](const Status &s) { unlinked = s; });
    QVERIFY(waitFor(client, [&] { return unlinked.has_value(); }));
    QVERIFY(*unlinked);
    unlinked.reset();
    client.unlinkIdentity(QStringLiteral("fixture"), [&](const Status &s) { unlinked = s; });
    QVERIFY(waitFor(client, [&] { return unlinked.has_value(); }));
    QVERIFY(!*unlinked);
    QCOMPARE(unlinked->error().code, ErrorCode::LastIdentity);
}

void TestLoginE2e::chromiumDeviceLogin_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("login");
    QTest::addColumn<QString>("email");
    QTest::newRow("development provider")
        << QStringLiteral("dev") << QStringLiteral("tv.player@example.test")
        << QStringLiteral("tv.player@example.test");
    QTest::newRow("oidc-provider upstream") << QStringLiteral("fixture") << QStringLiteral("frank")
                                            << QStringLiteral("frank@example.test");
}

// RFC 8628 end to end: latchkey-login (the client library's device login) shows a code and
// a QR code; Chromium opens the URL it printed, signs in and allows; latchkey-login prints
// the player and exits 0.
void TestLoginE2e::chromiumDeviceLogin()
{
    QFETCH(QString, provider);
    QFETCH(QString, login);
    QFETCH(QString, email);
    QProcess device;
    QString shown;
    connect(&device, &QProcess::readyReadStandardOutput, this,
            [&] { shown += QString::fromUtf8(device.readAllStandardOutput()); });
    device.start(
        QStringLiteral(LATCHKEY_LOGIN_BINARY),
        {QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()),
         QStringLiteral("--storage"), m_dir.filePath(QStringLiteral("device-") + provider)});
    const QRegularExpression open(QStringLiteral("Or open: (\\S+)"));
    QTRY_VERIFY2_WITH_TIMEOUT(open.match(shown).hasMatch(), qPrintable(shown), 15000);
    QVERIFY2(shown.contains(QChar(0x2588)), qPrintable(shown)); // the QR code's blocks
    const QString uri = open.match(shown).captured(1);
    QVERIFY2(uri.contains(QStringLiteral("/device?user_code=")), qPrintable(uri));

    QProcess browser;
    browser.setWorkingDirectory(oidcFixtureDir());
    browser.start(nodeExecutable(), {oidcFixtureDir() + QStringLiteral("/chromium-device.mjs"), uri,
                                     provider, login});
    QTRY_VERIFY_WITH_TIMEOUT(browser.state() == QProcess::NotRunning, chromiumTimeoutMs);
    const QString page = QString::fromUtf8(browser.readAllStandardOutput());
    QVERIFY2(browser.exitCode() == 0,
             qPrintable(page + QString::fromUtf8(browser.readAllStandardError())));
    QVERIFY2(page.contains(QStringLiteral("You're signed in")), qPrintable(page));
    // The device polls every 5 s: it finishes within one interval or two.
    QTRY_VERIFY_WITH_TIMEOUT(device.state() == QProcess::NotRunning, 20000);
    shown += QString::fromUtf8(device.readAllStandardOutput());
    QVERIFY2(device.exitCode() == 0,
             qPrintable(shown + QString::fromUtf8(device.readAllStandardError())));
    QVERIFY2(shown.contains(QStringLiteral("Signed in as ")) && shown.contains(email),
             qPrintable(shown));
}

QTEST_GUILESS_MAIN(TestLoginE2e)
#include "tst_login_e2e.moc"
