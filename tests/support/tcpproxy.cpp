// The relay: each accepted socket is paired with one to the target, bytes copied both ways.
#include "tcpproxy.h"

#include <QTcpServer>
#include <QTcpSocket>

namespace latchkey::test {

namespace {
void relay(QTcpSocket *from, QTcpSocket *to)
{
    QObject::connect(from, &QTcpSocket::readyRead, to, [from, to] { to->write(from->readAll()); });
    QObject::connect(from, &QTcpSocket::disconnected, to, &QTcpSocket::disconnectFromHost);
}
} // namespace

TcpProxy::TcpProxy(quint16 targetPort) : m_target(targetPort)
{
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            m_server = new QTcpServer(m_context);
            m_server->listen(QHostAddress::LocalHost);
            m_port = m_server->serverPort();
            QObject::connect(m_server, &QTcpServer::newConnection, m_context, [this] { accept(); });
        },
        Qt::BlockingQueuedConnection);
}

TcpProxy::~TcpProxy()
{
    QMetaObject::invokeMethod(
        m_context, [this] { delete m_context; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void TcpProxy::setCut(bool cut)
{
    QMetaObject::invokeMethod(
        m_context,
        [this, cut] {
            m_cut = cut;
            if (cut) {
                for (QTcpSocket *socket : m_context->findChildren<QTcpSocket *>())
                    socket->abort();
            }
        },
        Qt::BlockingQueuedConnection);
}

void TcpProxy::accept()
{
    while (QTcpSocket *client = m_server->nextPendingConnection()) {
        ++m_connections;
        client->setParent(m_context);
        if (m_cut) {
            client->abort();
            client->deleteLater();
            continue;
        }
        auto *upstream = new QTcpSocket(m_context);
        relay(client, upstream);
        relay(upstream, client);
        QObject::connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        QObject::connect(upstream, &QTcpSocket::disconnected, upstream, &QObject::deleteLater);
        upstream->connectToHost(QHostAddress::LocalHost, m_target);
    }
}

} // namespace latchkey::test
