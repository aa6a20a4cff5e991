// Minimal HTTP/1.1 server: reads the head and a Content-Length body, answers once, closes.
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

QByteArray StandInRequest::param(const QByteArray &name) const
{
    QByteArrayList sources{query};
    if (contentType.startsWith("application/x-www-form-urlencoded"))
        sources.append(body);
    for (const QByteArray &source : sources) {
        for (const QByteArray &pair : source.split('&')) {
            const qsizetype eq = pair.indexOf('=');
            if (eq > 0 && pair.left(eq) == name) {
                QByteArray value = pair.mid(eq + 1);
                value.replace('+', ' ');
                return QByteArray::fromPercentEncoding(value);
            }
        }
    }
    return {};
}

void StandInServer::serve(QTcpSocket *socket)
{
    QByteArray head = socket->property("head").toByteArray() + socket->readAll();
    socket->setProperty("head", head);
    const qsizetype headEnd = head.indexOf("\r\n\r\n");
    if (headEnd < 0 || socket->property("answered").toBool())
        return;
    StandInRequest request;
    const QList<QByteArray> lines = head.left(headEnd).split('\n');
    qsizetype contentLength = 0;
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = colon > 0 ? line.left(colon).trimmed().toLower() : QByteArray();
        if (name == "content-length")
            contentLength = line.mid(colon + 1).trimmed().toLongLong();
        else if (name == "content-type")
            request.contentType = line.mid(colon + 1).trimmed();
    }
    if (head.size() - headEnd - 4 < contentLength)
        return; // the body is still arriving
    request.body = head.mid(headEnd + 4, contentLength);
    socket->setProperty("answered", true);
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
    const StandInReply reply =
        handler == m_routes.constEnd()
            ? StandInReply{404, "{\"error\":\"not found\"}", {}, 0, false, {}}
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
        if (!reply.location.isEmpty())
            out += "Location: " + reply.location + "\r\n";
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
