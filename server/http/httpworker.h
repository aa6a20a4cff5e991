// A worker thread's half of the server: its connections, its handler, its timeout sweep.
#pragma once

#include "httpconnection.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

namespace latchkey {

using HandlerFactory = std::function<std::unique_ptr<RequestHandler>(int workerIndex)>;

class HttpWorker : public QObject
{
    Q_OBJECT
public:
    HttpWorker(int index, const HttpLimits &limits, HandlerFactory factory,
               std::atomic<int> *openConnections);
    ~HttpWorker() override;

    // All of these run on the worker's thread (the server invokes them queued).
    void start();
    void addConnection(qintptr socketDescriptor);
    void drain();
    void finish();

    const HttpLimits &limits() const { return m_limits; }
    RequestHandler *handler() const { return m_handler.get(); }
    //! "Sat, 21 Nov 2026 09:48:36 GMT", recomputed at most once a second.
    const QByteArray &httpDate();

Q_SIGNALS:
    void drained();

private:
    friend class HttpConnection;
    void connectionClosed(HttpConnection *connection);
    void sweep();
    void checkDrained();

    int m_index;
    HttpLimits m_limits;
    HandlerFactory m_factory;
    std::unique_ptr<RequestHandler> m_handler;
    std::atomic<int> *m_openConnections;
    QSet<HttpConnection *> m_connections;
    QTimer m_sweepTimer;
    bool m_draining = false;
    bool m_drainedReported = false;
    qint64 m_dateSecond = -1;
    QByteArray m_date;
};

} // namespace latchkey
