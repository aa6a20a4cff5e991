// A TCP relay on loopback in its own thread, for putting a network fault between the server
// and its database: relays while open; when cut, drops every relayed connection and closes
// new ones at once (as a database that refuses), counting every connection it is offered.
#pragma once

#include <QHostAddress>
#include <QObject>
#include <QThread>

#include <atomic>

class QTcpServer;

namespace latchkey::test {

class TcpProxy
{
public:
    explicit TcpProxy(quint16 targetPort);
    ~TcpProxy();
    TcpProxy(const TcpProxy &) = delete;
    TcpProxy &operator=(const TcpProxy &) = delete;

    quint16 port() const { return m_port; }
    //! Connections offered so far, relayed or refused.
    int connections() const { return m_connections.load(); }
    //! Drops the relayed connections and refuses new ones (true), or relays again (false).
    void setCut(bool cut);

private:
    void accept();

    const quint16 m_target;
    QThread m_thread;
    QObject *m_context = nullptr; //!< lives in m_thread; parent of the server and sockets
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    std::atomic<int> m_connections{0};
    bool m_cut = false; //!< only touched in m_thread
};

} // namespace latchkey::test
