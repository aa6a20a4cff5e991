// Fixed-window failure counting per client.
#include "failurelimiter.h"

namespace latchkey {

QByteArray FailureLimiter::clientKey(const QHostAddress &ip)
{
    bool isV4 = false;
    const quint32 v4 = ip.toIPv4Address(&isV4); // also unwraps ::ffff:a.b.c.d
    if (isV4)
        return QByteArray(reinterpret_cast<const char *>(&v4), sizeof v4);
    const Q_IPV6ADDR v6 = ip.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 8); // the /64 prefix
}

void FailureLimiter::rotate(qint64 nowMs)
{
    if (nowMs - m_windowStartMs >= windowMs || nowMs < m_windowStartMs) {
        m_windowStartMs = nowMs;
        m_failures.clear();
    }
}

int FailureLimiter::retryAfter(const QHostAddress &ip, qint64 nowMs)
{
    if (m_limit <= 0)
        return 0;
    QMutexLocker lock(&m_mutex);
    rotate(nowMs);
    if (m_failures.value(clientKey(ip)) < m_limit)
        return 0;
    return int((m_windowStartMs + windowMs - nowMs + 999) / 1000);
}

void FailureLimiter::recordFailure(const QHostAddress &ip, qint64 nowMs)
{
    if (m_limit <= 0)
        return;
    QMutexLocker lock(&m_mutex);
    rotate(nowMs);
    const QByteArray key = clientKey(ip);
    auto it = m_failures.find(key);
    if (it != m_failures.end())
        ++*it;
    else if (m_failures.size() < maxClients) // a spray of addresses cannot grow us further
        m_failures.insert(key, 1);
}

} // namespace latchkey
