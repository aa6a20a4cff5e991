// A connection after "101 Switching Protocols": RFC 6455 messages both ways, pings, the
// close handshake, and a bounded send queue.
#pragma once

#include "httprequest.h"
#include "websocketframes.h"

#include <QObject>

#include <optional>

class QTcpSocket;

namespace latchkey {

class HttpConnection;
struct HttpLimits;

//! Lives on its connection's worker thread and goes with the connection: after closed() it
//! may be deleted at any time. The server pings every HttpLimits::webSocketPingMs and closes a
//! socket whose last two pings went unanswered. What the client has not taken is the send queue: a
//! sendText() that would grow it past HttpLimits::webSocketMaxQueuedBytes drops the
//! connection (a slow reader is cut off, never buffered without end).
class WebSocket : public QObject
{
    Q_OBJECT
public:
    //! Why a socket ended, for closed().
    enum class End {
        Closed,        //!< a close handshake: ours or the client's
        ProtocolError, //!< the client broke RFC 6455 or the size limit (closed with its code)
        SlowReader,    //!< the send queue overflowed
        Unanswered,    //!< two pings without a pong
        Gone,          //!< the TCP connection went without a close frame
    };
    Q_ENUM(End)

    WebSocket(QTcpSocket &socket, const HttpLimits &limits, HttpConnection *connection);
    ~WebSocket() override;

    //! Queues one text message; nothing once the socket is closing.
    void sendText(QByteArrayView message);
    //! Starts the close handshake with \a code and \a reason.
    void close(quint16 code, QByteArrayView reason);

Q_SIGNALS:
    //! A text message from the client (the event socket reads and ignores them).
    void textReceived(const QByteArray &message);
    //! Once, when the socket stops being open (before the TCP connection is gone).
    void closed(WebSocket::End why);

private:
    friend class HttpConnection;
    //! Bytes read from the connection.
    void receive(const QByteArray &bytes);
    //! The worker's sweep: pings, and the verdict on unanswered ones. Returns the next
    //! deadline (monotonic ms).
    qint64 tick(qint64 nowMs);
    //! Whether the send queue can take \a bytes more.
    bool fits(qsizetype bytes) const;
    void end(End why);

    QTcpSocket &m_socket;
    const HttpLimits &m_limits;
    HttpConnection *m_connection;
    websocket::FrameReader m_reader;
    QByteArray m_input;
    bool m_open = true;
    int m_unansweredPings = 0;
    qint64 m_nextPingMs = 0;
};

//! Why \a request is not a WebSocket opening handshake this server takes (RFC 6455 4.2.1:
//! Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Version: 13, a 16-byte key), or
//! std::nullopt when it is one.
std::optional<QString> webSocketHandshakeProblem(const HttpRequest &request);
//! The subprotocols \a request offers (Sec-WebSocket-Protocol, in order, trimmed).
QList<QByteArray> offeredProtocols(const HttpRequest &request);

} // namespace latchkey
