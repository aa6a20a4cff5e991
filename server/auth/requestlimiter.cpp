// Token buckets: `burst` tokens at most, refilled at `perSecond`; a request takes one.
#include "requestlimiter.h"

#include "failurelimiter.h"

#include <cmath>

namespace latchkey {

RequestLimiter::RequestLimiter(const Config::Security &security)
    : m_enabled(security.rateLimits), m_player{double(security.playerPerSecond),
                                               security.playerBurst},
      m_admin{double(security.adminPerSecond), security.adminBurst},
      m_address{double(security.addressPerSecond), security.addressBurst}
{
}

RequestLimiter::Verdict RequestLimiter::takeUser(qint64 userId, QStringView role, qint64 nowMs)
{
    const bool admin = role == QLatin1StringView("admin");
    return take("u" + QByteArray::number(userId), admin ? m_admin : m_player, nowMs);
}

RequestLimiter::Verdict RequestLimiter::takeAddress(const QHostAddress &address, qint64 nowMs)
{
    return take("a" + FailureLimiter::clientKey(address).toLatin1(), m_address, nowMs);
}

RequestLimiter::Verdict RequestLimiter::take(const QByteArray &key, Rate rate, qint64 nowMs)
{
    Shard &shard = m_shards[qHash(key) % m_shards.size()];
    QMutexLocker lock(&shard.mutex);
    auto it = shard.buckets.find(key);
    if (it == shard.buckets.end()) {
        if (shard.buckets.size() > shard.sweepAt) {
            sweep(shard, nowMs,
                  std::min({m_player.perSecond, m_admin.perSecond, m_address.perSecond}),
                  std::max({m_player.burst, m_admin.burst, m_address.burst}));
            // Many live buckets (a flood of addresses): the next sweep waits until they doubled,
            // so sweeping stays O(1) per new bucket on average.
            shard.sweepAt = std::max<qsizetype>(sweepAbove, 2 * shard.buckets.size());
        }
        it = shard.buckets.insert(key, {double(rate.burst), nowMs});
    }
    Bucket &b = *it;
    const qint64 elapsedMs = std::max<qint64>(0, nowMs - b.updatedMs); // the clock may step back
    b.tokens = std::min(double(rate.burst), b.tokens + elapsedMs * rate.perSecond / 1000);
    b.updatedMs = nowMs;
    Verdict v;
    v.limit = rate.burst;
    v.allowed = b.tokens >= 1;
    if (v.allowed)
        b.tokens -= 1;
    else
        v.retryAfterSecs = std::max(1, int(std::ceil((1 - b.tokens) / rate.perSecond)));
    v.remaining = int(b.tokens);
    v.resetSecs = int(std::ceil((rate.burst - b.tokens) / rate.perSecond));
    return v;
}

void RequestLimiter::sweep(Shard &shard, qint64 nowMs, double slowestPerSecond, int largestBurst)
{
    // A bucket idle long enough to be full again is the same as no bucket.
    const qint64 idleMs = qint64(std::ceil(largestBurst / slowestPerSecond * 1000));
    shard.buckets.removeIf([&](const QHash<QByteArray, Bucket>::iterator &it) {
        return nowMs - it->updatedMs >= idleMs;
    });
}

} // namespace latchkey
