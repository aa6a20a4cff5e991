// The HTTP/1.1 server: one acceptor thread hands sockets to N shared-nothing workers.
#pragma once

#include "httpworker.h"

#include <latchkey/error.h>

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>

#include <vector>

class QThread;

namespace latchkey {

class HttpServer : public QObject
{
    Q_OBJECT
public:
    //! \a factory is called once on each worker thread to build that thread's handler.
    HttpServer(const HttpLimits &limits, int workerCount, HandlerFactory factory,
               QObject *parent = nullptr);
    ~HttpServer() override;

    //! Starts the workers and listens; fails with a message naming the address.
    Status listen(const QHostAddress &address, quint16 port);
    quint16 port() const;
    int openConnections() const { return m_counter.total(); }

    //! Graceful stop: no new connections, idle ones closed, in-flight requests answered;
    //! after \a timeoutMs the rest are cut. Emits stopped() when every worker is gone.
    void shutdown(int timeoutMs);

Q_SIGNALS:
    void stopped();

private:
    class Acceptor;
    void accept(qintptr socketDescriptor);
    void workerDrained();
    void stopWorkers();

    HttpLimits m_limits;
    HandlerFactory m_factory;
    Acceptor *m_acceptor;
    std::vector<QThread *> m_threads;
    std::vector<HttpWorker *> m_workers;
    ConnectionCounter m_counter;
    size_t m_next = 0;
    int m_drainedWorkers = 0;
    bool m_stopping = false;
    bool m_stopped = false;
};

} // namespace latchkey
