// The shared key set: a copy out, a replacement in, both under the lock.
#include "keyset.h"

namespace latchkey {

KeySet::State KeySet::state() const
{
    const QMutexLocker lock(&m_mutex);
    return m_state; // QHash and jwt::Key are shared, not deep-copied
}

void KeySet::storeKeys(QHash<QString, jwt::Key> keys, qint64 fetchedAt, qint64 expiresAt)
{
    const QMutexLocker lock(&m_mutex);
    m_state = State{std::move(keys), fetchedAt, expiresAt, Done{}};
}

void KeySet::storeFailure(const Error &error, qint64 fetchedAt)
{
    const QMutexLocker lock(&m_mutex);
    m_state.fetchedAt = fetchedAt; // the keys still valid (if any) are kept
    m_state.lastFetch = error;
}

} // namespace latchkey
