// Minimal GET-only HTTP/1.1 server: reads the head, answers once, closes.
#include "standinserver.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace latchkey::test {

StandInServer::StandInServer()
{
    m_server.listen(QHostAddress::LocalHost, 0);
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

QUrl StandInServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

void StandInServer::serve(QTcpSocket *socket)
{
    QByteArray head = socket->property("head").toByteArray() + socket->readAll();
    socket->setProperty("head", head);
    if (!head.contains("\r\n\r\n") || socket->property("answered").toBool())
        return;
    socket->setProperty("answered", true);
    StandInRequest request;
    const QList<QByteArray> lines = head.left(head.indexOf("\r\n\r\n")).split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    request.method = first.value(0);
    const QByteArray target = first.value(1);
    const qsizetype q = target.indexOf('?');
    request.path = q < 0 ? target : target.left(q);
    request.query = q < 0 ? QByteArray() : target.mid(q + 1);
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "authorization")
            request.authorization = line.mid(colon + 1).trimmed();
    }
    ++m_hits[request.path];
    m_requests.append(request);
    const auto handler = m_routes.constFind(request.path);
    const StandInReply reply = handler == m_routes.constEnd()
                                   ? StandInReply{404, "{\"error\":\"not found\"}", {}, 0, false}
                                   : (*handler)(request);
    if (reply.hang)
        return;
    QPointer<QTcpSocket> guard(socket);
    auto answer = [guard, reply] {
        if (!guard)
            return;
        QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) +
                         " X\r\nContent-Type: application/json\r\n"
                         "Content-Length: " +
                         QByteArray::number(reply.body.size()) + "\r\nConnection: close\r\n";
        if (!reply.cacheControl.isEmpty())
            out += "Cache-Control: " + reply.cacheControl + "\r\n";
        out += "\r\n" + reply.body;
        guard->write(out);
        guard->disconnectFromHost();
    };
    if (reply.delayMs > 0)
        QTimer::singleShot(reply.delayMs, this, answer);
    else
        answer();
}

} // namespace latchkey::test
