// FuzzServer: latchkey-server's own LatchkeyServer on a thread of its own, and a blocking
// POSIX client for the harness's thread.
#include "fuzzserver.h"

#include "app/latchkeyserver.h"
#include "standinserver.h"

#include <latchkey/jwk.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace latchkey::fuzz {

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzzserver: %s\n", what);
    std::abort();
}

} // namespace

//! What lives on the server thread: the provider stand-in and the server.
struct FuzzServer::Side
{
    // In memory where the machine has it: SQLite's syncs on a disk would set the pace.
    QTemporaryDir dir{QFileInfo(QStringLiteral("/dev/shm")).isWritable()
                          ? QStringLiteral("/dev/shm/latchkey-fuzz-XXXXXX")
                          : QDir::tempPath() + QStringLiteral("/latchkey-fuzz-XXXXXX")};
    test::StandInServer provider;
    std::unique_ptr<LatchkeyServer> server;

    //! Tokens "fuzz-<anything>" are players <anything>; every other token is refused.
    void start()
    {
        provider.route("/tokeninfo", [](const test::StandInRequest &request) {
            // Only what Google documents: access_token as a query or form parameter.
            const QByteArray token = request.param("access_token");
            if (!token.startsWith("fuzz-"))
                return test::StandInReply{400, "{\"error\":\"invalid_token\"}", {}, 0, false, {}};
            const QJsonObject info{
                {QStringLiteral("aud"), QStringLiteral("fuzz-client")},
                {QStringLiteral("sub"), QString::fromLatin1(token)},
                {QStringLiteral("email"), QString::fromLatin1(token + "@fuzz.example")},
                {QStringLiteral("email_verified"), QStringLiteral("true")},
                {QStringLiteral("exp"), QStringLiteral("4102444800")}};
            return test::StandInReply{200, QJsonDocument(info).toJson(), {}, 0, false, {}};
        });
        // A JWKS of one key the fuzzer does not have: ID tokens are checked all the way to
        // their signature (no 503 for a key set that cannot be fetched).
        provider.route("/jwks", [](const test::StandInRequest &) {
            static const QJsonObject jwks{
                {QStringLiteral("keys"),
                 QJsonArray{jwt::Key::generate(jwt::Algorithm::RS256).publicJwk()}}};
            return test::StandInReply{200, QJsonDocument(jwks).toJson(), "max-age=3600", 0, false,
                                      {}};
        });
        Config c;
        c.database.autoMigrate = true;
        c.database.driver = QStringLiteral("sqlite");
        c.database.sqlitePath = dir.filePath(QStringLiteral("fuzz.db"));
        c.security.jwtSecret = QByteArray("a-fuzz-secret-that-is-long-enough-for-hs256!!");
        c.security.failedAuthPerMinute = 0; // every input reaches the provider check
        c.security.rateLimits = false;      // and the routes behind the request limits
        c.server.host = QStringLiteral("127.0.0.1");
        c.server.port = 0;
        c.server.workers = 1;
        c.server.headerTimeoutMs = 500; // a harness's unfinished request ends quickly
        c.server.idleTimeoutMs = 500;
        c.server.logDir = dir.filePath(QStringLiteral("logs"));
        c.server.dataDir = dir.filePath(QStringLiteral("data"));
        c.google.clientIds = {QStringLiteral("fuzz-client")};
        c.google.tokenInfoUrl = provider.url(QStringLiteral("/tokeninfo"));
        c.google.jwksUrl = provider.url(QStringLiteral("/jwks"));
        c.google.timeoutMs = 2000;
        c.dev.enabled = true; // its /dev-idp/* forms are fuzzed too
        server = std::make_unique<LatchkeyServer>(c);
        // The folder outlives this object (never destroyed): remove it when the process ends.
        static const QString path = dir.path();
        std::atexit([] { QDir(path).removeRecursively(); });
        const Status started = server->start();
        if (!started)
            fail(qPrintable(started.error().message));
    }
};

namespace {

bool sendAll(int fd, QByteArrayView bytes)
{
    while (!bytes.isEmpty()) {
        const ssize_t n = ::send(fd, bytes.data(), size_t(bytes.size()), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue; // libFuzzer's timer signal, not the server
        if (n <= 0)
            return false; // the server closed on us (a refusal): read what it said
        bytes = bytes.sliced(n);
    }
    return true;
}

//! A new connection to the server. Closed with a reset (SO_LINGER 0), so that thousands of
//! connections a second leave no TIME_WAIT behind to use up the loopback's ephemeral ports.
int connectToServer(quint16 port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int attempt = 0;; ++attempt) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            fail(std::strerror(errno));
        const linger reset{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0)
            return fd;
        const int error = errno;
        ::close(fd);
        // Out of ports or a full accept queue for a moment, or libFuzzer's timer signal
        // (EINTR): the machine, not the input.
        if (attempt == 100 || (error != EADDRNOTAVAIL && error != EAGAIN && error != EINTR))
            fail(std::strerror(error));
        ::usleep(20000);
    }
}

} // namespace

FuzzServer &FuzzServer::instance()
{
    static FuzzServer server;
    return server;
}

FuzzServer::FuzzServer()
{
    // Refusals are logged at WARNING: millions of them would drown libFuzzer's own output
    // (QT_LOGGING_RULES set by hand still wins, to look into a finding).
    if (!qEnvironmentVariableIsSet("QT_LOGGING_RULES"))
        qputenv("QT_LOGGING_RULES", "*.debug=false;*.info=false;*.warning=false");
    if (!QCoreApplication::instance()) {
        static int argc = 1;
        static char name[] = "fuzz";
        static char *argv[] = {name, nullptr};
        new QCoreApplication(argc, argv); // kept for the process's life
    }
    m_thread = new QThread; // never stopped: the process ends with the fuzzer
    m_thread->start();
    QObject anchor;
    anchor.moveToThread(m_thread);
    QMetaObject::invokeMethod(
        &anchor,
        [this] {
            m_side = new Side; // built on the thread it serves from
            m_side->start();
        },
        Qt::BlockingQueuedConnection);
    m_port = m_side->server->port();
    m_accessToken = signIn().first;
    if (m_accessToken.isEmpty())
        fail("the start-up sign-in failed");
}

QByteArray FuzzServer::exchange(const std::vector<QByteArrayView> &pieces, End end,
                                int timeoutMs) const
{
    const int fd = connectToServer(m_port);
    for (QByteArrayView piece : pieces) {
        if (!sendAll(fd, piece))
            break;
    }
    if (end == End::HalfClose)
        ::shutdown(fd, SHUT_WR);
    QByteArray answers;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    char buffer[16384];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0)
            break;
        const int ready = ::poll(&p, 1, int(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            break;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        answers.append(buffer, n);
    }
    ::close(fd);
    return answers;
}

std::pair<QByteArray, QByteArray> FuzzServer::signIn() const
{
    static int serial = 0;
    const QByteArray body =
        "{\"access_token\":\"fuzz-player" + QByteArray::number(++serial) + "\"}";
    const QByteArray request = "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Content-Type: application/json\r\nConnection: close\r\n"
                               "Content-Length: " +
                               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const QByteArray answer = exchange({request}, End::KeepOpen);
    if (!answer.startsWith("HTTP/1.1 200 "))
        std::fprintf(stderr, "fuzzserver: sign-in answered: %s\n", answer.constData());
    const QJsonObject json =
        QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4)).object();
    return {json.value(QLatin1StringView("access_token")).toString().toLatin1(),
            json.value(QLatin1StringView("refresh_token")).toString().toLatin1()};
}

std::vector<int> statusCodes(const QByteArray &answers)
{
    // A status line starts the stream or follows a CRLF; JSON bodies never hold a raw CRLF.
    std::vector<int> codes;
    qsizetype at = answers.startsWith("HTTP/1.1 ") ? 0 : answers.indexOf("\r\nHTTP/1.1 ");
    while (at >= 0) {
        const qsizetype line =
            QByteArrayView(answers).sliced(at).startsWith("HTTP/1.1 ") ? at : at + 2;
        codes.push_back(answers.mid(line + 9, 3).toInt());
        at = answers.indexOf("\r\nHTTP/1.1 ", line + 9);
    }
    return codes;
}

void requireNoServerError(const QByteArray &request, const QByteArray &answers)
{
    for (int code : statusCodes(answers)) {
        if (code >= 500) {
            std::fprintf(stderr, "the server answered %d to:\n%s\n---\n%s\n", code,
                         request.constData(), answers.constData());
            std::abort();
        }
    }
}

} // namespace latchkey::fuzz
