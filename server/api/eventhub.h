// The live event sockets of one worker (GET /api/events) and what they are told: every
// change the process's ChangeFeed carries that concerns their players.
#pragma once

#include "db/changefeed.h"
#include "db/storage.h"
#include "http/websocket.h"

#include <latchkey/clock.h>
#include <latchkey/user.h>

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QPointer>

#include <atomic>

namespace latchkey {

//! Bounds and counters shared by every worker's hub (thread-safe).
class EventSockets
{
public:
    EventSockets(int maxPerUser, int maxTotal) : m_maxPerUser(maxPerUser), m_maxTotal(maxTotal) {}

    enum class Refusal { None, PerUser, Total };
    //! Takes a place for a socket of \a userId, or says which bound refuses it.
    Refusal acquire(qint64 userId);
    void release(qint64 userId);
    int maxPerUser() const { return m_maxPerUser; }
    int maxTotal() const { return m_maxTotal; }

    int open() const;
    std::atomic<quint64> sent{0};        //!< event messages queued to sockets
    std::atomic<quint64> slowDropped{0}; //!< sockets dropped for not reading
    std::atomic<quint64> unanswered{0};  //!< sockets closed after two unanswered pings

private:
    const int m_maxPerUser;
    const int m_maxTotal;
    mutable QMutex m_mutex;
    QHash<qint64, int> m_perUser;
    int m_total = 0;
};

//! Lives on its worker's thread. Treats the feed as hints: for a change that concerns a
//! player with open sockets it reads the truth (is each socket's session still live? has the
//! player's row changed since it was last sent?) and tells them: a session that ended gets
//! {"event":"session_revoked","session","reason"} on its own sockets, which then close; a
//! changed row {"event":"user_updated","user"}; a provider linked since they last heard
//! {"event":"identity_linked","provider"}. A change heard twice (this process's own, then its
//! notification) is told once.
//! When the listener of other instances' changes was down (the epoch moved), every socket is
//! closed with 1013: what it missed cannot be known, and the client reconnects; so are a
//! player's sockets when the database cannot be read to tell them what changed.
class EventHub : public QObject
{
public:
    EventHub(Storage &storage, ChangeFeed &feed, EventSockets &sockets, Clock clock);
    ~EventHub() override;

    //! Starts telling \a socket about session \a sessionId of \a user (already counted in
    //! EventSockets::acquire()); \a epoch: the feed's, read before the checks that let the
    //! socket open.
    void add(WebSocket *socket, qint64 sessionId, const User &user, quint64 epoch);

private:
    struct Entry
    {
        qint64 sessionId = 0;
        qint64 userId = 0;
    };

    //! Posts one drain() to this hub's thread (from any thread; one at a time).
    void wake();
    void drain();
    void refresh(qint64 userId);
    //! The player's linked providers now; std::nullopt when they cannot be read.
    std::optional<QStringList> providersOf(qint64 userId);
    //! identity_linked for each provider linked since the sockets last heard.
    void announceLinks(qint64 userId);
    void removed(WebSocket *socket, WebSocket::End why);
    void sendTo(qint64 userId, const QByteArray &message);
    void closeAll(quint16 code, QByteArrayView reason);
    //! A change of \a userId could not be read: the player's sockets close with 1013.
    void closeUser(qint64 userId);

    Storage &m_storage;
    ChangeFeed &m_feed;
    EventSockets &m_sockets;
    const Clock m_clock;
    int m_watch = 0;
    std::atomic<bool> m_wakePending{false};
    std::atomic<int> m_open{0}; //!< sockets in m_entries, read by the feed's watcher
    quint64 m_seen = 0;
    quint64 m_epoch = 0;
    std::vector<Change> m_changes;
    QHash<WebSocket *, Entry> m_entries;
    QMultiHash<qint64, WebSocket *> m_byUser;
    QMultiHash<qint64, WebSocket *> m_bySession;
    QHash<qint64, QByteArray> m_lastUser;   //!< the user row each player's sockets last saw
    QHash<qint64, QStringList> m_providers; //!< and the providers they know are linked
};

} // namespace latchkey
