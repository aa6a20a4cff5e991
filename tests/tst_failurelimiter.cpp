// FailureLimiter on SQLite and PostgreSQL: per-client minutes counted in the database and so
// shared by instances, sign-ins counted while in progress, IPv6 /64 grouping, bounded memory.
#include "auth/failurelimiter.h"
#include "db/migrator.h"
#include "db/storage.h"
#include "pgfixture.h"
#include "testserverconfig.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;

namespace {
const QHostAddress client(QStringLiteral("192.0.2.7"));
} // namespace

class TestFailureLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void blocksAfterLimitUntilMinuteEnds();
    void sharedByInstances();
    void signInsInProgressCount();
    void ipv6GroupedBySlash64();
    void offWhenZero();
    void oldMinutesArePruned();

private:
    //! A second instance's connection to the same database.
    std::unique_ptr<Storage> openStorage(const QString &name);
    int rowCount();

    std::unique_ptr<QTemporaryDir> m_dir;
    Config m_config;
    qint64 m_nowMs = 1'800'000'000'000; // a minute's start: 1.8e12 is a multiple of 60,000
    std::unique_ptr<Storage> m_storage;
};

void TestFailureLimiter::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    const bool pg = qgetenv("LATCHKEY_TEST_DRIVER") == "postgres";
    const QString name = QStringLiteral("limiter_%1")
                             .arg(QString::fromLatin1(QTest::currentTestFunction()))
                             .toLower();
    m_config = test::testServerConfig(*m_dir, name, pg ? test::pgServer() : std::nullopt);
    m_storage = openStorage(QStringLiteral("tst-limiter"));
    QVERIFY(m_storage);
    const Result<QStringList> migrated = Migrator(m_storage->database()).migrate();
    QVERIFY2(migrated.ok(), qPrintable(migrated ? QString() : migrated.error().message));
}

void TestFailureLimiter::cleanup()
{
    m_storage.reset();
}

std::unique_ptr<Storage> TestFailureLimiter::openStorage(const QString &name)
{
    auto storage = std::make_unique<Storage>(m_config.database, name, [this] { return m_nowMs; });
    return storage->isAvailable() ? std::move(storage) : nullptr;
}

int TestFailureLimiter::rowCount()
{
    QSqlQuery q(m_storage->database().connection());
    return q.exec(QStringLiteral("SELECT COUNT(*) FROM auth_failures")) && q.next()
               ? q.value(0).toInt()
               : -1;
}

void TestFailureLimiter::blocksAfterLimitUntilMinuteEnds()
{
    FailureLimiter limiter(3);
    FailureStore &store = m_storage->failures();
    for (int i = 0; i < 3; ++i) {
        QVERIFY(limiter.beginSignIn(store, client, m_nowMs));
        QCOMPARE(limiter.recordFailure(store, client, m_nowMs), 0); // answered 401, not 429
    }
    const Result<SignInAttempt> refused = limiter.beginSignIn(store, client, m_nowMs + 1000);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::RateLimited);
    QCOMPARE(refused.error().retryAfterSecs, 59);
    QCOMPARE(limiter.knownWait(client, m_nowMs + 1000), 59);
    // A fourth guess (a refresh token that is not ours) is past the limit: 429.
    QCOMPARE(limiter.recordFailure(store, client, m_nowMs + 2000), 58);
    QVERIFY(limiter.beginSignIn(store, QHostAddress(QStringLiteral("192.0.2.8")), m_nowMs));
    // The next minute starts from nothing.
    QVERIFY(limiter.beginSignIn(store, client, m_nowMs + FailureLimiter::windowMs));
    QCOMPARE(limiter.knownWait(client, m_nowMs + FailureLimiter::windowMs), 0);
}

// Two instances (two limiters, two connections) behind one load balancer: 20 failures on one
// and 20 on the other from one address exceed a limit of 30 on both.
void TestFailureLimiter::sharedByInstances()
{
    FailureLimiter first(30), second(30);
    const std::unique_ptr<Storage> other = openStorage(QStringLiteral("tst-limiter-2"));
    QVERIFY(other);
    for (int i = 0; i < 20; ++i)
        QCOMPARE(first.recordFailure(m_storage->failures(), client, m_nowMs), 0);
    for (int i = 21; i <= 40; ++i) // the second instance counts on from the first one's 20
        QCOMPARE(second.recordFailure(other->failures(), client, m_nowMs) > 0, i > 30);
    QVERIFY(!first.beginSignIn(m_storage->failures(), client, m_nowMs));
    QVERIFY(!second.beginSignIn(other->failures(), client, m_nowMs));
    QVERIFY(first.recordFailure(m_storage->failures(), client, m_nowMs) > 0);
}

// A sign-in counts from the start of its provider call: a burst of concurrent guesses cannot
// all pass the check before the first one fails.
void TestFailureLimiter::signInsInProgressCount()
{
    FailureLimiter limiter(3);
    FailureStore &store = m_storage->failures();
    QCOMPARE(limiter.recordFailure(store, client, m_nowMs), 0);
    QList<SignInAttempt> inProgress;
    for (int i = 0; i < 2; ++i) {
        const Result<SignInAttempt> attempt = limiter.beginSignIn(store, client, m_nowMs);
        QVERIFY(attempt);
        inProgress.append(*attempt);
    }
    const Result<SignInAttempt> refused = limiter.beginSignIn(store, client, m_nowMs);
    QVERIFY(!refused);
    QCOMPARE(refused.error().retryAfterSecs, 1); // those in progress end soon
    inProgress.removeFirst();                    // that one ended well: its place is free
    QVERIFY(limiter.beginSignIn(store, client, m_nowMs));
}

void TestFailureLimiter::ipv6GroupedBySlash64()
{
    FailureLimiter limiter(2);
    FailureStore &store = m_storage->failures();
    limiter.recordFailure(store, QHostAddress(QStringLiteral("2001:db8:1:2::1")), m_nowMs);
    limiter.recordFailure(store, QHostAddress(QStringLiteral("2001:db8:1:2:ffff::9")), m_nowMs);
    // Same /64: one subscriber rotating addresses is still one client.
    QVERIFY(
        !limiter.beginSignIn(store, QHostAddress(QStringLiteral("2001:db8:1:2::abcd")), m_nowMs));
    QVERIFY(limiter.beginSignIn(store, QHostAddress(QStringLiteral("2001:db8:1:3::1")), m_nowMs));
    // IPv4-mapped IPv6 is the IPv4 client.
    limiter.recordFailure(store, QHostAddress(QStringLiteral("198.51.100.1")), m_nowMs);
    limiter.recordFailure(store, QHostAddress(QStringLiteral("::ffff:198.51.100.1")), m_nowMs);
    QVERIFY(!limiter.beginSignIn(store, QHostAddress(QStringLiteral("198.51.100.1")), m_nowMs));
}

void TestFailureLimiter::offWhenZero()
{
    FailureLimiter limiter(0);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(limiter.recordFailure(m_storage->failures(), client, m_nowMs), 0);
    QVERIFY(limiter.beginSignIn(m_storage->failures(), client, m_nowMs));
    QCOMPARE(rowCount(), 0); // off costs no statement
}

void TestFailureLimiter::oldMinutesArePruned()
{
    FailureLimiter limiter(5);
    for (int i = 0; i < 3; ++i)
        limiter.recordFailure(m_storage->failures(), QHostAddress(0x0A000000u + i), m_nowMs);
    QCOMPARE(rowCount(), 3);
    m_nowMs += FailureLimiter::windowMs;
    limiter.recordFailure(m_storage->failures(), client, m_nowMs);
    QCOMPARE(rowCount(), 1); // the new minute's row; the old minute's are gone
}

QTEST_GUILESS_MAIN(TestFailureLimiter)
#include "tst_failurelimiter.moc"
