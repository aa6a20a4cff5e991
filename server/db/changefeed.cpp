// The ring of changes and the listener's state.
#include "changefeed.h"

namespace latchkey {

void ChangeFeed::publish(Change change)
{
    const QMutexLocker lock(&m_mutex);
    const quint64 n = m_sequence.load(std::memory_order_relaxed);
    m_ring[n % capacity] = change;
    m_sequence.store(n + 1, std::memory_order_release);
    for (const auto &watcher : m_watchers)
        watcher.second();
}

std::optional<quint64> ChangeFeed::since(quint64 from, std::vector<Change> &out) const
{
    const QMutexLocker lock(&m_mutex);
    const quint64 to = m_sequence.load(std::memory_order_relaxed);
    if (to - from > capacity)
        return std::nullopt;
    for (quint64 n = from; n < to; ++n)
        out.push_back(m_ring[n % capacity]);
    return to;
}

void ChangeFeed::listenerDown()
{
    m_heartbeatMs.store(0, std::memory_order_release);
    m_epoch.fetch_add(1, std::memory_order_acq_rel);
    const QMutexLocker lock(&m_mutex);
    for (const auto &watcher : m_watchers)
        watcher.second();
}

int ChangeFeed::watch(std::function<void()> wake)
{
    const QMutexLocker lock(&m_mutex);
    m_watchers.emplace_back(++m_lastWatcher, std::move(wake));
    return m_lastWatcher;
}

void ChangeFeed::unwatch(int id)
{
    const QMutexLocker lock(&m_mutex);
    std::erase_if(m_watchers, [id](const auto &watcher) { return watcher.first == id; });
}

} // namespace latchkey
