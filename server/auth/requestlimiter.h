// Request rate limits (seed 002): a token bucket per user, its rate by role, and one per
// client address (an IPv6 /64) for routes without a Bearer token. Shared by every worker of
// the process; each instance behind a load balancer keeps its own buckets.
#pragma once

#include "config/config.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>

#include <array>

namespace latchkey {

//! Thread-safe: the buckets are split over shards, each with its own mutex, so workers
//! rarely meet on one.
class RequestLimiter
{
public:
    //! What one request took from its bucket, for the X-RateLimit-* headers.
    struct Verdict
    {
        bool allowed = true;
        int limit = 0;          //!< the burst: requests that may come at once
        int remaining = 0;      //!< requests left right now
        int resetSecs = 0;      //!< until the bucket is full again
        int retryAfterSecs = 0; //!< when refused: until one request is allowed
    };

    explicit RequestLimiter(const Config::Security &security);

    bool enabled() const { return m_enabled; }
    //! One request of user \a userId, whose role is \a role ("admin" gets the admin rate).
    Verdict takeUser(qint64 userId, QStringView role, qint64 nowMs);
    //! One anonymous request from \a address.
    Verdict takeAddress(const QHostAddress &address, qint64 nowMs);

    //! A shard drops its full (idle) buckets when it holds more than this many (or twice as
    //! many as the last sweep left).
    static constexpr int sweepAbove = 4096;

private:
    struct Rate
    {
        double perSecond;
        int burst;
    };
    struct Bucket
    {
        double tokens;
        qint64 updatedMs;
    };
    struct Shard
    {
        QMutex mutex;
        QHash<QByteArray, Bucket> buckets;
        qsizetype sweepAt = sweepAbove; //!< the size that triggers the next sweep
    };

    Verdict take(const QByteArray &key, Rate rate, qint64 nowMs);
    static void sweep(Shard &shard, qint64 nowMs, double slowestPerSecond, int largestBurst);

    const bool m_enabled;
    const Rate m_player;
    const Rate m_admin;
    const Rate m_address;
    std::array<Shard, 64> m_shards;
};

} // namespace latchkey
