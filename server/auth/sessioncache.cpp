// Entries by session, invalidated by session or by user.
#include "sessioncache.h"

namespace latchkey {

SessionCache::SessionCache(ChangeFeed *feed, int ttlSecs)
    : m_feed(feed), m_ttlMs(qint64(ttlSecs) * 1000)
{
    if (m_feed) {
        m_seen = m_feed->sequence();
        m_epoch = m_feed->epoch();
    }
}

SessionCache::Ticket SessionCache::ticket() const
{
    return isEnabled() ? Ticket{m_feed->sequence(), m_feed->epoch()} : Ticket{};
}

bool SessionCache::catchUp(qint64 nowMs)
{
    const quint64 epoch = m_feed->epoch();
    if (epoch != m_epoch) { // the listener was down: changes may have been missed
        clear();
        m_epoch = epoch;
    }
    if (m_feed->sequence() != m_seen) {
        m_changes.clear();
        const std::optional<quint64> reached = m_feed->since(m_seen, m_changes);
        if (!reached) {
            clear();
            m_seen = m_feed->sequence();
        } else {
            m_seen = *reached;
            for (const Change &change : m_changes) {
                if (change.kind == Change::Kind::User)
                    dropUser(change.id);
                else if (const auto it = m_entries.constFind(change.id);
                         change.kind == Change::Kind::Session && it != m_entries.cend()) {
                    m_sessionsOf.remove(it->user.id, change.id);
                    m_entries.erase(it);
                }
            }
        }
    }
    return m_feed->listenerUp(nowMs);
}

std::optional<User> SessionCache::find(qint64 sessionId, qint64 userId, qint64 nowMs)
{
    if (!isEnabled())
        return std::nullopt;
    if (catchUp(nowMs)) {
        const auto it = m_entries.constFind(sessionId);
        if (it != m_entries.cend() && it->user.id == userId && nowMs < it->validUntilMs)
            return it->user;
    }
    return std::nullopt;
}

void SessionCache::put(qint64 sessionId, const User &user, qint64 expiresAtSecs, qint64 nowMs,
                       Ticket ticket)
{
    if (!isEnabled() || !catchUp(nowMs) || ticket.sequence != m_seen || ticket.epoch != m_epoch)
        return; // something changed during the read, or nothing can be trusted now
    if (m_entries.size() >= maxEntries)
        clear();
    const qint64 validUntil = std::min(nowMs + m_ttlMs, expiresAtSecs * 1000);
    if (!m_entries.contains(sessionId))
        m_sessionsOf.insert(user.id, sessionId);
    m_entries.insert(sessionId, Entry{user, validUntil});
}

void SessionCache::clear()
{
    m_entries.clear();
    m_sessionsOf.clear();
}

void SessionCache::dropUser(qint64 userId)
{
    for (const qint64 sessionId : m_sessionsOf.values(userId))
        m_entries.remove(sessionId);
    m_sessionsOf.remove(userId);
}

} // namespace latchkey
