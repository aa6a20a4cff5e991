// Fixed-window failure counting per client IP.
#include "failurelimiter.h"

namespace latchkey {

int FailureLimiter::retryAfter(const QHostAddress &ip, qint64 nowMs)
{
    if (m_limit <= 0)
        return 0;
    QMutexLocker lock(&m_mutex);
    const auto it = m_windows.constFind(ip);
    if (it == m_windows.constEnd() || nowMs - it->startMs >= windowMs || it->failures < m_limit)
        return 0;
    return int((it->startMs + windowMs - nowMs + 999) / 1000);
}

void FailureLimiter::recordFailure(const QHostAddress &ip, qint64 nowMs)
{
    if (m_limit <= 0)
        return;
    QMutexLocker lock(&m_mutex);
    if (m_windows.size() > 100000) {
        // Bound memory under a spray of addresses: forget windows that have ended.
        m_windows.removeIf([nowMs](const auto &entry) { return nowMs - entry.value().startMs >= windowMs; });
    }
    Window &w = m_windows[ip];
    if (nowMs - w.startMs >= windowMs)
        w = Window{nowMs, 0};
    ++w.failures;
}

} // namespace latchkey
