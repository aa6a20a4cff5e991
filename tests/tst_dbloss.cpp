// PostgreSQL goes away under load and comes back (its own throwaway server, stopped and
// started by tests/fixtures/postgres.sh pause/resume): every answer meanwhile is 503
// database_unavailable, never 500, and every refresh chain carries on afterwards.
#include "app/latchkeyserver.h"
#include "auth/sessionservice.h"
#include "db/storage.h"

#include "pgfixture.h"
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

private:
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

    // Four devices, their sessions opened as a sign-in opens them.
    std::vector<Chain> chains;
    {
        Storage storage(config.database, QStringLiteral("tst-dbloss"), systemClock());
        QVERIFY(storage.isAvailable());
        const TokenIssuer tokens(config.security);
        LoginLog log(QString(), false);
        FailureLimiter limiter(0);
        SessionService sessions(tokens, config.security, storage, log, limiter, systemClock());
        for (int i = 0; i < 4; ++i) {
            const Result<UserStore::SignedIn> user = storage.users().loginOrCreate(
                {QStringLiteral("google"), QStringLiteral("sub-%1").arg(i),
                 QStringLiteral("p%1@example.com").arg(i), QString()},
                QStringLiteral("player%1").arg(i), QDateTime::currentDateTimeUtc());
            QVERIFY(user.ok());
            const Result<IssuedSession> session = sessions.open(user->user, {});
            QVERIFY(session.ok());
            chains.push_back({std::make_unique<TestClient>(server.port()),
                              QString::fromLatin1(session->refreshToken), session->accessToken});
        }
    }

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

QTEST_GUILESS_MAIN(TestDbLoss)
#include "tst_dbloss.moc"
