// Changes that make a cached session or user row stale, for every worker of this process:
// published by this process's own writes right after they commit, and by the listener of
// PostgreSQL notifications for every other instance's (and latchkey-admin's) writes.
#pragma once

#include <QMutex>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace latchkey {

struct Change
{
    enum class Kind : quint8 {
        Session,  //!< this session ended
        User,     //!< this user's row changed or went: every session of it is stale
        Identity, //!< this user linked an identity
    };
    Kind kind = Kind::Session;
    qint64 id = 0; //!< the session's or the user's
};

//! Thread-safe. Changes are numbered; a reader keeps the number it has seen and asks for the
//! rest. The ring holds the last `capacity` changes: a reader further behind is told so, and
//! drops everything it cached.
class ChangeFeed
{
public:
    static constexpr quint64 capacity = 4096;
    //! How long a heartbeat proves the remote changes are arriving (listenerUp()).
    static constexpr qint64 heartbeatValidMs = 1000;

    void publish(Change change);
    //! The number the next change will get.
    quint64 sequence() const { return m_sequence.load(std::memory_order_acquire); }
    //! The changes numbered from \a from on into \a out, and the number after the last;
    //! std::nullopt when some were overwritten already.
    std::optional<quint64> since(quint64 from, std::vector<Change> &out) const;

    //! Whether remote changes reach this process: a listener heard its own heartbeat, sent
    //! at \a sentAtMs (this process's clock), so every change committed before that moment
    //! has been published.
    void heartbeat(qint64 sentAtMs) { m_heartbeatMs.store(sentAtMs, std::memory_order_release); }
    //! The listener lost its connection: changes may have been missed. Readers drop what
    //! they cached (the epoch moves) and trust nothing until the next heartbeat.
    void listenerDown();
    bool listenerUp(qint64 nowMs) const
    {
        const qint64 beat = m_heartbeatMs.load(std::memory_order_acquire);
        return beat > 0 && nowMs - beat <= heartbeatValidMs;
    }
    //! Moves whenever the listener was down: caches older than it may have missed changes.
    quint64 epoch() const { return m_epoch.load(std::memory_order_acquire); }

    //! \a wake runs after every publish() and listenerDown(), on the thread that made it and
    //! under the feed's lock: it should only post work to its own thread. Returns the id
    //! unwatch() takes; after unwatch() returns, \a wake is not called again.
    int watch(std::function<void()> wake);
    void unwatch(int id);

private:
    mutable QMutex m_mutex;
    std::vector<Change> m_ring = std::vector<Change>(capacity);
    std::atomic<quint64> m_sequence{0};
    std::atomic<qint64> m_heartbeatMs{0};
    std::atomic<quint64> m_epoch{0};
    std::vector<std::pair<int, std::function<void()>>> m_watchers;
    int m_lastWatcher = 0;
};

} // namespace latchkey
