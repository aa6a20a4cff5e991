// The client in a Qt app against the real server and a real OpenID provider (npm
// oidc-provider, driven by a scripted browser): persistence across restarts, corrupt and
// foreign stores, refresh rejected → onLogout, server down → offline then recovery,
// 401 → refresh → retry, profile updates, callbacks drained by the Qt loop.
#include <latchkey/client.h>

#include "app/latchkeyserver.h"
#include "frameloop.h"
#include "oidcprovider.h"
#include "standinserver.h"
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
#include <QUrlQuery>

#include <atomic>
#include <memory>
#include <mutex>

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
    void discoveredEndpointsMustBeHttps();
    void idTokenOfAnotherLoginRefused();

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
    config.mode = LoginMode::Direct; // the game ↔ provider path (the broker: tst_broker)
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
    return runFrames([&] { client.processCallbacks(); }, done, timeoutMs);
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

namespace {
//! A stand-in "browser": keeps the URL the library opens (on its own thread) for the test.
struct OpenedUrl
{
    std::mutex mutex;
    QUrl url;
    std::atomic<int> calls{0};

    BrowserOpener opener()
    {
        return [this](const QUrl &opened) {
            const std::lock_guard lock(mutex);
            url = opened;
            ++calls;
            return true;
        };
    }
    QUrl get()
    {
        const std::lock_guard lock(mutex);
        return url;
    }
};

QByteArray jsonBody(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}
} // namespace

// A provider whose discovery document sends the browser (and the code) over plain HTTP to
// another host: the login stops before any browser opens. (A stand-in: the real provider
// fixture serves correct documents.)
void TestClient::discoveredEndpointsMustBeHttps()
{
    StandInServer provider;
    provider.route("/.well-known/openid-configuration", [](const StandInRequest &) {
        StandInReply reply;
        reply.body = jsonBody({{QStringLiteral("authorization_endpoint"),
                                QStringLiteral("http://login.example.com/authorize")},
                               {QStringLiteral("token_endpoint"),
                                QStringLiteral("https://login.example.com/token")}});
        return reply;
    });
    OpenedUrl opened;
    ClientConfig config = clientConfig(m_login);
    config.issuer = provider.url(QString());
    config.openBrowser = opened.opener();
    Client client(config);
    QVERIFY(client.login([](const User &) {}));
    QVERIFY(pump(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
    QVERIFY2(client.loginError().message.contains(QStringLiteral("neither https nor loopback")),
             qPrintable(client.loginError().message));
    QCOMPARE(opened.calls.load(), 0);
}

// The provider's token endpoint answers with an ID token minted for another login (its
// nonce is not this login's): the client refuses it before the server sees it. (A stand-in:
// only a stand-in mints such a token.)
void TestClient::idTokenOfAnotherLoginRefused()
{
    StandInServer provider;
    const QByteArray payload =
        jsonBody({{QStringLiteral("sub"), QStringLiteral("1")},
                  {QStringLiteral("nonce"), QStringLiteral("another-login")}});
    const QByteArray idToken =
        "eyJhbGciOiJSUzI1NiJ9." +
        payload.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals) + ".c2ln";
    provider.route("/token", [idToken](const StandInRequest &) {
        StandInReply reply;
        reply.body = jsonBody({{QStringLiteral("id_token"), QString::fromLatin1(idToken)},
                               {QStringLiteral("access_token"), QStringLiteral("x")}});
        return reply;
    });
    OpenedUrl opened;
    ClientConfig config = clientConfig(m_login);
    config.authorizationEndpoint = provider.url(QStringLiteral("/authorize"));
    config.tokenEndpoint = provider.url(QStringLiteral("/token"));
    config.openBrowser = opened.opener();
    Client client(config);
    QVERIFY(client.login([](const User &) {}));
    QVERIFY(pump(client, [&] { return opened.calls.load() == 1; }));
    // The browser comes back with a code and the right state.
    const QUrlQuery query(opened.get());
    QUrl callback(query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
    callback.setQuery(QStringLiteral("code=abc&state=") +
                      QString::fromLatin1(QUrl::toPercentEncoding(
                          query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded))));
    QNetworkAccessManager browser;
    std::unique_ptr<QNetworkReply> reply(browser.get(QNetworkRequest(callback)));
    QVERIFY(pump(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
    QCOMPARE(client.loginError().code, ErrorCode::InvalidProviderToken);
    QVERIFY2(client.loginError().message.contains(QStringLiteral("nonce")),
             qPrintable(client.loginError().message));
    QCOMPARE(provider.hits("/token"), 1);
}

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"
