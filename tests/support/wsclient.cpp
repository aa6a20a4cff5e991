// The client side of RFC 6455, written for tests (no shared code with the server's reader).
#include "wsclient.h"

#include "testclient.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QRandomGenerator>
#include <QTimer>

namespace latchkey::test {

quint16 WsFrame::closeCode() const
{
    if (opcode != 0x8 || payload.size() < 2)
        return 0;
    return quint16(quint8(payload[0]) << 8 | quint8(payload[1]));
}

WsClient::WsClient(quint16 port, int timeoutMs) : m_timeoutMs(timeoutMs)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    m_socket.waitForConnected(timeoutMs);
}

bool WsClient::fill(int timeoutMs)
{
    if (m_socket.bytesAvailable() > 0) {
        m_buffer += m_socket.readAll();
        return true;
    }
    if (m_socket.state() != QAbstractSocket::ConnectedState)
        return false;
    QEventLoop loop;
    QTimer::singleShot(std::max(1, timeoutMs), &loop, &QEventLoop::quit);
    QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, &QEventLoop::quit);
    QObject::connect(&m_socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
    loop.exec();
    const QByteArray got = m_socket.readAll();
    m_buffer += got;
    return !got.isEmpty();
}

int WsClient::open(const QByteArray &path, const Headers &headers)
{
    QByteArray nonce(16, '\0');
    for (char &c : nonce)
        c = char(QRandomGenerator::global()->bounded(256));
    m_key = nonce.toBase64();
    QByteArray out = "GET " + path +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: "
                     "Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
                     m_key + "\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    sendRaw(out + "\r\n");
    const QDeadlineTimer deadline(m_timeoutMs);
    qsizetype end = -1;
    while ((end = m_buffer.indexOf("\r\n\r\n")) < 0 && !deadline.hasExpired())
        fill(int(deadline.remainingTime()));
    if (end < 0)
        return 0;
    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
    m_buffer.remove(0, end + 4);
    m_headers.clear();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            m_headers.append(
                {lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed()});
    }
    const int status = lines.value(0).split(' ').value(1).toInt();
    if (status != 101) {
        const int length = handshakeHeader("content-length").toInt();
        while (m_buffer.size() < length && !deadline.hasExpired())
            fill(int(deadline.remainingTime()));
        m_body = m_buffer.left(length);
        m_buffer.remove(0, length);
    }
    return status;
}

QByteArray WsClient::handshakeHeader(QByteArrayView lowerName) const
{
    for (const auto &h : m_headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

bool WsClient::acceptMatches() const
{
    const QByteArray expected =
        QCryptographicHash::hash(m_key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                 QCryptographicHash::Sha1)
            .toBase64();
    return handshakeHeader("sec-websocket-accept") == expected;
}

void WsClient::sendRaw(const QByteArray &bytes)
{
    m_socket.write(bytes);
    m_socket.flush();
}

void WsClient::sendFrame(quint8 opcode, const QByteArray &payload, bool fin, bool masked,
                         quint8 rsv)
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0x0F)));
    const char maskBit = masked ? char(0x80) : char(0);
    const qsizetype n = payload.size();
    if (n < 126) {
        out.append(char(maskBit | char(n)));
    } else if (n <= 0xFFFF) {
        out.append(char(maskBit | 126)).append(char(n >> 8)).append(char(n & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(n) >> shift) & 0xFF));
    }
    QByteArray body = payload;
    if (masked) {
        const quint32 mask = QRandomGenerator::global()->generate();
        const char key[4] = {char(mask >> 24), char(mask >> 16), char(mask >> 8), char(mask)};
        out.append(key, 4);
        for (qsizetype i = 0; i < body.size(); ++i)
            body[i] = char(body[i] ^ key[i % 4]);
    }
    sendRaw(out + body);
}

std::optional<WsFrame> WsClient::next(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs < 0 ? m_timeoutMs : timeoutMs);
    for (;;) {
        if (m_buffer.size() >= 2) {
            const auto *p = reinterpret_cast<const uchar *>(m_buffer.constData());
            quint64 length = p[1] & 0x7F;
            qsizetype header = 2;
            if (length == 126) {
                length = m_buffer.size() >= 4 ? quint64(p[2]) << 8 | p[3] : ~0ULL;
                header = 4;
            } else if (length == 127) {
                quint64 n = 0;
                for (int i = 2; i < 10 && m_buffer.size() >= 10; ++i)
                    n = n << 8 | p[i];
                length = m_buffer.size() >= 10 ? n : ~0ULL;
                header = 10;
            }
            if (length != ~0ULL && quint64(m_buffer.size() - header) >= length) {
                WsFrame frame{quint8(p[0] & 0x0F), m_buffer.mid(header, qsizetype(length))};
                m_buffer.remove(0, header + qsizetype(length));
                if (frame.opcode == 0x9) {
                    ++pingsSeen;
                    if (autoPong)
                        sendFrame(0xA, frame.payload);
                }
                return frame;
            }
        }
        if (deadline.hasExpired() || !fill(int(std::max<qint64>(1, deadline.remainingTime()))))
            if (deadline.hasExpired() || m_socket.state() != QAbstractSocket::ConnectedState)
                return std::nullopt;
    }
}

QByteArray WsClient::nextText(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs < 0 ? m_timeoutMs : timeoutMs);
    while (const std::optional<WsFrame> frame = next(int(deadline.remainingTime()))) {
        if (frame->opcode == 0x1)
            return frame->payload;
        if (frame->opcode == 0x8)
            return {};
    }
    return {};
}

quint16 WsClient::closeCode(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs < 0 ? m_timeoutMs : timeoutMs);
    while (const std::optional<WsFrame> frame = next(int(deadline.remainingTime()))) {
        if (frame->opcode == 0x8)
            return frame->closeCode();
    }
    return 0;
}

bool WsClient::waitForDisconnect(int timeoutMs)
{
    return waitUntilClosed(m_socket, m_buffer, timeoutMs);
}

} // namespace latchkey::test
