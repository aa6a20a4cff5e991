// Brute-force brake: too many failed logins or refreshes from one client answer 429 for a while.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMutex>

namespace latchkey {

//! Shared by all workers (the one shared object on the request path: a short mutex-held
//! hash lookup). Counts failures per client in fixed one-minute windows; an IPv6 client is
//! its /64 (one subscriber's block), an IPv4 client its address. Memory is bounded: the
//! table is dropped each minute, and a minute's table holds at most maxClients entries.
class FailureLimiter
{
public:
    explicit FailureLimiter(int failuresPerMinute) : m_limit(failuresPerMinute) {}

    //! Seconds until \a ip may try again, or 0 when it may now.
    int retryAfter(const QHostAddress &ip, qint64 nowMs);
    void recordFailure(const QHostAddress &ip, qint64 nowMs);

    static constexpr qint64 windowMs = 60000;
    static constexpr qsizetype maxClients = 200000;

private:
    static QByteArray clientKey(const QHostAddress &ip);
    void rotate(qint64 nowMs);

    const int m_limit;
    QMutex m_mutex;
    qint64 m_windowStartMs = 0;
    QHash<QByteArray, int> m_failures; //!< this window's failures per client key
};

} // namespace latchkey
