// A worker thread's half of the server: its connections, its handler, its timeout sweep.
#pragma once

#include "connectioncounter.h"
#include "httpconnection.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace latchkey {

using HandlerFactory = std::function<std::unique_ptr<RequestHandler>(int workerIndex)>;

class HttpWorker : public QObject
{
    Q_OBJECT
public:
    HttpWorker(int index, const HttpLimits &limits, HandlerFactory factory,
               ConnectionCounter *counter);
    ~HttpWorker() override;

    // All of these run on the worker's thread (the server invokes them queued).
    void start();
    //! \a peer: the address the connection was counted under (given back when it closes).
    void addConnection(qintptr socketDescriptor, const QHostAddress &peer);
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
    ConnectionCounter *m_counter;
    QHash<HttpConnection *, QHostAddress> m_connections; //!< and the address each is counted under
    QTimer m_sweepTimer;
    bool m_draining = false;
    bool m_drainedReported = false;
    qint64 m_dateSecond = -1;
    QByteArray m_date;
};

} // namespace latchkey
