// The client in a Qt app against the real server and a real OpenID provider (npm
// oidc-provider, driven by a scripted browser): persistence across restarts, corrupt and
// foreign stores, refresh rejected → onLogout, server down → offline then recovery,
// 401 → refresh → retry, profile updates, callbacks drained by the Qt loop.
#include <latchkey/client.h>

#include "app/latchkeyserver.h"
#include "oidcprovider.h"
#include "testserverconfig.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace latchkey;
using namespace latchkey::test;

class TestClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void loginThenRestartRestoresWithoutBrowser();
    void corruptStoreMeansLoggedOut_data();
    void corruptStoreMeansLoggedOut();
    void foreignServerStoreIgnored();
    void refreshRejectedLogsOut();
    void serverDownKeepsSessionAndRecovers();
    void expiredAccessTokenRefreshedOnce();
    void usernameErrorsCarryCodes();
    void autoProcessInQtApp();
    void logoutEndsServerSession();
    void automaticStorageFallsBackToPrivateFile();

private:
    ClientConfig clientConfig(const QString &login);
    bool startServer(quint16 port = 0);
    //! Logs \a client in through the provider; true once onSuccess ran. \a logouts, when
    //! given, counts the onLogout calls from then on.
    bool loginWith(Client &client, int *logouts = nullptr);
    static bool pump(Client &client, const std::function<bool()> &done, int timeoutMs = 20000);
    //! The refresh token the client keeps in its file store.
    QString storedRefreshToken() const;
    //! POST /api/refresh with \a token from outside the client; the HTTP status.
    int refreshOutside(const QString &token);

    OidcProvider m_provider;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LatchkeyServer> m_server;
    Config m_serverConfig;
    std::atomic<qint64> m_offsetMs{0};
    int m_serial = 0;
    QString m_login;
};

void TestClient::initTestCase()
{
    QVERIFY2(m_provider.start(),
             "the OpenID provider fixture (node tests/fixtures/oidc/provider.mjs) did not start");
}

void TestClient::init()
{
    m_offsetMs = 0;
    m_dir = std::make_unique<QTemporaryDir>();
    m_login = QStringLiteral("player%1").arg(++m_serial);
    QVERIFY(startServer());
}

void TestClient::cleanup()
{
    m_server.reset();
}

bool TestClient::startServer(quint16 port)
{
    Config c = testServerConfig(*m_dir, QStringLiteral("server"));
    c.server.port = port; // a restarted server comes back on the same address
    c.google.clientIds = {m_provider.clientId()};
    c.google.issuers = {m_provider.issuer().toString()};
    c.google.jwksUrl = m_provider.jwksUri();
    m_serverConfig = c;
    m_server = std::make_unique<LatchkeyServer>(
        c, [this] { return QDateTime::currentMSecsSinceEpoch() + m_offsetMs.load(); });
    const Status started = m_server->start();
    if (!started)
        qWarning() << started.error().message;
    return started.ok();
}

ClientConfig TestClient::clientConfig(const QString &login)
{
    ClientConfig config;
    config.serverUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->port()));
    config.clientId = m_provider.clientId();
    config.issuer = m_provider.issuer();
    config.authorizationEndpoint = QUrl(); // discovery
    config.tokenEndpoint = QUrl();
    config.storageDirectory = m_dir->filePath(QStringLiteral("client"));
    config.secretStorage = SecretStorage::File;
    config.loginTimeout = std::chrono::seconds(30);
    config.requestTimeout = std::chrono::seconds(3);
    config.openBrowser = scriptedBrowser(login);
    return config;
}

bool TestClient::pump(Client &client, const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        client.processCallbacks();
        if (done())
            return true;
        QTest::qWait(10);
    }
    return false;
}

QString TestClient::storedRefreshToken() const
{
    QFile secret(m_dir->filePath(QStringLiteral("client/session.secret")));
    if (!secret.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(secret.readAll())
        .object()
        .value(QLatin1StringView("refresh_token"))
        .toString();
}

int TestClient::refreshOutside(const QString &token)
{
    QNetworkAccessManager network;
    QNetworkRequest request(
        QUrl(QStringLiteral("http://127.0.0.1:%1/api/refresh").arg(m_server->port())));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    std::unique_ptr<QNetworkReply> reply(network.post(
        request, QJsonDocument(QJsonObject{{QStringLiteral("refresh_token"), token}}).toJson()));
    QSignalSpy done(reply.get(), &QNetworkReply::finished);
    done.wait(10000);
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

bool TestClient::loginWith(Client &client, int *logouts)
{
    bool loggedIn = false;
    client.login([&](const User &) { loggedIn = true; },
                 [logouts] {
                     if (logouts)
                         ++*logouts;
                 });
    const bool ok =
        pump(client, [&] { return loggedIn || client.loginStatus() == LoginStatus::Failed; });
    if (client.loginStatus() == LoginStatus::Failed)
        qWarning() << "login failed:" << client.loginError().message;
    return ok && loggedIn;
}

void TestClient::loginThenRestartRestoresWithoutBrowser()
{
    User first;
    {
        Client client(clientConfig(m_login));
        QVERIFY(loginWith(client));
        first = client.user();
        QCOMPARE(first.email, m_login + QStringLiteral("@example.test"));
        QCOMPARE(client.loginStatus(), LoginStatus::Success);
    }
    // The game restarts: no browser this time (an opener that fails would fail the test).
    ClientConfig config = clientConfig(m_login);
    std::atomic<int> browserOpened{0};
    config.openBrowser = [&](const QUrl &) {
        ++browserOpened;
        return false;
    };
    Client client(config);
    int successes = 0;
    QVERIFY(client.loadStoredCredentials([&](const User &) { ++successes; }, [] {}));
    QVERIFY(client.isLoggedIn());
    QCOMPARE(client.user().id, first.id); // at once, from the profile cache
    QCOMPARE(client.user().name, first.name);
    QSignalSpy refreshed(&client, &Client::sessionRefreshed);
    QVERIFY(pump(client, [&] { return refreshed.count() == 1; }));
    QCOMPARE(successes, 1);
    QCOMPARE(browserOpened.load(), 0);
    // The restored session is a working one.
    std::optional<Result<User>> renamed;
    client.updateUsername(m_login + QStringLiteral("_back"),
                          [&](const Result<User> &r) { renamed = r; });
    QVERIFY(pump(client, [&] { return renamed.has_value(); }));
    QVERIFY2(renamed->ok(), renamed->ok() ? "" : qPrintable(renamed->error().message));
    QCOMPARE(client.user().name, m_login + QStringLiteral("_back"));
}

void TestClient::corruptStoreMeansLoggedOut_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("cachedPlayerShown");
    QTest::newRow("profile garbage") << "profile.json" << QByteArray("\x00\xff{{not json") << false;
    QTest::newRow("profile wrong shape")
        << "profile.json" << QByteArray("{\"version\":1,\"user\":[]}") << false;
    QTest::newRow("profile empty") << "profile.json" << QByteArray() << false;
    QTest::newRow("secret garbage") << "session.secret" << QByteArray("garbage") << true;
    QTest::newRow("secret forged token")
        << "session.secret" << QByteArray() << true; // filled below
}

void TestClient::corruptStoreMeansLoggedOut()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, content);
    QFETCH(bool, cachedPlayerShown);
    {
        Client client(clientConfig(m_login));
        QVERIFY(loginWith(client));
    }
    const QString path = m_dir->filePath(QStringLiteral("client/") + file);
    if (QByteArray(QTest::currentDataTag()) == "secret forged token") {
        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QJsonObject json = QJsonDocument::fromJson(in.readAll()).object();
        json.insert(
            QStringLiteral("refresh_token"),
            QStringLiteral("AQAAAAAAAAABAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        content = QJsonDocument(json).toJson();
    }
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(content);
    out.close();

    Client client(clientConfig(m_login));
    int logouts = 0;
    const bool restored = client.loadStoredCredentials([](const User &) {}, [&] { ++logouts; });
    QCOMPARE(restored, cachedPlayerShown);
    if (restored) // the cached player is shown, then the store turns out unusable: logged out
        QVERIFY(pump(client, [&] { return logouts == 1; }));
    QVERIFY(!client.isLoggedIn());
    QCOMPARE(client.user().id, qint64(0));
}

void TestClient::foreignServerStoreIgnored()
{
    {
        Client client(clientConfig(m_login));
        QVERIFY(loginWith(client));
    }
    ClientConfig other = clientConfig(m_login);
    other.serverUrl = QUrl(QStringLiteral("http://127.0.0.1:1")); // another server's game
    Client client(other);
    QVERIFY(!client.loadStoredCredentials());
    QVERIFY(!client.isLoggedIn());
}

void TestClient::refreshRejectedLogsOut()
{
    Client client(clientConfig(m_login));
    int logouts = 0;
    QVERIFY(loginWith(client, &logouts));
    // Someone else rotates the stored token (a copy of the file), then the grace window
    // passes: the client's token is a replay now, and the server ends the session.
    const QString token = storedRefreshToken();
    QVERIFY(!token.isEmpty());
    QCOMPARE(refreshOutside(token), 200);
    m_offsetMs = 11000;

    std::optional<Result<User>> result;
    client.refreshTokens([&](const Result<User> &r) { result = r; });
    QVERIFY(pump(client, [&] { return result.has_value() && logouts == 1; }));
    QVERIFY(!result->ok());
    QCOMPARE(result->error().code, ErrorCode::InvalidRefreshToken);
    QVERIFY(!client.isLoggedIn());
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("client/session.secret"))));
}

void TestClient::serverDownKeepsSessionAndRecovers()
{
    Client client(clientConfig(m_login));
    QVERIFY(loginWith(client));
    const quint16 port = m_server->port();
    const User player = client.user();
    m_server.reset(); // the account server goes away

    QSignalSpy online(&client, &Client::onlineChanged);
    std::optional<Result<User>> result;
    int logouts = 0;
    connect(&client, &Client::loggedOut, this, [&] { ++logouts; });
    client.refreshTokens([&](const Result<User> &r) { result = r; });
    QVERIFY(pump(client, [&] { return result.has_value(); }));
    QCOMPARE(result->error().code, ErrorCode::NetworkError);
    QVERIFY(!client.isOnline());
    QVERIFY(client.isLoggedIn()); // offline is not logged out
    QCOMPARE(client.user().id, player.id);
    QCOMPARE(logouts, 0);

    // The server comes back on the same address; the backed-off retry finds it.
    QVERIFY(startServer(port));
    QSignalSpy refreshed(&client, &Client::sessionRefreshed);
    QVERIFY(pump(
        client, [&] { return refreshed.count() >= 1; }, 15000));
    QVERIFY(client.isOnline());
    QVERIFY(client.isLoggedIn());
    QCOMPARE(online.count(), 2); // false, then true
}

void TestClient::expiredAccessTokenRefreshedOnce()
{
    Client client(clientConfig(m_login));
    QVERIFY(loginWith(client));
    // Two hours later (a laptop that slept): the access token is expired, the refresh
    // token is not. The call gets a 401, the client refreshes once and retries.
    m_offsetMs = qint64(2) * 3600 * 1000;
    QSignalSpy refreshed(&client, &Client::sessionRefreshed);
    std::optional<Result<User>> result;
    client.updatePicture(QStringLiteral("https://cdn.example.com/p.png"),
                         [&](const Result<User> &r) { result = r; });
    QVERIFY(pump(client, [&] { return result.has_value(); }));
    QVERIFY2(result->ok(), result->ok() ? "" : qPrintable(result->error().message));
    QCOMPARE(result->value().picture, QStringLiteral("https://cdn.example.com/p.png"));
    QCOMPARE(refreshed.count(), 1);
}

void TestClient::usernameErrorsCarryCodes()
{
    Client owner(clientConfig(m_login));
    QVERIFY(loginWith(owner));
    const QString taken = owner.user().name;
    m_login += QStringLiteral("b");
    ClientConfig second = clientConfig(m_login);
    second.storageDirectory = m_dir->filePath(QStringLiteral("client2"));
    Client other(second);
    QVERIFY(loginWith(other));
    std::optional<Result<User>> result;
    other.updateUsername(taken.toUpper(), [&](const Result<User> &r) { result = r; });
    QVERIFY(pump(other, [&] { return result.has_value(); }));
    QCOMPARE(result->error().code, ErrorCode::UsernameTaken);
    result.reset();
    other.updateUsername(QStringLiteral("no"), [&](const Result<User> &r) { result = r; });
    QVERIFY(pump(other, [&] { return result.has_value(); }));
    QCOMPARE(result->error().code, ErrorCode::InvalidUsername);
    QVERIFY(!result->error().message.isEmpty());
}

void TestClient::autoProcessInQtApp()
{
    Client client(clientConfig(m_login));
    client.setAutoProcessCallbacks(true);
    QSignalSpy loggedIn(&client, &Client::loggedIn);
    bool callbackRan = false;
    client.login([&](const User &) { callbackRan = true; });
    // No processCallbacks() here: the Qt loop of this thread drains the queue.
    QVERIFY(loggedIn.wait(20000));
    QVERIFY(callbackRan);
    QVERIFY(client.isLoggedIn());
}

void TestClient::logoutEndsServerSession()
{
    Client client(clientConfig(m_login));
    int logouts = 0;
    QVERIFY(loginWith(client, &logouts));
    const QString token = storedRefreshToken();
    QVERIFY(!token.isEmpty());
    client.logout();
    QVERIFY(pump(client, [&] { return logouts == 1; }));
    QVERIFY(!client.isLoggedIn());
    QVERIFY(storedRefreshToken().isEmpty());
    // The server ended the session too: the old refresh token is refused.
    QTRY_COMPARE_WITH_TIMEOUT(refreshOutside(token), 401, 5000);
}

void TestClient::automaticStorageFallsBackToPrivateFile()
{
    // The default: the OS secret store. This machine has no Secret Service (no D-Bus
    // session), so the session must land in a file only this user can read, and say so.
    ClientConfig config = clientConfig(m_login);
    config.secretStorage = SecretStorage::Automatic;
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression(QStringLiteral(
                                        "no OS secret store .*readable by this user only")));
    {
        Client client(config);
        QVERIFY(loginWith(client));
    }
    const QString secret = m_dir->filePath(QStringLiteral("client/session.secret"));
    QVERIFY(QFile::exists(secret));
    QCOMPARE(QFile::permissions(secret) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    Client restarted(config);
    QVERIFY(restarted.loadStoredCredentials());
    QSignalSpy refreshed(&restarted, &Client::sessionRefreshed);
    QVERIFY(pump(restarted, [&] { return refreshed.count() == 1; }));
}

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"
