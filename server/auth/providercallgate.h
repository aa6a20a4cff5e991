// At most N sign-ins per client address checked with a provider at once, more in a bounded queue.
#pragma once

#include <latchkey/error.h>

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QObject>

#include <deque>
#include <functional>
#include <memory>

namespace latchkey {

//! A provider call's place: the call holds it (copies share it) until it has its answer.
class ProviderCallSlot
{
private:
    friend class ProviderCallGate;
    std::shared_ptr<void> m_hold;
};

//! One per process, shared by its workers: without it one address could queue provider calls
//! without bound (each one a 5 s upstream request). A client address (an IPv6 /64) has
//! perAddress calls in flight at most; further ones wait, queuePerAddress at most, and start
//! in order as places free up, each on its own worker's thread. Past that: 429.
class ProviderCallGate
{
public:
    using Start = std::function<void(ProviderCallSlot)>;

    ProviderCallGate(int perAddress, int queuePerAddress)
        : m_perAddress(perAddress), m_queuePerAddress(queuePerAddress)
    {
    }

    //! Runs \a start now when \a ip has a free place; else queues it to run on \a context's
    //! thread when one frees up; else RateLimited (Retry-After 1) and \a start never runs.
    Status enter(const QHostAddress &ip, QObject *context, Start start);
    //! Drops the queued calls of \a context (a worker going away): they never start.
    void forget(QObject *context);

private:
    struct Waiter
    {
        QObject *context = nullptr;
        Start start;
    };
    struct Address
    {
        int running = 0;
        std::deque<Waiter> waiting;
    };

    ProviderCallSlot slotFor(const QString &key);
    void leave(const QString &key);

    const int m_perAddress;
    const int m_queuePerAddress;
    QMutex m_mutex;
    QHash<QString, Address> m_addresses; //!< only those with calls in flight
};

} // namespace latchkey
