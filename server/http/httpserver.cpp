// Acceptor and worker threads; graceful shutdown.
#include "httpserver.h"

#include <QThread>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

namespace latchkey {

class HttpServer::Acceptor : public QTcpServer
{
public:
    explicit Acceptor(HttpServer *server) : QTcpServer(server), m_server(server) {}

protected:
    void incomingConnection(qintptr socketDescriptor) override
    {
        m_server->accept(socketDescriptor);
    }

private:
    HttpServer *m_server;
};

HttpServer::HttpServer(const HttpLimits &limits, int workerCount, HandlerFactory factory,
                       QObject *parent)
    : QObject(parent), m_limits(limits), m_factory(std::move(factory)),
      m_acceptor(new Acceptor(this)),
      m_counter(limits.maxConnections, limits.maxConnectionsPerAddress, limits.trustedProxies)
{
    for (int i = 0; i < std::max(1, workerCount); ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("latchkey-worker-%1").arg(i));
        auto *worker = new HttpWorker(i, m_limits, m_factory, &m_counter);
        worker->moveToThread(thread);
        connect(worker, &HttpWorker::drained, this, &HttpServer::workerDrained);
        m_threads.push_back(thread);
        m_workers.push_back(worker);
    }
}

HttpServer::~HttpServer()
{
    stopWorkers();
}

Status HttpServer::listen(const QHostAddress &address, quint16 port)
{
    for (size_t i = 0; i < m_workers.size(); ++i) {
        m_threads[i]->start();
        // Blocking so that a handler that cannot start (no database) is known before we listen.
        QMetaObject::invokeMethod(m_workers[i], &HttpWorker::start, Qt::BlockingQueuedConnection);
    }
    m_acceptor->setMaxPendingConnections(1024);
    // The kernel's queue of connections not yet accepted (Qt's default is 50): a burst of
    // players arriving at once must not be refused. The kernel caps it at somaxconn.
    m_acceptor->setListenBacklogSize(m_limits.listenBacklog);
    if (!m_acceptor->listen(address, port)) {
        return Error{ErrorCode::Internal, QStringLiteral("cannot listen on %1:%2: %3")
                                              .arg(address.toString())
                                              .arg(port)
                                              .arg(m_acceptor->errorString())};
    }
    return Done{};
}

quint16 HttpServer::port() const
{
    return m_acceptor->serverPort();
}

void HttpServer::accept(qintptr socketDescriptor)
{
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    QHostAddress peer;
    if (::getpeername(int(socketDescriptor), reinterpret_cast<sockaddr *>(&address), &length) == 0)
        peer.setAddress(reinterpret_cast<const sockaddr *>(&address));
    // Over a limit (in all, or this client's share): refuse rather than queue without bound,
    // and one client cannot take every slot.
    if (m_stopping || peer.isNull() || !m_counter.tryAcquire(peer)) {
        ::close(int(socketDescriptor));
        return;
    }
    HttpWorker *worker = m_workers[m_next++ % m_workers.size()];
    QMetaObject::invokeMethod(
        worker, [worker, socketDescriptor, peer] { worker->addConnection(socketDescriptor, peer); },
        Qt::QueuedConnection);
}

void HttpServer::shutdown(int timeoutMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_acceptor->close();
    for (HttpWorker *w : m_workers)
        QMetaObject::invokeMethod(w, &HttpWorker::drain, Qt::QueuedConnection);
    QTimer::singleShot(timeoutMs, this, &HttpServer::stopWorkers);
}

void HttpServer::workerDrained()
{
    if (++m_drainedWorkers == int(m_workers.size()))
        stopWorkers();
}

void HttpServer::stopWorkers()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_acceptor->close();
    for (size_t i = 0; i < m_workers.size(); ++i) {
        if (m_threads[i]->isRunning()) {
            QMetaObject::invokeMethod(m_workers[i], &HttpWorker::finish,
                                      Qt::BlockingQueuedConnection);
            m_threads[i]->quit();
            m_threads[i]->wait();
        }
        delete m_workers[i];
        delete m_threads[i];
    }
    m_workers.clear();
    m_threads.clear();
    Q_EMIT stopped();
}

} // namespace latchkey
