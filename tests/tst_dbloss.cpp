// PostgreSQL goes away under load and comes back (its own throwaway server, stopped and
// started by tests/fixtures/postgres.sh pause/resume): every answer meanwhile is 503
// database_unavailable, never 500, and every refresh chain carries on afterwards. Behind a
// relay that refuses it (tests/support/tcpproxy), a worker reconnects at its own pace.
#include "app/latchkeyserver.h"
#include "auth/sessionservice.h"
#include "db/storage.h"

#include "pgfixture.h"
#include "tcpproxy.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <QElapsedTimer>
#include <QMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using namespace latchkey;
using namespace latchkey::test;

namespace {
struct Chain
{
    std::unique_ptr<TestClient> client;
    QString refreshToken;
    QByteArray accessToken;
    bool refreshedAfterReturn = false;
};
} // namespace

class TestDbLoss : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersWhileTheDatabaseRestarts();
    void reconnectsAtItsOwnPace();

private:
    //! \a count sessions of new users, opened as a sign-in opens them, with clients on \a port.
    static std::vector<Chain> openSessions(const Config &config, quint16 port, int count);
    //! One request per chain: a refresh, and a Bearer call; counts the statuses.
    void round(std::vector<Chain> &chains, bool databaseBack);
    //! Runs postgres.sh \a command on this suite's server, keeping the load going meanwhile.
    bool whileLoaded(const QString &command, std::vector<Chain> &chains, bool databaseBack);

    QMap<int, int> m_statuses;
};

void TestDbLoss::round(std::vector<Chain> &chains, bool databaseBack)
{
    for (Chain &chain : chains) {
        const TestResponse refreshed = chain.client->postJson(
            "/api/refresh", {{QStringLiteral("refresh_token"), chain.refreshToken}});
        ++m_statuses[refreshed.status];
        if (refreshed.status == 200) {
            chain.refreshToken =
                refreshed.json().value(QLatin1StringView("refresh_token")).toString();
            chain.accessToken =
                refreshed.json().value(QLatin1StringView("access_token")).toString().toLatin1();
            chain.refreshedAfterReturn = databaseBack;
        }
        ++m_statuses[chain.client->get("/api/me", chain.accessToken).status];
    }
}

std::vector<Chain> TestDbLoss::openSessions(const Config &config, quint16 port, int count)
{
    std::vector<Chain> chains;
    Storage storage(config.database, QStringLiteral("tst-dbloss"), systemClock());
    if (!storage.isAvailable())
        return chains;
    const TokenIssuer tokens(config.security);
    LoginLog file(QString(), false);
    AuditLog log(file, storage, 0, systemClock());
    FailureLimiter limiter(0);
    SessionService sessions(tokens, config.security, storage, log, limiter, systemClock());
    for (int i = 0; i < count; ++i) {
        const Result<UserStore::SignedIn> user = storage.users().loginOrCreate(
            {QStringLiteral("google"), QStringLiteral("sub-%1").arg(i),
             QStringLiteral("p%1@example.com").arg(i), QString()},
            QStringLiteral("player%1").arg(i), QDateTime::currentDateTimeUtc());
        const Result<IssuedSession> session =
            user ? sessions.open(user->user, {}) : Result<IssuedSession>(user.error());
        if (!session)
            return {};
        chains.push_back({std::make_unique<TestClient>(port),
                          QString::fromLatin1(session->refreshToken), session->accessToken});
    }
    return chains;
}

bool TestDbLoss::whileLoaded(const QString &command, std::vector<Chain> &chains, bool databaseBack)
{
    QProcess script;
    script.start(QStringLiteral(LATCHKEY_PG_SCRIPT),
                 {command, qEnvironmentVariable("LATCHKEY_TEST_PG_STATE")});
    while (script.state() != QProcess::NotRunning)
        round(chains, databaseBack);
    script.waitForFinished();
    return script.exitStatus() == QProcess::NormalExit && script.exitCode() == 0;
}

void TestDbLoss::answersWhileTheDatabaseRestarts()
{
    const std::optional<PgServer> pg = pgServer();
    QVERIFY2(pg, "run through CTest: the dbloss fixture starts this suite's PostgreSQL");
    QTemporaryDir dir;
    const Config config = testServerConfig(dir, QStringLiteral("dbloss"), pg);
    LatchkeyServer server(config);
    const Status started = server.start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));

    std::vector<Chain> chains = openSessions(config, server.port(), 4);
    QCOMPARE(chains.size(), size_t(4));
    for (int i = 0; i < 10; ++i)
        round(chains, false);
    QVERIFY(whileLoaded(QStringLiteral("pause"), chains, false));
    for (int i = 0; i < 5; ++i) // the database is down: nothing but 503
        round(chains, false);
    QVERIFY(m_statuses.value(503) >= 5 * 2 * int(chains.size()));
    QVERIFY(whileLoaded(QStringLiteral("resume"), chains, false));

    // Back: every chain refreshes again (a worker reconnects on its next request).
    QElapsedTimer elapsed;
    elapsed.start();
    while (elapsed.elapsed() < 15000 &&
           !std::all_of(chains.begin(), chains.end(),
                        [](const Chain &c) { return c.refreshedAfterReturn; }))
        round(chains, true);
    qInfo() << "statuses:" << m_statuses;
    for (const Chain &chain : chains)
        QVERIFY2(chain.refreshedAfterReturn, "a refresh chain did not carry on");
    QCOMPARE(m_statuses.value(500), 0);
    for (auto it = m_statuses.cbegin(); it != m_statuses.cend(); ++it)
        QVERIFY2(it.key() == 200 || it.key() == 503, qPrintable(QString::number(it.key())));
}

// A lost connection is dialled again by the first request after the loss and then once per
// Storage::retryMs, not by every request: a connect may wait for connect_timeout (5 s) on a
// database that does not answer, and every request would wait with it.
void TestDbLoss::reconnectsAtItsOwnPace()
{
    const std::optional<PgServer> pg = pgServer();
    QVERIFY2(pg, "run through CTest: the dbloss fixture starts this suite's PostgreSQL");
    TcpProxy proxy(quint16(pg->port));
    QTemporaryDir dir;
    Config config = testServerConfig(dir, QStringLiteral("dbloss_pace"), pg);
    config.database.port = proxy.port();
    config.server.workers = 1;
    // Only the worker's connection is counted: no change listener dialling beside it (and
    // every /api/me reaches the database).
    config.security.sessionCacheSeconds = 0;
    config.events.enabled = false;
    LatchkeyServer server(config);
    const Status started = server.start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    std::vector<Chain> chains = openSessions(config, server.port(), 1);
    QCOMPARE(chains.size(), size_t(1));
    TestClient &client = *chains.front().client;
    const QByteArray token = chains.front().accessToken;
    QCOMPARE(client.get("/api/me", token).status, 200);

    proxy.setCut(true);
    const int before = proxy.connections();
    QElapsedTimer elapsed;
    elapsed.start();
    int answered = 0;
    while (elapsed.elapsed() < Storage::retryMs / 2) {
        QCOMPARE(client.get("/api/me", token).status, 503);
        ++answered;
    }
    QVERIFY2(answered >= 10, qPrintable(QString::number(answered)));
    QVERIFY2(proxy.connections() - before <= 1,
             qPrintable(QStringLiteral("%1 connection attempts for %2 requests")
                            .arg(proxy.connections() - before)
                            .arg(answered)));

    proxy.setCut(false);
    QTRY_COMPARE_WITH_TIMEOUT(client.get("/api/me", token).status, 200, int(3 * Storage::retryMs));
}

QTEST_GUILESS_MAIN(TestDbLoss)
#include "tst_dbloss.moc"
