// Per-address provider call places: a count and a queue per address, under one mutex.
#include "providercallgate.h"

#include "failurelimiter.h"

namespace latchkey {

Status ProviderCallGate::enter(const QHostAddress &ip, QObject *context, Start start)
{
    const QString key = FailureLimiter::clientKey(ip); // IPv4 address or IPv6 /64
    {
        QMutexLocker lock(&m_mutex);
        Address &address = m_addresses[key];
        if (address.running >= m_perAddress) {
            if (qsizetype(address.waiting.size()) >= m_queuePerAddress)
                return Error{ErrorCode::RateLimited,
                             QStringLiteral("too many sign-ins from this address at once; try "
                                            "again shortly"),
                             1};
            address.waiting.push_back({context, std::move(start)});
            return Done{};
        }
        ++address.running;
    }
    start(slotFor(key));
    return Done{};
}

ProviderCallSlot ProviderCallGate::slotFor(const QString &key)
{
    ProviderCallSlot slot;
    slot.m_hold = std::shared_ptr<void>(nullptr, [this, key](void *) { leave(key); });
    return slot;
}

void ProviderCallGate::leave(const QString &key)
{
    Waiter next;
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_addresses.find(key);
        if (it == m_addresses.end())
            return;
        if (it->waiting.empty()) {
            if (--it->running == 0)
                m_addresses.erase(it);
            return;
        }
        next = std::move(it->waiting.front()); // the place passes to it: running stays
        it->waiting.pop_front();
    }
    // On the waiting call's own worker thread: its provider, sockets and database are there.
    QMetaObject::invokeMethod(
        next.context, [start = std::move(next.start), slot = slotFor(key)] { start(slot); },
        Qt::QueuedConnection);
}

void ProviderCallGate::forget(QObject *context)
{
    QMutexLocker lock(&m_mutex);
    for (Address &address : m_addresses) {
        std::erase_if(address.waiting,
                      [context](const Waiter &waiter) { return waiter.context == context; });
    }
}

} // namespace latchkey
