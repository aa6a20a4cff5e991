// Reconnection policy: the first try at once; after a drop or a failed handshake 1 s doubling
// to 60 s, each wait drawn from [0.5, 1.5) of it so that a server restart is not met by every
// game at the same instant. A failed handshake renews the access token first (it may have
// expired while the socket was away); a session the server no longer knows ends there, in
// the refresh, like any other. Offline is not logout: the socket just waits.
#include "eventsocket_p.h"

#include "engine_p.h"

#include "logging_p.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QRandomGenerator>

namespace latchkey {

EventSocket::EventSocket(const ClientConfig &config, Handlers handlers, QObject *parent)
    : QObject(parent), m_handlers(std::move(handlers)), m_retry(this)
{
    m_url = config.serverUrl;
    m_url.setScheme(m_url.scheme() == QLatin1StringView("https") ? QStringLiteral("wss")
                                                                 : QStringLiteral("ws"));
    m_url.setPath(m_url.path().chopped(m_url.path().endsWith(QLatin1Char('/')) ? 1 : 0) +
                  QStringLiteral("/api/events"));
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &EventSocket::open);
}

EventSocket::~EventSocket()
{
    m_wanted = false;
    drop();
}

void EventSocket::start()
{
    if (m_wanted)
        return;
    m_wanted = true;
    m_failures = 0;
    open();
}

void EventSocket::stop()
{
    m_wanted = false;
    m_retry.stop();
    drop();
    setLive(false);
}

void EventSocket::drop()
{
    if (!m_socket)
        return;
    // Nothing more from this socket reaches us: a session replaced by a new one (a link)
    // must not be logged out by its old socket's session_revoked.
    QObject::disconnect(m_socket, nullptr, this, nullptr);
    if (m_socket->state() == QAbstractSocket::ConnectedState) {
        m_socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("logged out"));
        m_socket->flush();
    } else {
        m_socket->abort();
    }
    m_socket->deleteLater();
    m_socket = nullptr;
    m_connecting = false;
}

void EventSocket::open()
{
    if (!m_wanted || m_socket)
        return;
    if (m_renewFirst) {
        m_renewFirst = false;
        m_handlers.renewToken([this](bool renewed) {
            if (!m_wanted)
                return;
            if (renewed)
                open();
            else
                retryLater();
        });
        return;
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_connecting = false;
        m_failures = 0;
        setLive(true);
    });
    // Not disconnected(): a socket that never connected (refused, a failed handshake) does not
    // always say it; every end passes through the unconnected state.
    connect(m_socket, &QWebSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState)
            onDisconnected();
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const QJsonObject event = QJsonDocument::fromJson(text.toUtf8()).object();
        if (!event.isEmpty())
            m_handlers.message(event);
    });
    QNetworkRequest request(m_url);
    request.setRawHeader("Authorization", "Bearer " + m_handlers.accessToken());
    m_connecting = true;
    m_socket->open(request);
}

void EventSocket::onDisconnected()
{
    const bool handshakeFailed = m_connecting;
    // A server of the seed's generation has no /api/events: do not knock once a minute (and
    // refresh the token each time) for as long as the session lasts. QWebSocket tells the
    // status only in its message ("Unhandled http status code: 404 (Not Found)").
    const bool noEvents = handshakeFailed && m_socket->errorString().contains(u"code: 404");
    if (handshakeFailed)
        qCInfo(lcEngine).noquote() << "event socket not opened:" << m_socket->errorString();
    else
        qCInfo(lcEngine).noquote()
            << "event socket closed:" << int(m_socket->closeCode()) << m_socket->closeReason();
    drop();
    setLive(false);
    if (!m_wanted || noEvents)
        return;
    m_renewFirst = handshakeFailed;
    retryLater();
}

void EventSocket::retryLater()
{
    const int base = std::min(maxBackoffSecs, 1 << std::min(m_failures, 6));
    ++m_failures;
    const double jitter = 0.5 + QRandomGenerator::global()->generateDouble();
    m_retry.start(std::chrono::milliseconds(qint64(base * 1000 * jitter)));
}

void EventSocket::setLive(bool live)
{
    if (live == m_live)
        return;
    m_live = live;
    m_handlers.liveChanged(live);
}

// The engine's side: the socket's token and renewal, and what each event does to the session.
EventSocket *Engine::makeEventSocket()
{
    return new EventSocket(
        m_config,
        {[this](const QJsonObject &event) { handleEvent(event); },
         [this](bool live) { m_events.liveChanged(live); }, [this] { return m_accessToken; },
         [this](std::function<void(bool)> done) {
             refresh([done](const Result<User> &renewed) { done(bool(renewed)); });
         }},
        this);
}

void Engine::handleEvent(const QJsonObject &event)
{
    const QString name = event.value(QLatin1StringView("event")).toString();
    if (name == QLatin1StringView("session_revoked")) {
        qCInfo(lcEngine).noquote() << "the server ended the session:"
                                   << event.value(QLatin1StringView("reason")).toString();
        endSession();
    } else if (name == QLatin1StringView("user_updated")) {
        const Result<User> user = User::fromJson(event.value(QLatin1StringView("user")).toObject());
        if (!user || user->id != m_user.id)
            return;
        m_user = *user;
        m_store.writeProfile(m_user);
        m_events.userChanged(m_user);
    } else if (name == QLatin1StringView("identity_linked")) {
        m_events.identityLinked(event.value(QLatin1StringView("provider")).toString());
    }
}

} // namespace latchkey
