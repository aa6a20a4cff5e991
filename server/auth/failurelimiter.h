// Brute-force brake: too many failed logins or refreshes from one IP answer 429 for a while.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMutex>

namespace latchkey {

//! Shared by all workers (the one shared object on the request path: a short mutex-held
//! hash lookup). Counts failures per client IP in fixed one-minute windows.
class FailureLimiter
{
public:
    explicit FailureLimiter(int failuresPerMinute) : m_limit(failuresPerMinute) {}

    //! Seconds until \a ip may try again, or 0 when it may now.
    int retryAfter(const QHostAddress &ip, qint64 nowMs);
    void recordFailure(const QHostAddress &ip, qint64 nowMs);

private:
    struct Window
    {
        qint64 startMs = 0;
        int failures = 0;
    };
    static constexpr qint64 windowMs = 60000;
    const int m_limit;
    QMutex m_mutex;
    QHash<QHostAddress, Window> m_windows;
};

} // namespace latchkey
