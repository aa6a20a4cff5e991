// The demo launcher (client/demo) driven through its widgets under Xvfb, against the
// in-process server with its development provider, the browser step done by headless
// Chromium: log in, rename (and the server's refusals), log out, restore a stored session,
// cancel, play as guest and link the development sign-in to that player. A screenshot of each state
// goes to <build>/tests/demo-screenshots/.
#include "avatarloader.h"
#include "democonfig.h"
#include "demowindow.h"

#include "app/latchkeyserver.h"
#include "oidcprovider.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <latchkey/username.h>

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QProcess>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

#ifndef LATCHKEY_DEMO_SCREENSHOT_DIR
#error "LATCHKEY_DEMO_SCREENSHOT_DIR must name the folder for the screenshots"
#endif

using namespace latchkey;
using namespace latchkey::demo;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int loginTimeoutMs = 60000; // Chromium's start dominates: a few seconds usually
constexpr int browserTimeoutMs = 90000;

template <typename T> T *child(QWidget &window, const char *name)
{
    T *widget = window.findChild<T *>(QLatin1StringView(name));
    if (!widget)
        qFatal("the demo window has no %s named %s", T::staticMetaObject.className(), name);
    return widget;
}

//! A picture host for the avatar: https on loopback with a self-signed certificate (made
//! by the openssl command and trusted through the default SSL configuration). Serves one
//! PNG at /me.png and 404 for anything else.
class PictureHost : public QObject
{
public:
    bool start(const QString &dir)
    {
        const QString key = dir + QStringLiteral("/picture-key.pem");
        const QString cert = dir + QStringLiteral("/picture-cert.pem");
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                       QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                       QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                       QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"),
                       QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=IP:127.0.0.1")});
        if (!openssl.waitForFinished(20000) || openssl.exitCode() != 0) {
            qWarning() << "openssl failed:" << openssl.errorString()
                       << openssl.readAllStandardError();
            return false;
        }
        QFile keyFile(key);
        QFile certFile(cert);
        if (!keyFile.open(QIODevice::ReadOnly) || !certFile.open(QIODevice::ReadOnly))
            return false;
        const QSslCertificate certificate(&certFile, QSsl::Pem);
        QSslConfiguration serverSsl = QSslConfiguration::defaultConfiguration();
        serverSsl.setLocalCertificate(certificate);
        serverSsl.setPrivateKey(QSslKey(&keyFile, QSsl::Ec, QSsl::Pem));
        m_server.setSslConfiguration(serverSsl);
        // The clients of this process (the demo's avatar loader) trust it from now on.
        QSslConfiguration clientSsl = QSslConfiguration::defaultConfiguration();
        clientSsl.addCaCertificate(certificate);
        QSslConfiguration::setDefaultConfiguration(clientSsl);

        QImage picture(128, 128, QImage::Format_ARGB32);
        QPainter painter(&picture);
        QLinearGradient gradient(0, 0, 128, 128);
        gradient.setColorAt(0, QColor(0xe6, 0x5a, 0x8a));
        gradient.setColorAt(1, QColor(0x5a, 0xa9, 0xe6));
        painter.fillRect(picture.rect(), gradient);
        painter.setBrush(QColor(0xff, 0xe0, 0xbd));
        painter.setPen(Qt::NoPen);
        painter.drawEllipse(QPoint(64, 54), 26, 26);
        painter.drawEllipse(QPoint(64, 130), 46, 40);
        painter.end();
        QBuffer buffer(&m_png);
        buffer.open(QIODevice::WriteOnly);
        picture.save(&buffer, "PNG");

        connect(&m_server, &QSslServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
        return m_server.listen(QHostAddress::LocalHost);
    }

    QUrl url(const QString &path) const
    {
        return QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }
    int served() const { return m_served; }

private:
    void serve(QTcpSocket *socket)
    {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            const QByteArray head = socket->peek(8192);
            if (!head.contains("\r\n\r\n"))
                return;
            socket->readAll();
            const bool found = head.startsWith("GET /me.png ");
            const QByteArray body = found ? m_png : QByteArray("not here\n");
            socket->write((found ? "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
                                 : "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n") +
                          QByteArray("Connection: close\r\nContent-Length: ") +
                          QByteArray::number(body.size()) + "\r\n\r\n" + body);
            socket->disconnectFromHost();
            if (found)
                ++m_served;
        });
    }

    QSslServer m_server;
    QByteArray m_png;
    int m_served = 0;
};

} // namespace

class TestDemo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void configFromArgumentsAndEnvironment_data();
    void configFromArgumentsAndEnvironment();
    void avatarLoaderFetchesHttpsOnly_data();
    void avatarLoaderFetchesHttpsOnly();
    void startsLoggedOut();
    void loginRenameLogout();
    void changesFromAnotherDevice();
    void restoresStoredSessionWithoutBrowser();
    void cancelWhileBrowserIsOpen();
    void noServerSaysWhatToStart();
    void showsPictureFromHttps();
    void guestThenLinks();

private:
    //! The demo's own configuration for this server (clientConfigFrom, as main() builds it),
    //! with its session in \a storage and the browser step done by Chromium as \a email.
    ClientConfig demoConfig(const QString &storage, const QString &name, const QString &email);
    //! An opener that starts chromium-devidp.mjs on the main thread and returns at once.
    BrowserOpener chromiumOpener(const QString &name, const QString &email);
    //! Logs \a window in through its login button; the player's username, empty on failure.
    QString logInThroughWindow(DemoWindow &window);
    //! Saves window.grab() as <name>.png and checks it is the window's size and not blank.
    void checkScreenshot(DemoWindow &window, const QString &name);
    QString browserReport() const;

    QTemporaryDir m_dir;
    std::unique_ptr<LatchkeyServer> m_server;
    QString m_serverUrl;
    std::shared_ptr<BrowserRun> m_lastRun;
    QList<std::shared_ptr<BrowserRun>> m_runs; //!< every opener of the current test function
    int m_serial = 0;
};

void TestDemo::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(qApp->platformName() == QLatin1StringView("xcb") ||
                 qApp->platformName() == QLatin1StringView("offscreen"),
             qPrintable(QStringLiteral("unexpected QPA platform %1").arg(qApp->platformName())));
    QVERIFY2(!nodeExecutable().isEmpty(), "node is not installed (scripts/deps.sh test)");
    QVERIFY2(
        QFileInfo::exists(oidcFixtureDir() +
                          QStringLiteral("/node_modules/playwright-core/package.json")),
        "tests/fixtures/oidc/node_modules is missing: run `npm ci` there (scripts/test.sh does)");
    QVERIFY2(QFileInfo::exists(
                 qEnvironmentVariable("LATCHKEY_CHROMIUM", QStringLiteral("/usr/bin/chromium"))),
             "/usr/bin/chromium is missing (scripts/deps.sh test)");
    QVERIFY(QDir().mkpath(QStringLiteral(LATCHKEY_DEMO_SCREENSHOT_DIR)));

    Config c = testServerConfig(m_dir, QStringLiteral("server"));
    c.dev.enabled = true; // the demo's default provider: /dev-idp/, client id latchkey-dev
    c.security.allowPrivatePictureHosts = true; // the picture host is https on 127.0.0.1
    m_server = std::make_unique<LatchkeyServer>(c);
    const Status started = m_server->start();
    QVERIFY2(started.ok(), started.ok() ? "" : qPrintable(started.error().message));
    m_serverUrl = QStringLiteral("http://127.0.0.1:%1").arg(m_server->port());
}

void TestDemo::cleanupTestCase()
{
    m_server.reset();
}

void TestDemo::cleanup()
{
    if (QTest::currentTestFailed() && m_lastRun)
        qWarning().noquote() << browserReport();
    // A browser script outlives the login by the time Chromium takes to close: let it end
    // here rather than be killed with the test (its profile folder is removed on exit).
    for (const auto &run : std::as_const(m_runs)) {
        if (run->launched() && !QTest::qWaitFor([&] { return run->finished(); }, browserTimeoutMs))
            qWarning().noquote() << "a browser script did not end:" << run->describe();
    }
    m_runs.clear();
    m_lastRun.reset();
}

void TestDemo::configFromArgumentsAndEnvironment_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("environment"); // NAME=value
    QTest::addColumn<QString>("error");           // part of the message; empty: accepted
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<QString>("issuer");

    // Broker mode: the server's chooser (no provider), as the embedded default's client.
    const QString dev; // no provider hint
    const QString devId = QStringLiteral("latchkey-demo");
    const QString google = QStringLiteral("https://accounts.google.com"); // unused by the broker
    QTest::newRow("defaults: local server, its sign-in page")
        << QStringList{} << QStringList{} << QString() << QStringLiteral("http://127.0.0.1:8000")
        << dev << devId << google;
    QTest::newRow("LATCHKEY_SERVER_URL")
        << QStringList{}
        << QStringList{QStringLiteral("LATCHKEY_SERVER_URL=http://localhost:9000/")} << QString()
        << QStringLiteral("http://localhost:9000/") << dev << devId << google;
    QTest::newRow("--server wins over the environment")
        << QStringList{QStringLiteral("--server"), QStringLiteral("https://accounts.example.com")}
        << QStringList{QStringLiteral("LATCHKEY_SERVER_URL=http://localhost:9000")} << QString()
        << QStringLiteral("https://accounts.example.com") << dev << devId << google;
    QTest::newRow("LATCHKEY_PROVIDER skips the chooser")
        << QStringList{}
        << QStringList{QStringLiteral("LATCHKEY_PROVIDER=guest"),
                       QStringLiteral("LATCHKEY_CLIENT_ID=my-game")}
        << QString() << QStringLiteral("http://127.0.0.1:8000") << QStringLiteral("guest")
        << QStringLiteral("my-game") << google;
    QTest::newRow("--server=URL") << QStringList{QStringLiteral("--server=http://127.0.0.1:8123")}
                                  << QStringList{} << QString()
                                  << QStringLiteral("http://127.0.0.1:8123") << dev << devId
                                  << google;
    QTest::newRow("GOOGLE_CLIENT_ID: Google")
        << QStringList{}
        << QStringList{QStringLiteral("GOOGLE_CLIENT_ID=123.apps.googleusercontent.com"),
                       QStringLiteral("GOOGLE_CLIENT_SECRET=s3cret")}
        << QString() << QStringLiteral("http://127.0.0.1:8000") << QStringLiteral("google")
        << QStringLiteral("123.apps.googleusercontent.com")
        << QStringLiteral("https://accounts.google.com");
    QTest::newRow("--server without URL") << QStringList{QStringLiteral("--server")}
                                          << QStringList{} << QStringLiteral("--server needs a URL")
                                          << QString() << QString() << QString() << QString();
    QTest::newRow("not http") << QStringList{QStringLiteral("--server"),
                                             QStringLiteral("ftp://example.com")}
                              << QStringList{} << QStringLiteral("must be http(s)") << QString()
                              << QString() << QString() << QString();
    QTest::newRow("no host") << QStringList{}
                             << QStringList{QStringLiteral("LATCHKEY_SERVER_URL=localhost:8000")}
                             << QStringLiteral("must be http(s)") << QString() << QString()
                             << QString() << QString();
    QTest::newRow("unknown argument") << QStringList{QStringLiteral("--verbose")} << QStringList{}
                                      << QStringLiteral("unknown argument: --verbose") << QString()
                                      << QString() << QString() << QString();
}

void TestDemo::configFromArgumentsAndEnvironment()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, error);
    QFETCH(QString, server);
    QFETCH(QString, provider);
    QFETCH(QString, clientId);
    QFETCH(QString, issuer);

    QProcessEnvironment env;
    for (const QString &pair : environment)
        env.insert(pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1));
    env.insert(QStringLiteral("LATCHKEY_STORAGE_DIR"), QStringLiteral("/tmp/somewhere"));
    const Result<ClientConfig> config =
        clientConfigFrom(QStringList{QStringLiteral("latchkey-demo")} + arguments, env);
    if (!error.isEmpty()) {
        QVERIFY(!config.ok());
        QVERIFY2(config.error().message.contains(error), qPrintable(config.error().message));
        return;
    }
    QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error().message));
    QCOMPARE(config->serverUrl, QUrl(server));
    QCOMPARE(config->provider, provider);
    QCOMPARE(config->clientId, clientId);
    QCOMPARE(config->issuer, QUrl(issuer));
    if (provider != QLatin1StringView("google")) {
        QCOMPARE(config->mode, LoginMode::Broker);
    } else {
        QCOMPARE(config->mode, LoginMode::Direct);
        QCOMPARE(config->clientSecret, QStringLiteral("s3cret"));
        QVERIFY(!config->authorizationEndpoint.isEmpty());
    }
    QCOMPARE(config->organization, QStringLiteral("Latchkey"));
    QCOMPARE(config->application, QStringLiteral("Demo"));
    QCOMPARE(config->storageDirectory, QStringLiteral("/tmp/somewhere"));
}

void TestDemo::avatarLoaderFetchesHttpsOnly_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("reason");
    QTest::newRow("none") << QUrl() << QStringLiteral("no picture");
    QTest::newRow("http") << QUrl(QStringLiteral("http://127.0.0.1:1/me.png"))
                          << QStringLiteral("not an https URL");
    QTest::newRow("file") << QUrl(QStringLiteral("file:///etc/passwd"))
                          << QStringLiteral("not an https URL");
    QTest::newRow("https, nobody listening")
        << QUrl(QStringLiteral("https://127.0.0.1:1/me.png")) << QString();
}

void TestDemo::avatarLoaderFetchesHttpsOnly()
{
    QFETCH(QUrl, url);
    QFETCH(QString, reason);
    AvatarLoader loader;
    QSignalSpy loaded(&loader, &AvatarLoader::loaded);
    QSignalSpy failed(&loader, &AvatarLoader::failed);
    loader.load(url);
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).toUrl(), url);
    if (!reason.isEmpty())
        QCOMPARE(failed.at(0).at(1).toString(), reason);
    QTest::qWait(50);
    QCOMPARE(failed.count(), 1); // exactly once
    QCOMPARE(loaded.count(), 0);
}

void TestDemo::startsLoggedOut()
{
    const QString storage = m_dir.filePath(QStringLiteral("fresh"));
    DemoWindow window(demoConfig(storage, QString(), QStringLiteral("nobody@example.com")));
    QVERIFY(!window.restoreSession());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.size(), DemoWindow::windowSize);
    QCOMPARE(window.page(), DemoWindow::Page::LoggedOut);
    QVERIFY(child<QPushButton>(window, "loginButton")->isVisible());
    QVERIFY(!child<QPushButton>(window, "cancelButton")->isVisible());
    QVERIFY(!child<QPushButton>(window, "logoutButton")->isVisible());
    QCOMPARE(child<QLabel>(window, "statusLabel")->text(), QStringLiteral("Not signed in."));
    checkScreenshot(window, QStringLiteral("demo-logged-out"));
}

void TestDemo::loginRenameLogout()
{
    // Someone else owns a name first, for the "taken" answer below.
    const QString rivalEmail = QStringLiteral("rival%1@example.com").arg(++m_serial);
    QString rivalName;
    {
        DemoWindow rival(demoConfig(m_dir.filePath(QStringLiteral("rival")),
                                    QStringLiteral("Rival"), rivalEmail));
        rival.show();
        rivalName = logInThroughWindow(rival);
        QVERIFY2(!rivalName.isEmpty(), "the rival's login failed");
    }

    const QString email = QStringLiteral("hero%1@example.com").arg(++m_serial);
    const QString storage = m_dir.filePath(QStringLiteral("hero"));
    DemoWindow window(demoConfig(storage, QStringLiteral("Hero"), email));
    QVERIFY(!window.restoreSession());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Log in: the busy state while the browser is open, then the player.
    auto *loginButton = child<QPushButton>(window, "loginButton");
    QTest::mouseClick(loginButton, Qt::LeftButton);
    QCOMPARE(window.page(), DemoWindow::Page::Busy);
    QVERIFY(child<QPushButton>(window, "cancelButton")->isVisible());
    QVERIFY(child<QLabel>(window, "busyLabel")->isVisible());
    QVERIFY(!loginButton->isVisible());
    checkScreenshot(window, QStringLiteral("demo-busy"));

    auto *nameLabel = child<QLabel>(window, "nameLabel");
    auto *emailLabel = child<QLabel>(window, "emailLabel");
    QTRY_COMPARE_WITH_TIMEOUT(emailLabel->text(), email, loginTimeoutMs);
    QCOMPARE(window.page(), DemoWindow::Page::Player);
    QVERIFY(window.client().isLoggedIn());
    const User player = window.client().user();
    QCOMPARE(nameLabel->text(), player.name);
    QCOMPARE(player.name, username::fromEmail(email)); // first login: named from the e-mail
    QCOMPARE(child<QLabel>(window, "starsLabel")->text(),
             QStringLiteral("%1 stars").arg(player.stars));
    QCOMPARE(child<QLabel>(window, "levelLabel")->text(),
             QStringLiteral("Level %1").arg(player.level));
    // The dev provider gives no picture: the placeholder, drawn.
    QVERIFY(player.picture.isEmpty());
    QVERIFY(window.showsPlaceholderAvatar());
    QVERIFY(!child<QLabel>(window, "avatarLabel")->pixmap().isNull());
    QVERIFY(child<QPushButton>(window, "logoutButton")->isVisible());
    QVERIFY(m_lastRun && m_lastRun->launched());
    QTRY_VERIFY_WITH_TIMEOUT(m_lastRun->finished(), browserTimeoutMs);
    QCOMPARE(m_lastRun->exitCode(), 0);
    QVERIFY2(m_lastRun->output().contains(QStringLiteral("/callback")),
             qPrintable(m_lastRun->output()));
    checkScreenshot(window, QStringLiteral("demo-logged-in"));

    // Rename.
    auto *usernameEdit = child<QLineEdit>(window, "usernameEdit");
    auto *renameButton = child<QPushButton>(window, "renameButton");
    auto *renameError = child<QLabel>(window, "renameErrorLabel");
    QVERIFY(!renameButton->isEnabled()); // nothing typed yet
    const QString newName = QStringLiteral("Hero_%1").arg(m_serial);
    QTest::keyClicks(usernameEdit, newName);
    QVERIFY(renameButton->isEnabled());
    QTest::mouseClick(renameButton, Qt::LeftButton);
    QTRY_COMPARE(nameLabel->text(), newName);
    QCOMPARE(window.client().user().name, newName);
    QVERIFY(renameError->text().isEmpty());
    QVERIFY(usernameEdit->text().isEmpty());
    QCOMPARE(child<QLabel>(window, "statusLabel")->text(),
             QStringLiteral("Your username is now %1.").arg(newName));

    // The longest name the rules allow still fits the window: elided, whole in the tooltip.
    const QString longName = QStringLiteral("Supercalifragilistic_Expialidoc%1").arg(m_serial % 10);
    QCOMPARE(longName.size(), username::maxLength);
    QTest::keyClicks(usernameEdit, longName);
    QTest::mouseClick(renameButton, Qt::LeftButton);
    QTRY_COMPARE(nameLabel->toolTip(), longName);
    QCOMPARE(window.client().user().name, longName);
    QVERIFY2(nameLabel->sizeHint().width() <= DemoWindow::windowSize.width(),
             qPrintable(nameLabel->text()));
    QVERIFY(renameError->text().isEmpty());
    checkScreenshot(window, QStringLiteral("demo-renamed-long"));
    QTest::keyClicks(usernameEdit, newName);
    QTest::mouseClick(renameButton, Qt::LeftButton);
    QTRY_COMPARE(nameLabel->text(), newName);

    // Taken (case does not matter): the server's message next to the field; the name stays.
    QTest::keyClicks(usernameEdit, rivalName.toUpper());
    QTest::keyClick(usernameEdit, Qt::Key_Return);
    QTRY_VERIFY(!renameError->text().isEmpty());
    QCOMPARE(renameError->text(), QStringLiteral("that username is taken"));
    QCOMPARE(nameLabel->text(), newName);
    QVERIFY(renameError->isVisible());
    QVERIFY(usernameEdit->isEnabled());
    QCOMPARE(usernameEdit->text(), rivalName.toUpper()); // kept, for the player to fix
    checkScreenshot(window, QStringLiteral("demo-rename-error"));

    // Invalid: the server's rule, word for word (the same rules the server links).
    const QString invalid = QStringLiteral("no spaces allowed");
    const Result<QString> expected = username::normalize(invalid);
    QVERIFY(!expected.ok());
    usernameEdit->clear();
    QTest::keyClicks(usernameEdit, invalid);
    QVERIFY(renameError->text().isEmpty() ||
            renameError->text() == QStringLiteral("that username is taken"));
    QTest::mouseClick(renameButton, Qt::LeftButton);
    QTRY_COMPARE(renameError->text(), expected.error().message);
    QCOMPARE(nameLabel->text(), newName);
    checkScreenshot(window, QStringLiteral("demo-rename-invalid"));

    // Log out: back to the login page, and the stored session is gone.
    QTest::mouseClick(child<QPushButton>(window, "logoutButton"), Qt::LeftButton);
    QTRY_COMPARE(window.page(), DemoWindow::Page::LoggedOut);
    QVERIFY(loginButton->isVisible());
    QVERIFY(loginButton->isEnabled());
    QVERIFY(!window.client().isLoggedIn());
    QCOMPARE(child<QLabel>(window, "statusLabel")->text(), QStringLiteral("Signed out."));
    checkScreenshot(window, QStringLiteral("demo-after-logout"));

    DemoWindow restarted(demoConfig(storage, QStringLiteral("Hero"), email));
    QVERIFY(!restarted.restoreSession());
    QCOMPARE(restarted.page(), DemoWindow::Page::LoggedOut);
}

// Another device of the same player: its rename shows here at once (the event socket), and
// ending this session from there (DELETE /api/sessions/{id}) logs this window out.
void TestDemo::changesFromAnotherDevice()
{
    const QString email = QStringLiteral("traveller%1@example.com").arg(++m_serial);
    DemoWindow window(demoConfig(m_dir.filePath(QStringLiteral("traveller-a")),
                                 QStringLiteral("Traveller"), email));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(!logInThroughWindow(window).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(window, "liveLabel")->text(),
                              QStringLiteral("\u25CF live"), loginTimeoutMs);
    auto *nameLabel = child<QLabel>(window, "nameLabel");

    const QString otherStorage = m_dir.filePath(QStringLiteral("traveller-b"));
    DemoWindow other(demoConfig(otherStorage, QStringLiteral("Traveller"), email));
    other.show();
    QVERIFY(!logInThroughWindow(other).isEmpty());
    QCOMPARE(other.client().user().id, window.client().user().id);
    const QString newName = QStringLiteral("Traveller_%1").arg(m_serial);
    QTest::keyClicks(child<QLineEdit>(other, "usernameEdit"), newName);
    QTest::mouseClick(child<QPushButton>(other, "renameButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(nameLabel->text(), newName, loginTimeoutMs);
    checkScreenshot(window, QStringLiteral("demo-renamed-elsewhere"));

    // The other device ends this one's session (its session list, as a player would).
    QFile secret(QDir(otherStorage).filePath(QStringLiteral("session.secret")));
    QVERIFY(secret.open(QIODevice::ReadOnly));
    const QString refresh =
        QJsonDocument::fromJson(secret.readAll())["refresh_token"_L1].toString();
    const quint16 port = QUrl(m_serverUrl).port();
    const QByteArray access = postJsonOnce(port, "/api/refresh", {{u"refresh_token"_s, refresh}})
                                  .json()["access_token"_L1]
                                  .toString()
                                  .toLatin1();
    latchkey::test::TestClient api(port);
    const QJsonArray sessions = api.get("/api/sessions", access).json()["sessions"_L1].toArray();
    int ended = 0;
    for (const QJsonValue &session : sessions) {
        if (session["current"_L1].toBool())
            continue;
        const QByteArray id = QByteArray::number(session["id"_L1].toInteger());
        QCOMPARE(api.request("DELETE", "/api/sessions/" + id, {},
                             {{"Authorization", "Bearer " + access}})
                     .status,
                 200);
        ++ended;
    }
    QCOMPARE(ended, 1);
    QTRY_COMPARE_WITH_TIMEOUT(window.page(), DemoWindow::Page::LoggedOut, loginTimeoutMs);
    QCOMPARE(child<QLabel>(window, "statusLabel")->text(),
             QStringLiteral("Your session has ended. Log in again."));
    checkScreenshot(window, QStringLiteral("demo-ended-elsewhere"));
}

void TestDemo::restoresStoredSessionWithoutBrowser()
{
    const QString email = QStringLiteral("returning%1@example.com").arg(++m_serial);
    const QString storage = m_dir.filePath(QStringLiteral("returning"));
    QString name;
    {
        DemoWindow first(demoConfig(storage, QStringLiteral("Returning"), email));
        first.show();
        name = logInThroughWindow(first);
        QVERIFY2(!name.isEmpty(), "the first login failed");
    }

    // The launcher starts again: the player at once, and no browser.
    ClientConfig config = demoConfig(storage, QString(), email);
    auto browserOpened = std::make_shared<std::atomic<int>>(0);
    config.openBrowser = [browserOpened](const QUrl &) {
        ++*browserOpened;
        return false;
    };
    DemoWindow window(config);
    QSignalSpy refreshed(&window.client(), &Client::sessionRefreshed);
    QVERIFY(window.restoreSession());
    QCOMPARE(window.page(), DemoWindow::Page::Player); // before the event loop ran at all
    QCOMPARE(child<QLabel>(window, "nameLabel")->text(), name);
    QCOMPARE(child<QLabel>(window, "emailLabel")->text(), email);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_COMPARE_WITH_TIMEOUT(refreshed.count(), 1, 15000); // the server accepted it
    QCOMPARE(window.page(), DemoWindow::Page::Player);
    QCOMPARE(child<QLabel>(window, "statusLabel")->text(),
             QStringLiteral("Signed in as %1.").arg(name));
    QVERIFY(child<QPushButton>(window, "logoutButton")->isVisible());
    QCOMPARE(browserOpened->load(), 0);
    checkScreenshot(window, QStringLiteral("demo-restored"));
}

void TestDemo::cancelWhileBrowserIsOpen()
{
    ClientConfig config = demoConfig(m_dir.filePath(QStringLiteral("cancel")), QString(),
                                     QStringLiteral("x@example.com"));
    std::atomic<bool> opened{false};
    config.openBrowser = [&opened](const QUrl &) {
        opened = true; // a player who never finishes in the browser
        return true;
    };
    DemoWindow window(config);
    QVERIFY(!window.restoreSession());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::mouseClick(child<QPushButton>(window, "loginButton"), Qt::LeftButton);
    QCOMPARE(window.page(), DemoWindow::Page::Busy);
    QTRY_VERIFY(opened.load());
    auto *cancel = child<QPushButton>(window, "cancelButton");
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(!cancel->isEnabled()); // no second cancel while the first one lands
    QTRY_COMPARE(window.page(), DemoWindow::Page::LoggedOut);
    QCOMPARE(window.client().loginError().code, ErrorCode::Cancelled);
    QCOMPARE(child<QLabel>(window, "statusLabel")->text(), QStringLiteral("Login cancelled."));
    QVERIFY(child<QPushButton>(window, "loginButton")->isEnabled());
}

void TestDemo::noServerSaysWhatToStart()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("LATCHKEY_STORAGE_DIR"), m_dir.filePath(QStringLiteral("noserver")));
    const Result<ClientConfig> parsed = clientConfigFrom(
        {QStringLiteral("latchkey-demo"), QStringLiteral("--server=http://127.0.0.1:1")}, env);
    QVERIFY(parsed.ok());
    ClientConfig config = *parsed;
    config.secretStorage = SecretStorage::File;
    std::atomic<bool> opened{false};
    config.openBrowser = [&opened](const QUrl &) { return opened = true; };
    DemoWindow window(config);
    QVERIFY(!window.restoreSession());
    window.show();
    QTest::mouseClick(child<QPushButton>(window, "loginButton"), Qt::LeftButton);
    QTRY_COMPARE(window.page(), DemoWindow::Page::LoggedOut);
    QVERIFY(!opened.load()); // discovery failed: no browser for nothing
    QCOMPARE(child<QLabel>(window, "statusLabel")->text(),
             QStringLiteral(
                 "Cannot reach the sign-in page. Is latchkey-server running at http://127.0.0.1:1 "
                 "(scripts/run.sh)?"));
    QVERIFY(!child<QLabel>(window, "statusLabel")->toolTip().isEmpty()); // the library's reason
}

void TestDemo::showsPictureFromHttps()
{
    PictureHost host;
    QVERIFY2(host.start(m_dir.path()),
             "the https picture host did not start (is openssl installed?)");
    const QString email = QStringLiteral("pictured%1@example.com").arg(++m_serial);
    DemoWindow window(
        demoConfig(m_dir.filePath(QStringLiteral("pictured")), QStringLiteral("Pictured"), email));
    QVERIFY(!window.restoreSession());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(!logInThroughWindow(window).isEmpty());
    QTRY_VERIFY(window.showsPlaceholderAvatar());

    // A picture the host does not have: still the placeholder.
    QSignalSpy settled(&window, &DemoWindow::avatarSettled);
    std::optional<Result<User>> updated;
    window.client().updatePicture(host.url(QStringLiteral("/missing.png")).toString(),
                                  [&](const Result<User> &r) { updated = r; });
    QTRY_VERIFY(updated.has_value());
    QVERIFY2(updated->ok(), updated->ok() ? "" : qPrintable(updated->error().message));
    QTRY_VERIFY(!settled.isEmpty() && settled.last().at(0).toBool() && settled.count() >= 2);
    QVERIFY(window.showsPlaceholderAvatar());

    // The real one: fetched over https and drawn round.
    settled.clear();
    updated.reset();
    window.client().updatePicture(host.url(QStringLiteral("/me.png")).toString(),
                                  [&](const Result<User> &r) { updated = r; });
    QTRY_VERIFY(updated.has_value() && updated->ok());
    QTRY_VERIFY(!settled.isEmpty() && !settled.last().at(0).toBool());
    QVERIFY(!window.showsPlaceholderAvatar());
    QCOMPARE(host.served(), 1);
    const QImage avatar = child<QLabel>(window, "avatarLabel")->pixmap().toImage();
    QCOMPARE(avatar.size(),
             QSize(DemoWindow::avatarSize, DemoWindow::avatarSize) * window.devicePixelRatio());
    QCOMPARE(qAlpha(avatar.pixel(0, 0)), 0); // a circle: the corners are clear
    QCOMPARE(qAlpha(avatar.pixel(avatar.width() / 2, avatar.height() / 2)), 255);
    checkScreenshot(window, QStringLiteral("demo-avatar"));
}

// "Play as guest" needs no browser; "Link…" opens the chooser (without guest) and the chosen
// sign-in joins the same player, who stops being a guest.
void TestDemo::guestThenLinks()
{
    const QString email = QStringLiteral("linked%1@example.com").arg(++m_serial);
    DemoWindow window(
        demoConfig(m_dir.filePath(QStringLiteral("guest")), QStringLiteral("Linker"), email));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *guestButton = child<QPushButton>(window, "guestButton");
    QVERIFY(guestButton->isVisible());
    QTest::mouseClick(guestButton, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.page(), DemoWindow::Page::Player, 15000);
    const User guest = window.client().user();
    QVERIFY(guest.isGuest);
    QVERIFY2(guest.name.startsWith(QStringLiteral("guest-")), qPrintable(guest.name));
    QVERIFY(!m_lastRun->launched()); // no browser for a guest
    auto *identities = child<QLabel>(window, "identitiesLabel");
    QTRY_COMPARE(identities->text(), QStringLiteral("Sign-ins: Guest"));
    QVERIFY(child<QLabel>(window, "statusLabel")->text().contains(QStringLiteral("guest")));
    checkScreenshot(window, QStringLiteral("demo-guest"));

    auto *linkButton = child<QPushButton>(window, "linkButton");
    QTest::mouseClick(linkButton, Qt::LeftButton);
    QVERIFY(!linkButton->isEnabled());
    QTRY_VERIFY2_WITH_TIMEOUT(identities->text().contains(QStringLiteral("Development sign-in")),
                              qPrintable(browserReport()), loginTimeoutMs);
    QVERIFY(linkButton->isEnabled());
    QCOMPARE(window.client().user().id, guest.id);
    QVERIFY(!window.client().user().isGuest);
    QCOMPARE(child<QLabel>(window, "emailLabel")->text(), email);
    QCOMPARE(child<QLabel>(window, "statusLabel")->text(),
             QStringLiteral("Linked: you can sign in with it on any computer."));
    QVERIFY2(!m_lastRun->url().query().contains(QStringLiteral("provider=")),
             qPrintable(m_lastRun->url().toString())); // the chooser, not a hint
    QTRY_VERIFY_WITH_TIMEOUT(m_lastRun->finished(), browserTimeoutMs);
    QCOMPARE(m_lastRun->exitCode(), 0);
    checkScreenshot(window, QStringLiteral("demo-linked"));
}

ClientConfig TestDemo::demoConfig(const QString &storage, const QString &name, const QString &email)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("LATCHKEY_STORAGE_DIR"), storage);
    const Result<ClientConfig> parsed = clientConfigFrom(
        {QStringLiteral("latchkey-demo"), QStringLiteral("--server"), m_serverUrl}, env);
    if (!parsed)
        qFatal("the demo refused its test configuration: %s", qPrintable(parsed.error().message));
    ClientConfig config = *parsed;
    config.secretStorage = SecretStorage::File; // no desktop secret store under Xvfb
    config.loginTimeout = std::chrono::milliseconds(loginTimeoutMs);
    config.requestTimeout = std::chrono::seconds(5);
    config.openBrowser = chromiumOpener(name, email);
    return config;
}

BrowserOpener TestDemo::chromiumOpener(const QString &name, const QString &email)
{
    auto run = std::make_shared<BrowserRun>();
    m_lastRun = run;
    m_runs.append(run);
    // Called on the library's thread, whose event loop also runs the loopback listener: the
    // script is started on the main thread (the test's) and this returns at once.
    return [run, name, email](const QUrl &url) {
        run->setLaunched(url);
        QMetaObject::invokeMethod(
            qApp,
            [run, name, email, url] {
                auto *process = new QProcess(qApp); // ~QApplication kills one a test left behind
                process->setWorkingDirectory(oidcFixtureDir());
                process->setProgram(nodeExecutable());
                process->setArguments({oidcFixtureDir() + QStringLiteral("/chromium-devidp.mjs"),
                                       url.toString(QUrl::FullyEncoded), name, email});
                QObject::connect(process, &QProcess::finished, process,
                                 [process, run](int code, QProcess::ExitStatus status) {
                                     run->setFinished(status == QProcess::NormalExit ? code : -1,
                                                      process->readAllStandardOutput(),
                                                      process->readAllStandardError());
                                     process->deleteLater();
                                 });
                QObject::connect(process, &QProcess::errorOccurred, process,
                                 [process, run](QProcess::ProcessError error) {
                                     if (error != QProcess::FailedToStart)
                                         return; // crashes and kills end in finished()
                                     run->setFinished(-1, {}, process->errorString().toUtf8());
                                     process->deleteLater();
                                 });
                QTimer::singleShot(browserTimeoutMs, process, [process] { process->kill(); });
                process->start();
            },
            Qt::QueuedConnection);
        return true;
    };
}

QString TestDemo::logInThroughWindow(DemoWindow &window)
{
    QTest::mouseClick(child<QPushButton>(window, "loginButton"), Qt::LeftButton);
    if (!QTest::qWaitFor([&] { return window.page() != DemoWindow::Page::Busy; }, loginTimeoutMs) ||
        window.page() != DemoWindow::Page::Player) {
        qWarning().noquote() << "login did not finish:" << window.client().loginError().message
                             << browserReport();
        return {};
    }
    return child<QLabel>(window, "nameLabel")->text();
}

void TestDemo::checkScreenshot(DemoWindow &window, const QString &name)
{
    // Let pending layout and paint events land first.
    QCoreApplication::processEvents();
    const QPixmap pixmap = window.grab();
    const QString path =
        QDir(QStringLiteral(LATCHKEY_DEMO_SCREENSHOT_DIR)).filePath(name + QStringLiteral(".png"));
    QVERIFY2(pixmap.save(path, "PNG"), qPrintable(path));

    // What was written, read back: the window's size, and a real picture.
    const QImage image(path);
    QVERIFY2(!image.isNull(), qPrintable(path));
    const QSize expected = DemoWindow::windowSize * window.devicePixelRatio();
    QCOMPARE(window.size(), DemoWindow::windowSize);
    QCOMPARE(image.size(), expected);
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    QHash<QRgb, int> histogram;
    for (int y = 0; y < argb.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        for (int x = 0; x < argb.width(); ++x)
            ++histogram[line[x]];
    }
    int dominant = 0;
    for (int count : std::as_const(histogram))
        dominant = std::max(dominant, count);
    const qint64 pixels = qint64(image.width()) * image.height();
    // Text and icons drawn with antialiasing give hundreds of colours; a blank or
    // unpainted window gives one or two.
    QVERIFY2(histogram.size() > 32,
             qPrintable(QStringLiteral("%1: only %2 colours").arg(path).arg(histogram.size())));
    QVERIFY2(dominant < pixels * 95 / 100,
             qPrintable(QStringLiteral("%1: one colour covers %2% of it")
                            .arg(path)
                            .arg(dominant * 100 / pixels)));
    qInfo().noquote() << "screenshot:" << path << histogram.size() << "colours";
}

QString TestDemo::browserReport() const
{
    return m_lastRun ? QStringLiteral("browser: ") + m_lastRun->describe()
                     : QStringLiteral("browser: not started");
}

QTEST_MAIN(TestDemo)
#include "tst_demo.moc"
