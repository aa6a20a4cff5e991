// Worker thread: owns its connections and handler; sweeps deadlines; drains on shutdown.
#include "httpworker.h"

#include "monotonic.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <utility>

namespace latchkey {

HttpWorker::HttpWorker(int index, const HttpLimits &limits, HandlerFactory factory,
                       ConnectionCounter *counter)
    : m_index(index), m_limits(limits), m_factory(std::move(factory)), m_counter(counter),
      m_sweepTimer(this)
{
    const int shortest = std::min({limits.headerTimeoutMs, limits.bodyTimeoutMs,
                                   limits.idleTimeoutMs, limits.webSocketPingMs});
    m_sweepTimer.setInterval(std::clamp(shortest / 4, 5, 1000));
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpWorker::sweep);
}

HttpWorker::~HttpWorker() = default;

void HttpWorker::start()
{
    m_handler = m_factory(m_index);
    m_sweepTimer.start();
}

void HttpWorker::addConnection(qintptr socketDescriptor, const QHostAddress &peer)
{
    auto *connection = new HttpConnection(socketDescriptor, this);
    m_connections.insert(connection, peer);
    if (m_draining)
        connection->drain();
}

void HttpWorker::connectionClosed(HttpConnection *connection)
{
    const auto it = m_connections.constFind(connection);
    if (it == m_connections.cend())
        return;
    m_counter->release(it.value());
    m_connections.erase(it);
    connection->deleteLater();
    checkDrained();
}

void HttpWorker::sweep()
{
    const qint64 now = monotonicMs();
    const QList<HttpConnection *> connections = m_connections.keys();
    for (HttpConnection *c : connections) {
        if (m_connections.contains(c))
            c->checkDeadline(now);
    }
}

void HttpWorker::drain()
{
    m_draining = true;
    const QList<HttpConnection *> connections = m_connections.keys();
    for (HttpConnection *c : connections) {
        if (m_connections.contains(c))
            c->drain();
    }
    checkDrained();
}

void HttpWorker::checkDrained()
{
    if (m_draining && m_connections.isEmpty() && !m_drainedReported) {
        m_drainedReported = true;
        Q_EMIT drained();
    }
}

void HttpWorker::finish()
{
    m_sweepTimer.stop();
    const QHash<HttpConnection *, QHostAddress> connections = std::exchange(m_connections, {});
    for (auto it = connections.cbegin(); it != connections.cend(); ++it) {
        m_counter->release(it.value());
        delete it.key();
    }
    m_handler.reset(); // closes this thread's database connection on this thread
}

const QByteArray &HttpWorker::httpDate()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (now != m_dateSecond) {
        m_dateSecond = now;
        m_date = QLocale::c()
                     .toString(QDateTime::fromSecsSinceEpoch(now, Qt::UTC),
                               QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                     .toLatin1();
    }
    return m_date;
}

} // namespace latchkey
