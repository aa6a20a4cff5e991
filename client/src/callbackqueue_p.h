// The queue between the library's thread and the game's: pushed there, run here.
#pragma once

#include <QMutex>

#include <deque>
#include <functional>

namespace latchkey {

//! Thread-safe; the lock is held only to push or pop, never while a callback runs.
class CallbackQueue
{
public:
    using Callback = std::function<void()>;

    void push(Callback callback)
    {
        Callback notify;
        {
            QMutexLocker lock(&m_mutex);
            m_queue.push_back(std::move(callback));
            notify = m_notify;
        }
        if (notify)
            notify();
    }

    bool pop(Callback *callback)
    {
        QMutexLocker lock(&m_mutex);
        if (m_queue.empty())
            return false;
        *callback = std::move(m_queue.front());
        m_queue.pop_front();
        return true;
    }

    //! Called (on the pushing thread) after every push.
    void setNotify(Callback notify)
    {
        QMutexLocker lock(&m_mutex);
        m_notify = std::move(notify);
    }

private:
    QMutex m_mutex;
    std::deque<Callback> m_queue;
    Callback m_notify;
};

} // namespace latchkey
