// The server's side of an upgraded connection (RFC 6455 5.5 control frames, 7 closing).
#include "websocket.h"

#include "httpconnection.h"
#include "httpworker.h"
#include "monotonic.h"

#include <QTcpSocket>

namespace latchkey {

using namespace websocket;

WebSocket::WebSocket(QTcpSocket &socket, const HttpLimits &limits, HttpConnection *connection)
    : m_socket(socket), m_limits(limits), m_connection(connection), m_reader(limits.maxBodyBytes),
      m_nextPingMs(monotonicMs() + limits.webSocketPingMs)
{
}

WebSocket::~WebSocket()
{
    if (m_open) {
        m_open = false;
        Q_EMIT closed(End::Gone);
    }
}

bool WebSocket::fits(qsizetype bytes) const
{
    return m_socket.bytesToWrite() + bytes <= m_limits.webSocketMaxQueuedBytes;
}

void WebSocket::end(End why)
{
    if (!m_open)
        return;
    m_open = false;
    Q_EMIT closed(why);
}

void WebSocket::sendText(QByteArrayView message)
{
    if (!m_open)
        return;
    QByteArray out = frame(Opcode::Text, message);
    if (!fits(out.size())) {
        end(End::SlowReader);
        m_connection->abortNow();
        return;
    }
    m_socket.write(out);
}

void WebSocket::close(quint16 code, QByteArrayView reason)
{
    if (!m_open)
        return;
    m_socket.write(closeFrame(code, reason));
    end(End::Closed);
    m_connection->closeConnection();
}

void WebSocket::receive(const QByteArray &bytes)
{
    if (!m_open)
        return;
    m_input += bytes;
    std::vector<Message> messages;
    const std::optional<Violation> violation = m_reader.read(m_input, messages);
    for (Message &message : messages) {
        switch (message.opcode) {
        case Opcode::Text:
            Q_EMIT textReceived(message.payload);
            break;
        case Opcode::Ping:
            if (fits(message.payload.size() + 2))
                m_socket.write(frame(Opcode::Pong, message.payload));
            break;
        case Opcode::Pong:
            m_unansweredPings = 0;
            break;
        case Opcode::Close:
            // Echo the code (RFC 6455 5.5.1), then the lingering close of the connection.
            m_socket.write(frame(Opcode::Close, message.payload.left(2)));
            end(End::Closed);
            m_connection->closeConnection();
            return;
        default: // a binary message: this protocol speaks JSON text
            m_socket.write(closeFrame(UnsupportedData, "binary messages are not accepted"));
            end(End::ProtocolError);
            m_connection->closeConnection();
            return;
        }
        if (!m_open) // a textReceived() receiver closed the socket
            return;
    }
    if (violation) {
        m_socket.write(closeFrame(violation->code, violation->reason));
        end(End::ProtocolError);
        m_connection->closeConnection();
    }
}

qint64 WebSocket::tick(qint64 nowMs)
{
    if (nowMs < m_nextPingMs)
        return m_nextPingMs;
    if (m_unansweredPings >= 2) {
        m_socket.write(closeFrame(PolicyViolation, "two pings went unanswered"));
        end(End::Unanswered);
        m_connection->closeConnection();
        return 0;
    }
    if (fits(2))
        m_socket.write(frame(Opcode::Ping, {}));
    ++m_unansweredPings;
    m_nextPingMs = nowMs + m_limits.webSocketPingMs;
    return m_nextPingMs;
}

// The connection's side of the upgrade, kept beside what it becomes.
WebSocket *HttpConnection::upgrade(quint64 sequence, QByteArrayView protocol,
                                   const QList<QPair<QByteArray, QByteArray>> &headers)
{
    if (!m_inFlight || sequence != m_sequence || m_closing)
        return nullptr;
    m_inFlight = false;
    QByteArray out = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                     websocket::acceptKey(m_request.header("sec-websocket-key")) + "\r\n";
    if (!protocol.isEmpty())
        out.append("Sec-WebSocket-Protocol: ").append(protocol).append("\r\n");
    for (const auto &h : headers)
        out.append(h.first).append(": ").append(h.second).append("\r\n");
    m_socket.write(out.append("\r\n"));
    m_webSocket = std::make_unique<WebSocket>(m_socket, m_worker->limits(), this);
    // What the kernel holds for a socket that does not read is bounded like our queue.
    m_socket.setSocketOption(QAbstractSocket::SendBufferSizeSocketOption,
                             int(m_worker->limits().webSocketMaxQueuedBytes));
    m_deadlineMs = monotonicMs() + m_worker->limits().webSocketPingMs;
    // Frames sent right behind the handshake: read once the caller has wired the socket.
    QMetaObject::invokeMethod(this, &HttpConnection::resumeReading, Qt::QueuedConnection);
    return m_webSocket.get();
}

QList<QByteArray> offeredProtocols(const HttpRequest &request)
{
    QList<QByteArray> offers = request.header("sec-websocket-protocol").split(',');
    for (QByteArray &offer : offers)
        offer = offer.trimmed();
    offers.removeAll(QByteArray());
    return offers;
}

std::optional<QString> webSocketHandshakeProblem(const HttpRequest &request)
{
    const auto hasToken = [&request](QByteArrayView header, QByteArrayView token) {
        for (const QByteArray &part : request.header(header).split(',')) {
            if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    };
    if (!hasToken("upgrade", "websocket") || !hasToken("connection", "upgrade"))
        return QStringLiteral("this is a WebSocket endpoint: send Upgrade: websocket and "
                              "Connection: Upgrade");
    if (request.header("sec-websocket-version") != "13")
        return QStringLiteral("only WebSocket version 13 is spoken (Sec-WebSocket-Version: 13)");
    const auto key = QByteArray::fromBase64Encoding(request.header("sec-websocket-key"),
                                                    QByteArray::AbortOnBase64DecodingErrors);
    if (!key || key.decoded.size() != 16)
        return QStringLiteral("Sec-WebSocket-Key must be 16 bytes in base64");
    return std::nullopt;
}

} // namespace latchkey
