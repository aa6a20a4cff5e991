// Failure counting per client and minute: the counts in the database, in-progress sign-ins
// and clients known to be past the limit in this process.
#include "failurelimiter.h"

namespace latchkey {

QString FailureLimiter::clientKey(const QHostAddress &ip)
{
    bool isV4 = false;
    const quint32 v4 = ip.toIPv4Address(&isV4); // also unwraps ::ffff:a.b.c.d
    if (isV4)
        return QString::number(v4, 16).rightJustified(8, u'0');
    const Q_IPV6ADDR v6 = ip.toIPv6Address();
    // The /64 prefix; 16 hex digits, never mistaken for an IPv4 key's 8.
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(v6.c), 8).toHex());
}

void FailureLimiter::rotate(qint64 nowMs)
{
    if (windowStart(nowMs) != m_window) {
        m_window = windowStart(nowMs);
        m_blocked.clear();
    }
}

void FailureLimiter::block(const QString &key, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    rotate(nowMs);
    if (m_blocked.size() < maxClients) // a spray of addresses cannot grow us further
        m_blocked.insert(key, true);
}

int FailureLimiter::knownWait(const QHostAddress &ip, qint64 nowMs)
{
    if (m_limit <= 0)
        return 0;
    QMutexLocker lock(&m_mutex);
    rotate(nowMs);
    return m_blocked.contains(clientKey(ip)) ? secondsLeft(nowMs) : 0;
}

Result<SignInAttempt> FailureLimiter::beginSignIn(FailureStore &store, const QHostAddress &ip,
                                                  qint64 nowMs)
{
    if (m_limit <= 0)
        return SignInAttempt{};
    if (const int wait = knownWait(ip, nowMs))
        return Error::tooManyFailures(wait);
    const QString key = clientKey(ip);
    const Result<int> failures = store.count(key, windowStart(nowMs));
    if (!failures)
        return failures.error();
    if (*failures >= m_limit) {
        block(key, nowMs);
        return Error::tooManyFailures(secondsLeft(nowMs));
    }
    QMutexLocker lock(&m_mutex);
    int &inProgress = m_inProgress[key];
    if (*failures + inProgress >= m_limit) { // the ones in progress may all fail: wait
        if (inProgress == 0)
            m_inProgress.remove(key);
        return Error::tooManyFailures(1);
    }
    ++inProgress;
    SignInAttempt attempt;
    attempt.m_hold = std::shared_ptr<void>(nullptr, [this, key](void *) {
        QMutexLocker lock(&m_mutex);
        if (--m_inProgress[key] <= 0)
            m_inProgress.remove(key);
    });
    return attempt;
}

int FailureLimiter::recordFailure(FailureStore &store, const QHostAddress &ip, qint64 nowMs)
{
    if (m_limit <= 0)
        return 0;
    const QString key = clientKey(ip);
    const Result<int> failures = store.add(key, windowStart(nowMs));
    prune(store, nowMs);
    if (!failures) // the failure's own answer stands; the database's trouble is logged
        return 0;
    if (*failures >= m_limit)
        block(key, nowMs);
    return *failures > m_limit ? secondsLeft(nowMs) : 0;
}

void FailureLimiter::prune(FailureStore &store, qint64 nowMs)
{
    // Once per minute per process, by whichever worker counts the minute's first failure.
    qint64 pruned = m_prunedWindow.load();
    const qint64 window = windowStart(nowMs);
    if (pruned < window && m_prunedWindow.compare_exchange_strong(pruned, window))
        store.prune(window);
}

} // namespace latchkey
