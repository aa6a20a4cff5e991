// One worker's cache of verified live sessions (session id → its user's row), so a Bearer call
// needs no database round trip. Stale entries are dropped by the process's ChangeFeed; while
// the feed cannot vouch for remote changes (the PostgreSQL listener is down or late), nothing
// cached is trusted and nothing is added: correctness never waits for a notification.
#pragma once

#include "db/changefeed.h"

#include <latchkey/user.h>

#include <QHash>
#include <QMultiHash>

#include <optional>

namespace latchkey {

class SessionCache
{
public:
    //! At most this many sessions per worker; past it the cache starts over.
    static constexpr qsizetype maxEntries = 50000;

    //! Off when \a feed is null or \a ttlSecs is 0.
    SessionCache(ChangeFeed *feed, int ttlSecs);

    bool isEnabled() const { return m_feed && m_ttlMs > 0; }

    //! What the feed had published before a database read: put() keeps the read only if
    //! nothing was published (or lost) since.
    struct Ticket
    {
        quint64 sequence = 0;
        quint64 epoch = 0;
    };
    Ticket ticket() const;

    //! The cached user of \a sessionId when it is \a userId's, still live at \a nowMs, and
    //! trusted; std::nullopt otherwise (the caller reads the database).
    std::optional<User> find(qint64 sessionId, qint64 userId, qint64 nowMs);
    //! Remembers a live session read from the database with \a ticket taken before the read.
    void put(qint64 sessionId, const User &user, qint64 expiresAtSecs, qint64 nowMs, Ticket ticket);

private:
    struct Entry
    {
        User user;
        qint64 validUntilMs = 0; //!< the earlier of the session's expiry and the time to live
    };
    //! Applies what the feed published since last time; false when nothing may be trusted now.
    bool catchUp(qint64 nowMs);
    void clear();
    void dropUser(qint64 userId);

    ChangeFeed *const m_feed;
    const qint64 m_ttlMs;
    QHash<qint64, Entry> m_entries;          //!< by session id
    QMultiHash<qint64, qint64> m_sessionsOf; //!< user id → session ids
    quint64 m_seen = 0;                      //!< the feed's sequence applied so far
    quint64 m_epoch = 0;
    std::vector<Change> m_changes; //!< reused by catchUp()
};

} // namespace latchkey
