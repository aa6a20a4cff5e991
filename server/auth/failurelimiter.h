// Brute-force brake: too many failed logins or refreshes from one client answer 429 for a while.
#pragma once

#include "db/failurestore.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>

#include <atomic>
#include <memory>

namespace latchkey {

//! A sign-in in progress, counted against its client until the last copy is gone.
class SignInAttempt
{
public:
    SignInAttempt() = default;

private:
    friend class FailureLimiter;
    std::shared_ptr<void> m_hold;
};

//! One per process, shared by its workers. Failures are counted per client in one-minute
//! windows (the same minutes everywhere) in the database (FailureStore), so every instance
//! behind a load balancer sees the same count; an IPv6 client is its /64 (one subscriber's
//! block), an IPv4 client its address. A sign-in counts from the moment its provider call
//! starts: beginSignIn() adds the sign-ins this process has in progress to the stored
//! failures, so a burst of concurrent guesses cannot all get past the check before the first
//! one fails. What the database said about a client past the limit is remembered here until
//! its window ends, so its further tries cost no statement; that memory is dropped each
//! minute and holds at most maxClients entries.
class FailureLimiter
{
public:
    explicit FailureLimiter(int failuresPerMinute) : m_limit(failuresPerMinute) {}

    //! Before a sign-in's provider call: TooManyFailures (429, Retry-After) when the client's
    //! failures, on every instance, plus its sign-ins in progress here reach the limit;
    //! otherwise the attempt counts as in progress while the returned object lives.
    Result<SignInAttempt> beginSignIn(FailureStore &store, const QHostAddress &ip, qint64 nowMs);
    //! Counts a failure that a guess would make. Returns the seconds to wait when the client
    //! was past the limit already (the caller answers 429), else 0.
    int recordFailure(FailureStore &store, const QHostAddress &ip, qint64 nowMs);
    //! Seconds until \a ip may try again as far as this process knows without asking the
    //! database (a client it saw past the limit), or 0.
    int knownWait(const QHostAddress &ip, qint64 nowMs);

    static constexpr qint64 windowMs = 60000;
    static constexpr qsizetype maxClients = 200000;

    static QString clientKey(const QHostAddress &ip);
    static qint64 windowStart(qint64 nowMs) { return nowMs - nowMs % windowMs; }
    static int secondsLeft(qint64 nowMs) { return int((windowMs - nowMs % windowMs + 999) / 1000); }

private:
    //! Under m_mutex: a new window forgets the old one's blocked clients.
    void rotate(qint64 nowMs);
    void block(const QString &key, qint64 nowMs);
    void prune(FailureStore &store, qint64 nowMs);

    const int m_limit;
    QMutex m_mutex;
    qint64 m_window = 0;
    QHash<QString, int> m_inProgress; //!< sign-ins whose provider call has not ended
    QHash<QString, bool> m_blocked;   //!< clients past the limit in this window
    std::atomic<qint64> m_prunedWindow{0};
};

} // namespace latchkey
