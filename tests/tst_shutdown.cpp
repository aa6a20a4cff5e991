// The real latchkey-server binary: SIGTERM/SIGINT finish requests in flight, then exit 0.
#include "standinserver.h"
#include "testclient.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <sys/types.h>

using latchkey::test::isRefused;
using latchkey::test::StandInReply;
using latchkey::test::StandInRequest;
using latchkey::test::StandInServer;
using latchkey::test::TestClient;
using latchkey::test::TestResponse;

namespace {

// Long enough that the signal surely arrives while the login waits for the provider.
constexpr int tokenInfoDelayMs = 1500;

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

} // namespace

class TestShutdown : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void gracefulStop_data();
    void gracefulStop();
    void checkConfigAccepts();
    void checkConfigNamesMissingSecret();
    void descriptorLimitCapsConnections();

private:
    //! The caller's environment without anything the server reads, plus a working setup.
    QProcessEnvironment environment() const;
    //! \a prefix: a command the server runs under (prlimit …).
    void startServer(const QStringList &prefix = {});
    QString output() const { return QString::fromUtf8(m_output); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<StandInServer> m_provider;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};

void TestShutdown::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_provider = std::make_unique<StandInServer>();
    QVERIFY(m_provider->port() != 0);
    m_provider->route("/tokeninfo", [](const StandInRequest &) {
        const QJsonObject info{
            {QStringLiteral("aud"), QStringLiteral("test-client")},
            {QStringLiteral("azp"), QStringLiteral("test-client")},
            {QStringLiteral("sub"), QStringLiteral("123")},
            {QStringLiteral("email"), QStringLiteral("p@example.com")},
            {QStringLiteral("email_verified"), QStringLiteral("true")},
            {QStringLiteral("exp"), QString::number(QDateTime::currentSecsSinceEpoch() + 3600)},
        };
        StandInReply reply;
        reply.body = QJsonDocument(info).toJson(QJsonDocument::Compact);
        reply.delayMs = tokenInfoDelayMs;
        return reply;
    });
    m_port = freePort();
    QVERIFY(m_port != 0);
    m_output.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setWorkingDirectory(m_dir->path());
    m_process->setProcessEnvironment(environment());
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    connect(m_process.get(), &QProcess::readyRead, this,
            [this] { m_output += m_process->readAll(); });
}

void TestShutdown::cleanup()
{
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    if (QTest::currentTestFailed())
        qWarning("server output:\n%s", m_output.constData());
    m_process.reset();
    m_provider.reset();
    m_dir.reset();
}

QProcessEnvironment TestShutdown::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    static const char *const serverReads[] = {
        "DATABASE_URL",
        "DB_DRIVER",
        "DB_HOST",
        "DB_PORT",
        "DB_NAME",
        "DB_USER",
        "DB_PASSWORD",
        "SQLITE_PATH",
        "JWT_ALGORITHM",
        "JWT_SECRET",
        "ACCESS_TOKEN_EXPIRY_MINUTES",
        "REFRESH_TOKEN_EXPIRY_DAYS",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "SERVER_HOST",
        "SERVER_PORT",
        "LOG_LEVEL",
        "LOG_JSON",
        "SERVER_WORKERS",
        "DATA_DIR",
        "LOG_DIR",
        "GOOGLE_CLIENT_ID",
        "GOOGLE_CLIENT_SECRET",
        "GOOGLE_TOKEN_INFO_URL",
        "GOOGLE_JWKS_URL",
        "GOOGLE_ISSUER",
        // Would override the server's own log rules and hide the line we wait for.
        "QT_LOGGING_RULES",
    };
    for (const char *name : serverReads)
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("DB_DRIVER"), QStringLiteral("sqlite"));
    env.insert(QStringLiteral("SERVER_HOST"), QStringLiteral("127.0.0.1"));
    env.insert(QStringLiteral("SERVER_PORT"), QString::number(m_port));
    env.insert(QStringLiteral("SERVER_WORKERS"), QStringLiteral("2"));
    env.insert(QStringLiteral("LOG_LEVEL"), QStringLiteral("INFO"));
    env.insert(QStringLiteral("GOOGLE_CLIENT_ID"), QStringLiteral("test-client"));
    env.insert(QStringLiteral("GOOGLE_TOKEN_INFO_URL"),
               m_provider->url(QStringLiteral("/tokeninfo")).toString());
    return env;
}

void TestShutdown::startServer(const QStringList &prefix)
{
    if (prefix.isEmpty())
        m_process->start(QStringLiteral(LATCHKEY_SERVER_PATH), {});
    else
        m_process->start(prefix.first(), prefix.mid(1) << QStringLiteral(LATCHKEY_SERVER_PATH));
    QVERIFY2(m_process->waitForStarted(5000), qPrintable(m_process->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_output.contains("listening on") || m_process->state() == QProcess::NotRunning, 10000);
    QVERIFY2(m_process->state() == QProcess::Running, qPrintable(output()));
}

void TestShutdown::gracefulStop_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void TestShutdown::gracefulStop()
{
    QFETCH(int, signalNumber);
    startServer();
    if (QTest::currentTestFailed())
        return;

    TestClient client(m_port);
    QVERIFY(client.isConnected());
    client.sendRaw(
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 22\r\n\r\n{\"access_token\":\"tok\"}");
    // The signal must land while the login waits for the provider, not before it got there.
    QTRY_COMPARE_WITH_TIMEOUT(m_provider->hits("/tokeninfo"), 1, 5000);
    QCOMPARE(::kill(pid_t(m_process->processId()), signalNumber), 0);

    // Draining: the listening socket goes away long before the provider answers.
    QTRY_VERIFY_WITH_TIMEOUT(isRefused(m_port), tokenInfoDelayMs / 2);
    QCOMPARE(m_process->state(), QProcess::Running);

    const TestResponse r = client.readResponse();
    QCOMPARE(r.status, 200);
    QVERIFY2(!r.json().value(QLatin1StringView("access_token")).toString().isEmpty(),
             r.body.constData());
    QCOMPARE(r.header("connection"), QByteArray("close"));

    QTRY_COMPARE_WITH_TIMEOUT(m_process->state(), QProcess::NotRunning, 5000);
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
    QVERIFY(isRefused(m_port));
}

void TestShutdown::checkConfigAccepts()
{
    m_process->start(QStringLiteral(LATCHKEY_SERVER_PATH), {QStringLiteral("--check-config")});
    QVERIFY(m_process->waitForFinished(10000));
    m_output += m_process->readAll();
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
    // The effective settings, relative paths resolved against the working directory...
    const QString dir = QDir(m_dir->path()).canonicalPath();
    const QString expected =
        QStringLiteral("configuration OK (sqlite database %1/data/latchkey.db; address "
                       "127.0.0.1:%2; data_dir %1/data; log_dir %1/logs)\n")
            .arg(dir, QString::number(m_port));
    QCOMPARE(output(), expected);
    QVERIFY(isRefused(m_port)); // checked, never started
    // ... and nothing created there.
    QVERIFY(QDir(dir).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
}

void TestShutdown::checkConfigNamesMissingSecret()
{
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("DB_DRIVER"), QStringLiteral("postgres"));
    m_process->setProcessEnvironment(env);
    m_process->start(QStringLiteral(LATCHKEY_SERVER_PATH), {QStringLiteral("--check-config")});
    QVERIFY(m_process->waitForFinished(10000));
    m_output += m_process->readAll();
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 2);
    QVERIFY2(m_output.contains("JWT_SECRET"), m_output.constData());
}

// Under a low open-file limit, max_connections (10000 by default) is capped to what the
// process can hold, and the log says so, instead of accept() failing once it is reached.
void TestShutdown::descriptorLimitCapsConnections()
{
    startServer(
        {QStringLiteral("prlimit"), QStringLiteral("--nofile=256:256"), QStringLiteral("--")});
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(output().contains(QStringLiteral("serving at most 188 connections")),
             qPrintable(output()));
    TestClient client(m_port);
    QCOMPARE(client.get("/health").status, 200);
}

QTEST_GUILESS_MAIN(TestShutdown)
#include "tst_shutdown.moc"
