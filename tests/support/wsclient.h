// Test WebSocket client over a raw socket: the opening handshake with any headers, frames
// built bit by bit (so a test can break RFC 6455 on purpose), server frames read back.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QTcpSocket>

#include <optional>

namespace latchkey::test {

struct WsFrame
{
    quint8 opcode = 0;
    QByteArray payload;
    //! A close frame's code (0 when it had none, or for other frames).
    quint16 closeCode() const;
};

class WsClient
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    explicit WsClient(quint16 port, int timeoutMs = 5000);

    //! The handshake for \a path with a fresh key, plus \a headers (e.g. Authorization); the
    //! answer's status (101 on success), its headers in handshakeHeaders().
    int open(const QByteArray &path, const Headers &headers);
    //! Bearer \a token in the Authorization header.
    int openWithToken(const QByteArray &token) { return open("/api/events", bearer(token)); }
    static Headers bearer(const QByteArray &token)
    {
        return {{"Authorization", "Bearer " + token}};
    }
    QByteArray handshakeHeader(QByteArrayView lowerName) const;
    //! The body of a refused handshake.
    const QByteArray &refusalBody() const { return m_body; }
    //! Whether Sec-WebSocket-Accept is the one RFC 6455 4.2.2 derives from our key.
    bool acceptMatches() const;

    //! One frame; \a masked false or \a rsv set break the rules a server must enforce.
    void sendFrame(quint8 opcode, const QByteArray &payload, bool fin = true, bool masked = true,
                   quint8 rsv = 0);
    void sendText(const QByteArray &text) { sendFrame(0x1, text); }
    void sendRaw(const QByteArray &bytes);

    //! The next frame from the server; std::nullopt when none came within the timeout or the
    //! connection closed first. Pings are answered automatically when autoPong is on.
    std::optional<WsFrame> next(int timeoutMs = -1);
    //! The next text message (pings skipped); empty when none came.
    QByteArray nextText(int timeoutMs = -1);
    //! Waits for the close frame; its code, or 0 when the connection ended without one.
    quint16 closeCode(int timeoutMs = -1);
    //! True when the TCP connection is closed within \a timeoutMs.
    bool waitForDisconnect(int timeoutMs);
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }

    bool autoPong = true;
    int pingsSeen = 0;
    QTcpSocket &socket() { return m_socket; }

private:
    bool fill(int timeoutMs);

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_key;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    int m_timeoutMs;
};

} // namespace latchkey::test
