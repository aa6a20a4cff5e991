// FailureLimiter: per-client windows, IPv6 /64 grouping, bounded memory.
#include "auth/failurelimiter.h"

#include <QTest>

using namespace latchkey;

class TestFailureLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void blocksAfterLimitUntilWindowEnds()
    {
        FailureLimiter limiter(3);
        const QHostAddress ip(QStringLiteral("192.0.2.7"));
        const qint64 t0 = 1'000'000;
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(limiter.retryAfter(ip, t0), 0);
            limiter.recordFailure(ip, t0);
        }
        QCOMPARE(limiter.retryAfter(ip, t0 + 1000), 59);
        QCOMPARE(limiter.retryAfter(QHostAddress(QStringLiteral("192.0.2.8")), t0), 0);
        QCOMPARE(limiter.retryAfter(ip, t0 + FailureLimiter::windowMs), 0);
    }

    void ipv6GroupedBySlash64()
    {
        FailureLimiter limiter(2);
        const qint64 t0 = 5'000'000;
        limiter.recordFailure(QHostAddress(QStringLiteral("2001:db8:1:2::1")), t0);
        limiter.recordFailure(QHostAddress(QStringLiteral("2001:db8:1:2:ffff::9")), t0);
        // Same /64: one subscriber rotating addresses is still one client.
        QVERIFY(limiter.retryAfter(QHostAddress(QStringLiteral("2001:db8:1:2::abcd")), t0) > 0);
        QCOMPARE(limiter.retryAfter(QHostAddress(QStringLiteral("2001:db8:1:3::1")), t0), 0);
        // IPv4-mapped IPv6 is the IPv4 client.
        limiter.recordFailure(QHostAddress(QStringLiteral("198.51.100.1")), t0);
        limiter.recordFailure(QHostAddress(QStringLiteral("::ffff:198.51.100.1")), t0);
        QVERIFY(limiter.retryAfter(QHostAddress(QStringLiteral("198.51.100.1")), t0) > 0);
    }

    void offWhenZero()
    {
        FailureLimiter limiter(0);
        const QHostAddress ip(QStringLiteral("192.0.2.1"));
        for (int i = 0; i < 100; ++i)
            limiter.recordFailure(ip, 0);
        QCOMPARE(limiter.retryAfter(ip, 0), 0);
    }

    void sprayOfAddressesIsBounded()
    {
        // Past maxClients new addresses are not tracked (memory stays bounded); the ones
        // already tracked still count.
        FailureLimiter limiter(1);
        const qint64 t0 = 9'000'000;
        const QHostAddress first(QStringLiteral("10.0.0.1"));
        limiter.recordFailure(first, t0);
        for (quint32 i = 0; i < quint32(FailureLimiter::maxClients) + 10; ++i)
            limiter.recordFailure(QHostAddress(0x0B000000u + i), t0);
        QVERIFY(limiter.retryAfter(first, t0) > 0);
        QCOMPARE(limiter.retryAfter(
                     QHostAddress(0x0B000000u + quint32(FailureLimiter::maxClients) + 5), t0),
                 0);
    }
};

QTEST_APPLESS_MAIN(TestFailureLimiter)
#include "tst_failurelimiter.moc"
