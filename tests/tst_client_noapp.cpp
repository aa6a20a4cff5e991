// The client in a host with no QCoreApplication (an SDL/GLFW/raylib game): the library runs
// its own event loop; callbacks run only inside processCallbacks(), on the calling thread.
// No server is needed here: these tests stop at the browser step (listener, state, timeout,
// cancel); the full login runs against a real OpenID provider in tst_login_e2e.
#include <latchkey/client.h>

#include <QHostAddress>
#include <QMutex>
#include <QNetworkInterface>
#include <QTest>
#include <QUrlQuery>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace latchkey;
using namespace std::chrono_literals;

namespace {

//! What the replaceable browser opener saw (it runs on the library's thread).
struct OpenedUrl
{
    QMutex mutex;
    QUrl url;
    std::atomic<int> calls{0};

    QUrl get()
    {
        QMutexLocker lock(&mutex);
        return url;
    }
};

ClientConfig testConfig(OpenedUrl *opened, std::chrono::milliseconds loginTimeout = 10s)
{
    ClientConfig config;
    config.serverUrl = QUrl(QStringLiteral("http://127.0.0.1:9")); // never reached here
    config.clientId = QStringLiteral("test-client");
    config.mode = LoginMode::Direct;
    config.authorizationEndpoint = QUrl(QStringLiteral("http://127.0.0.1:9/authorize"));
    config.tokenEndpoint = QUrl(QStringLiteral("http://127.0.0.1:9/token"));
    config.storageDirectory =
        QStringLiteral("/nonexistent-latchkey-test"); // nothing is stored here
    config.secretStorage = SecretStorage::File;
    config.loginTimeout = loginTimeout;
    config.openBrowser = [opened](const QUrl &url) {
        QMutexLocker lock(&opened->mutex);
        opened->url = url;
        ++opened->calls;
        return true;
    };
    return config;
}

//! Pumps like a game's frame loop until \a done or \a timeout.
template <typename F>
bool frameLoop(Client &client, F done, std::chrono::milliseconds timeout = 10s)
{
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        client.processCallbacks();
        if (done())
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

//! A blocking HTTP GET over a plain socket (no Qt event loop in this test's thread).
//! Returns the status line, or an empty string when the connection is refused.
QByteArray rawGet(const QHostAddress &address, quint16 port, const QByteArray &target)
{
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (v6) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR ip = address.toIPv6Address();
        memcpy(&a->sin6_addr, ip.c, 16);
        length = sizeof(sockaddr_in6);
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&storage);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    QByteArray answer;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&storage), length) == 0) {
        const QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        [[maybe_unused]] const ssize_t sent =
            ::send(fd, request.constData(), size_t(request.size()), 0);
        char buffer[4096];
        ssize_t n;
        while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
            answer.append(buffer, n);
        if (answer.isEmpty())
            answer = "connected";
    }
    ::close(fd);
    return answer.left(answer.indexOf("\r\n"));
}

quint16 redirectPort(const QUrl &authorizationUrl)
{
    return quint16(QUrl(QUrlQuery(authorizationUrl)
                            .queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded))
                       .port());
}

} // namespace

class TestClientNoApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void authorizationRequestHasPkceAndState()
    {
        OpenedUrl opened;
        Client client(testConfig(&opened));
        QVERIFY(client.login([](const User &) {}));
        QVERIFY(frameLoop(client, [&] { return opened.calls.load() == 1; }));
        const QUrlQuery query(opened.get());
        QCOMPARE(query.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
        QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge_method")),
                 QStringLiteral("S256"));
        QCOMPARE(query.queryItemValue(QStringLiteral("code_challenge")).size(),
                 43); // base64url(SHA-256)
        QVERIFY(query.queryItemValue(QStringLiteral("state")).size() >= 16);
        const QUrl redirect(
            query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1")); // RFC 8252: never "localhost"
        QCOMPARE(redirect.path(), QStringLiteral("/callback"));
        QVERIFY(redirect.port() > 0);
        QCOMPARE(client.loginStatus(), LoginStatus::InProgress);
        // A second login() while one runs starts nothing.
        QVERIFY(!client.login([](const User &) {}));
        std::this_thread::sleep_for(100ms);
        client.processCallbacks();
        QCOMPARE(opened.calls.load(), 1);
    }

    void callbacksRunOnlyInsideProcessCallbacks()
    {
        OpenedUrl opened;
        Client client(testConfig(&opened, 200ms));
        std::atomic<int> logins{0};
        std::thread::id failedOn;
        int failed = 0;
        QObject::connect(&client, &Client::loginFailed, [&](const Error &) {
            ++failed;
            failedOn = std::this_thread::get_id();
        });
        QVERIFY(client.login([&](const User &) { ++logins; }));
        // The login times out after 200 ms on the library's thread; nothing reaches this
        // thread until it asks.
        std::this_thread::sleep_for(600ms);
        QCOMPARE(failed, 0);
        QCOMPARE(client.loginStatus(), LoginStatus::InProgress);
        QVERIFY(client.processCallbacks() >= 1);
        QCOMPARE(failed, 1);
        QCOMPARE(failedOn, std::this_thread::get_id());
        QCOMPARE(client.loginStatus(), LoginStatus::Failed);
        QCOMPARE(client.loginError().code, ErrorCode::Timeout);
        QCOMPARE(logins.load(), 0);
        // The listener is closed after the timeout.
        QCOMPARE(rawGet(QHostAddress::LocalHost, redirectPort(opened.get()), "/callback"),
                 QByteArray());
    }

    void callbacksOnTheCallingThreadEvenFromAnotherThread()
    {
        // A game whose loop runs on a thread of its own: callbacks run there.
        OpenedUrl opened;
        Client client(testConfig(&opened, 100ms));
        std::thread::id ranOn;
        std::thread::id loopThread;
        QObject::connect(&client, &Client::loginFailed,
                         [&](const Error &) { ranOn = std::this_thread::get_id(); });
        QVERIFY(client.login([](const User &) {}));
        std::thread game([&] {
            loopThread = std::this_thread::get_id();
            frameLoop(client, [&] { return client.loginStatus() == LoginStatus::Failed; });
        });
        game.join();
        QCOMPARE(ranOn, loopThread);
        QVERIFY(ranOn != std::this_thread::get_id());
    }

    void cancelClosesListener()
    {
        OpenedUrl opened;
        Client client(testConfig(&opened));
        QVERIFY(client.login([](const User &) {}));
        QVERIFY(frameLoop(client, [&] { return opened.calls.load() == 1; }));
        const quint16 port = redirectPort(opened.get());
        QVERIFY(!rawGet(QHostAddress::LocalHost, port, "/favicon.ico").isEmpty()); // listening
        client.cancelLogin();
        QVERIFY(frameLoop(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
        QCOMPARE(client.loginError().code, ErrorCode::Cancelled);
        QCOMPARE(rawGet(QHostAddress::LocalHost, port, "/callback"), QByteArray());
        // A new login may start after a cancelled one.
        QVERIFY(client.login([](const User &) {}));
        client.cancelLogin();
    }

    void wrongStateRefused()
    {
        OpenedUrl opened;
        Client client(testConfig(&opened));
        QVERIFY(client.login([](const User &) {}));
        QVERIFY(frameLoop(client, [&] { return opened.calls.load() == 1; }));
        const quint16 port = redirectPort(opened.get());
        // Another path is not the callback (the login goes on) ...
        QVERIFY(rawGet(QHostAddress::LocalHost, port, "/other?code=x&state=y").contains("404"));
        QCOMPARE(client.loginStatus(), LoginStatus::InProgress);
        // ... nor does a forged redirect with the wrong state end it: any local program could
        // send one. It gets an error page and the login keeps waiting for the browser ...
        QVERIFY(rawGet(QHostAddress::LocalHost, port, "/callback?code=stolen&state=not-the-state")
                    .contains("400"));
        QVERIFY(!frameLoop(
            client, [&] { return client.loginStatus() != LoginStatus::InProgress; }, 300ms));
        // ... whose real answer (here: the player declined) still ends it.
        const QString state = QUrlQuery(opened.get()).queryItemValue(QStringLiteral("state"));
        QVERIFY(rawGet(QHostAddress::LocalHost, port,
                       "/callback?error=access_denied&state=" + QUrl::toPercentEncoding(state))
                    .contains("200"));
        QVERIFY(frameLoop(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
        QCOMPARE(client.loginError().code, ErrorCode::Cancelled);
    }

    void providerErrorReported()
    {
        OpenedUrl opened;
        Client client(testConfig(&opened));
        QVERIFY(client.login([](const User &) {}));
        QVERIFY(frameLoop(client, [&] { return opened.calls.load() == 1; }));
        const QString state = QUrlQuery(opened.get()).queryItemValue(QStringLiteral("state"));
        const QByteArray target =
            "/callback?error=access_denied&state=" + QUrl::toPercentEncoding(state);
        QVERIFY(
            rawGet(QHostAddress::LocalHost, redirectPort(opened.get()), target).contains("200"));
        QVERIFY(frameLoop(client, [&] { return client.loginStatus() == LoginStatus::Failed; }));
        QCOMPARE(client.loginError().code, ErrorCode::Cancelled);
    }

    void listenerOnLoopbackOnly()
    {
        OpenedUrl opened;
        Client client(testConfig(&opened));
        QVERIFY(client.login([](const User &) {}));
        QVERIFY(frameLoop(client, [&] { return opened.calls.load() == 1; }));
        const quint16 port = redirectPort(opened.get());
        QVERIFY(!rawGet(QHostAddress::LocalHost, port, "/favicon.ico").isEmpty());
        int others = 0;
        for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
            if (address.isLoopback() || address.isLinkLocal())
                continue;
            ++others;
            QVERIFY2(rawGet(address, port, "/callback").isEmpty(), qPrintable(address.toString()));
        }
        if (others == 0)
            QSKIP("this machine has no address besides loopback to try");
        client.cancelLogin();
    }

    void destroyedWhileLoginRuns()
    {
        // The client goes away mid-login (the game quits): no crash, no callback afterwards.
        for (int i = 0; i < 5; ++i) {
            OpenedUrl opened;
            int calls = 0;
            {
                Client client(testConfig(&opened));
                client.login([&](const User &) { ++calls; }, [&] { ++calls; });
                std::this_thread::sleep_for(std::chrono::milliseconds(i * 10));
            }
            QCOMPARE(calls, 0);
        }
    }

    void storedCredentialsAbsentMeansLoggedOut()
    {
        OpenedUrl opened;
        Client client(testConfig(&opened));
        QVERIFY(!client.loadStoredCredentials());
        QVERIFY(!client.isLoggedIn());
        QCOMPARE(client.loginStatus(), LoginStatus::NotStarted);
    }
};

QTEST_APPLESS_MAIN(TestClientNoApp)
#include "tst_client_noapp.moc"
