// Fan-out of the change feed to this worker's event sockets.
#include "eventhub.h"

#include "logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

namespace {
QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}
} // namespace

EventSockets::Refusal EventSockets::acquire(qint64 userId)
{
    const QMutexLocker lock(&m_mutex);
    if (m_total >= m_maxTotal)
        return Refusal::Total;
    int &mine = m_perUser[userId];
    if (mine >= m_maxPerUser)
        return Refusal::PerUser;
    ++mine;
    ++m_total;
    return Refusal::None;
}

void EventSockets::release(qint64 userId)
{
    const QMutexLocker lock(&m_mutex);
    if (--m_perUser[userId] <= 0)
        m_perUser.remove(userId);
    --m_total;
}

int EventSockets::open() const
{
    const QMutexLocker lock(&m_mutex);
    return m_total;
}

EventHub::EventHub(Storage &storage, ChangeFeed &feed, EventSockets &sockets, Clock clock)
    : m_storage(storage), m_feed(feed), m_sockets(sockets), m_clock(std::move(clock)),
      m_seen(feed.sequence()), m_epoch(feed.epoch())
{
    // Without sockets nobody is woken: a busy server's renames cost idle workers nothing.
    // What was published meanwhile is read on the next drain (it only costs a look).
    m_watch = m_feed.watch([this] {
        if (m_open.load(std::memory_order_relaxed) > 0)
            wake();
    });
}

EventHub::~EventHub()
{
    m_feed.unwatch(m_watch);
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        QObject::disconnect(it.key(), nullptr, this, nullptr);
        m_sockets.release(it->userId);
    }
}

void EventHub::wake()
{
    if (!m_wakePending.exchange(true))
        QMetaObject::invokeMethod(this, &EventHub::drain, Qt::QueuedConnection);
}

void EventHub::add(WebSocket *socket, qint64 sessionId, const User &user, quint64 epoch)
{
    // The first socket after a quiet spell: read what was published while nobody was woken
    // (a change between this socket's Bearer check and now among it). An interruption of
    // the listener before its check is none of its business; one after it closes it.
    if (m_open.fetch_add(1, std::memory_order_relaxed) == 0) {
        m_epoch = epoch;
        wake();
    }
    m_entries.insert(socket, {sessionId, user.id});
    m_byUser.insert(user.id, socket);
    m_bySession.insert(sessionId, socket);
    if (!m_lastUser.contains(user.id)) {
        m_lastUser.insert(user.id, compact(user.toJson()));
        m_providers.insert(user.id, providersOf(user.id).value_or(QStringList()));
    }
    connect(socket, &WebSocket::closed, this,
            [this, socket](WebSocket::End why) { removed(socket, why); });
}

void EventHub::removed(WebSocket *socket, WebSocket::End why)
{
    const auto it = m_entries.constFind(socket);
    if (it == m_entries.cend())
        return;
    const Entry entry = *it;
    m_entries.erase(it);
    m_byUser.remove(entry.userId, socket);
    m_bySession.remove(entry.sessionId, socket);
    if (!m_byUser.contains(entry.userId)) {
        m_lastUser.remove(entry.userId);
        m_providers.remove(entry.userId);
    }
    m_sockets.release(entry.userId);
    m_open.fetch_sub(1, std::memory_order_relaxed);
    if (why == WebSocket::End::SlowReader)
        m_sockets.slowDropped.fetch_add(1, std::memory_order_relaxed);
    else if (why == WebSocket::End::Unanswered)
        m_sockets.unanswered.fetch_add(1, std::memory_order_relaxed);
}

void EventHub::drain()
{
    m_wakePending.store(false);
    if (const quint64 epoch = m_feed.epoch(); epoch != m_epoch) {
        m_epoch = epoch;
        closeAll(websocket::TryAgainLater, "live events were interrupted; reconnect");
    }
    m_changes.clear();
    const std::optional<quint64> reached = m_feed.since(m_seen, m_changes);
    QSet<qint64> users;
    if (!reached) { // too far behind to know what changed: look at everyone
        m_seen = m_feed.sequence();
        for (auto it = m_byUser.keyBegin(); it != m_byUser.keyEnd(); ++it)
            users.insert(*it);
    } else {
        m_seen = *reached;
    }
    for (const Change &change : m_changes) {
        if (change.kind == Change::Kind::Session) {
            for (WebSocket *socket : m_bySession.values(change.id))
                users.insert(m_entries.value(socket).userId);
        } else if (m_byUser.contains(change.id)) {
            users.insert(change.id);
            if (change.kind == Change::Kind::Identity)
                announceLinks(change.id);
        }
    }
    for (const qint64 userId : std::as_const(users))
        refresh(userId);
}

void EventHub::refresh(qint64 userId)
{
    const qint64 nowSecs = m_clock() / 1000;
    for (WebSocket *socket : m_byUser.values(userId)) {
        const qint64 sessionId = m_entries.value(socket).sessionId;
        const Result<QString> ended = m_storage.sessions().endReason(sessionId, nowSecs);
        if (!ended) { // what changed cannot be told: the client reconnects (and is checked)
            qCWarning(lcEvents) << "event sockets of user" << userId
                                << "closed, the change not read:" << ended.error().message;
            closeUser(userId);
            return;
        }
        if (ended->isEmpty())
            continue;
        socket->sendText(compact({{u"event"_s, u"session_revoked"_s},
                                  {u"session"_s, sessionId},
                                  {u"reason"_s, *ended}}));
        m_sockets.sent.fetch_add(1, std::memory_order_relaxed);
        socket->close(websocket::NormalClosure, "session ended");
    }
    if (!m_byUser.contains(userId))
        return;
    const Result<User> user = m_storage.users().byId(userId);
    if (!user) {
        qCWarning(lcEvents) << "event sockets of user" << userId
                            << "closed, the change not read:" << user.error().message;
        closeUser(userId);
        return;
    }
    const QByteArray row = compact(user->toJson());
    if (m_lastUser.value(userId) == row)
        return;
    m_lastUser.insert(userId, row);
    sendTo(userId, R"({"event":"user_updated","user":)" + row + '}');
}

std::optional<QStringList> EventHub::providersOf(qint64 userId)
{
    const Result<QList<LinkedIdentity>> identities = m_storage.users().identities(userId);
    if (!identities) {
        qCWarning(lcEvents) << "identities of user" << userId
                            << "not read:" << identities.error().message;
        return std::nullopt;
    }
    QStringList providers;
    for (const LinkedIdentity &identity : *identities)
        providers.append(identity.provider);
    return providers;
}

void EventHub::announceLinks(qint64 userId)
{
    const std::optional<QStringList> now = providersOf(userId);
    if (!now)
        return;
    const QStringList known = m_providers.value(userId);
    m_providers.insert(userId, *now);
    for (const QString &provider : *now) {
        if (!known.contains(provider))
            sendTo(userId,
                   compact({{u"event"_s, u"identity_linked"_s}, {u"provider"_s, provider}}));
    }
}

void EventHub::sendTo(qint64 userId, const QByteArray &message)
{
    for (WebSocket *socket : m_byUser.values(userId)) {
        socket->sendText(message); // a slow reader is dropped here (removed() runs)
        m_sockets.sent.fetch_add(1, std::memory_order_relaxed);
    }
}

void EventHub::closeUser(qint64 userId)
{
    for (WebSocket *socket : m_byUser.values(userId))
        socket->close(websocket::TryAgainLater, "the change could not be read; reconnect");
}

void EventHub::closeAll(quint16 code, QByteArrayView reason)
{
    const QList<WebSocket *> sockets = m_entries.keys();
    for (WebSocket *socket : sockets)
        socket->close(code, reason);
}

} // namespace latchkey
