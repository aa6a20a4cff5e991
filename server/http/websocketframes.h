// RFC 6455 framing, both ways, for the server's side of a WebSocket: client frames are read
// strictly (masked, no extensions, bounded), server frames are written unmasked.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>
#include <vector>

namespace latchkey::websocket {

enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

//! Close codes (RFC 6455 7.4.1) the server sends.
enum CloseCode : quint16 {
    NormalClosure = 1000,
    GoingAway = 1001,
    ProtocolError = 1002,
    UnsupportedData = 1003,
    InvalidPayload = 1007,
    PolicyViolation = 1008,
    MessageTooBig = 1009,
    TryAgainLater = 1013,
};

//! A whole message (fragments joined) or a control frame.
struct Message
{
    Opcode opcode = Opcode::Text;
    QByteArray payload;
};

//! Why the reader stopped: the close code and reason to send before closing.
struct Violation
{
    quint16 code = ProtocolError;
    QByteArray reason;
};

//! Reads client frames. A message larger than the limit is refused from its frame header
//! (1009), before its payload is buffered; everything RFC 6455 forbids a client is 1002
//! (unmasked frame, reserved bits or opcodes, fragmented or long control frames, a stray
//! continuation, a length not in its shortest form); text that is not UTF-8 is 1007.
class FrameReader
{
public:
    explicit FrameReader(qsizetype maxMessageBytes) : m_maxMessageBytes(maxMessageBytes) {}

    //! Takes the complete frames from the front of \a input (the rest stays for the next
    //! call) and appends the messages they finish to \a out; a violation ends the reading.
    std::optional<Violation> read(QByteArray &input, std::vector<Message> &out);

private:
    std::optional<Violation> take(Opcode opcode, bool fin, QByteArray payload,
                                  std::vector<Message> &out);

    qsizetype m_maxMessageBytes;
    std::optional<Opcode> m_fragmented; //!< the opcode of an unfinished message
    QByteArray m_message;               //!< its fragments so far
};

//! One unfragmented server frame.
QByteArray frame(Opcode opcode, QByteArrayView payload);
//! A close frame with \a code and \a reason (cut to fit a control frame's 125 bytes).
QByteArray closeFrame(quint16 code, QByteArrayView reason);
//! Sec-WebSocket-Accept for the client's Sec-WebSocket-Key (RFC 6455 4.2.2).
QByteArray acceptKey(QByteArrayView clientKey);
//! Whether a close frame's payload is one a peer may send: empty, or a code that may be
//! sent on the wire plus UTF-8 text (RFC 6455 5.5.1, 7.4).
std::optional<Violation> checkClosePayload(QByteArrayView payload);

} // namespace latchkey::websocket
