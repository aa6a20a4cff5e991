// RFC 6455 section 5: the base framing protocol.
#include "websocketframes.h"

#include <QCryptographicHash>

namespace latchkey::websocket {

namespace {
constexpr qsizetype maxControlPayload = 125;

Violation violation(quint16 code, const char *reason)
{
    return {code, QByteArray(reason)};
}

//! Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
bool isUtf8(QByteArrayView bytes)
{
    const qsizetype n = bytes.size();
    for (qsizetype i = 0; i < n;) {
        const auto lead = quint8(bytes[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        int length = 0;
        char32_t code = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            code = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            code = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            code = lead & 0x07;
        } else {
            return false;
        }
        if (n - i < length)
            return false;
        for (int k = 1; k < length; ++k) {
            const auto next = quint8(bytes[i + k]);
            if ((next & 0xC0) != 0x80)
                return false;
            code = code << 6 | (next & 0x3F);
        }
        const bool overlongOrSurrogate =
            (length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
            (length == 4 && (code < 0x10000 || code > 0x10FFFF));
        if (overlongOrSurrogate)
            return false;
        i += length;
    }
    return true;
}

bool isKnown(quint8 opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

bool isControl(Opcode opcode)
{
    return quint8(opcode) >= 0x8;
}
} // namespace

std::optional<Violation> FrameReader::read(QByteArray &input, std::vector<Message> &out)
{
    qsizetype consumed = 0;
    std::optional<Violation> failed;
    while (!failed) {
        const auto *p = reinterpret_cast<const uchar *>(input.constData()) + consumed;
        const qsizetype available = input.size() - consumed;
        if (available < 2)
            break;
        const bool fin = p[0] & 0x80;
        const quint8 opcode = p[0] & 0x0F;
        if (p[0] & 0x70) {
            failed = violation(ProtocolError, "reserved bits set without an extension");
            break;
        }
        if (!isKnown(opcode)) {
            failed = violation(ProtocolError, "unknown opcode");
            break;
        }
        if (!(p[1] & 0x80)) {
            failed = violation(ProtocolError, "client frames must be masked");
            break;
        }
        quint64 length = p[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (available < 4)
                break;
            length = quint64(p[2]) << 8 | p[3];
            header = 4;
            if (length < 126) {
                failed = violation(ProtocolError, "payload length not in its shortest form");
                break;
            }
        } else if (length == 127) {
            if (available < 10)
                break;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = length << 8 | p[i];
            header = 10;
            if (length >> 63 || length <= 0xFFFF) {
                failed = violation(ProtocolError, "payload length not in its shortest form");
                break;
            }
        }
        if (isControl(Opcode(opcode)) && (!fin || length > maxControlPayload)) {
            failed = violation(ProtocolError, "control frames are single frames of <= 125 bytes");
            break;
        }
        if (!isControl(Opcode(opcode)) &&
            length + quint64(m_message.size()) > quint64(m_maxMessageBytes)) {
            failed = violation(MessageTooBig, "message exceeds 64 KiB");
            break;
        }
        if (available - header - 4 < qsizetype(length))
            break; // the rest of the frame is still on its way
        const uchar *mask = p + header;
        QByteArray payload(reinterpret_cast<const char *>(mask + 4), qsizetype(length));
        for (qsizetype i = 0; i < payload.size(); ++i)
            payload[i] = char(payload[i] ^ mask[i % 4]);
        consumed += header + 4 + qsizetype(length);
        failed = take(Opcode(opcode), fin, std::move(payload), out);
    }
    input.remove(0, consumed);
    return failed;
}

std::optional<Violation> FrameReader::take(Opcode opcode, bool fin, QByteArray payload,
                                           std::vector<Message> &out)
{
    if (isControl(opcode)) {
        if (opcode == Opcode::Close)
            if (std::optional<Violation> bad = checkClosePayload(payload))
                return bad;
        out.push_back({opcode, std::move(payload)});
        return std::nullopt;
    }
    if (opcode == Opcode::Continuation) {
        if (!m_fragmented)
            return violation(ProtocolError, "continuation frame without a message to continue");
        m_message += payload;
    } else {
        if (m_fragmented)
            return violation(ProtocolError, "new message before the fragmented one ended");
        m_fragmented = opcode;
        m_message = std::move(payload);
    }
    if (!fin)
        return std::nullopt;
    const Opcode whole = *m_fragmented;
    m_fragmented.reset();
    if (whole == Opcode::Text && !isUtf8(m_message))
        return violation(InvalidPayload, "text message is not UTF-8");
    out.push_back({whole, std::exchange(m_message, {})});
    return std::nullopt;
}

std::optional<Violation> checkClosePayload(QByteArrayView payload)
{
    if (payload.isEmpty())
        return std::nullopt;
    if (payload.size() == 1)
        return violation(ProtocolError, "close frame with a one-byte payload");
    const quint16 code = quint16(quint8(payload[0]) << 8 | quint8(payload[1]));
    const bool sendable = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                          (code >= 3000 && code <= 4999);
    if (!sendable)
        return violation(ProtocolError, "close code that may not be sent");
    if (!isUtf8(payload.sliced(2)))
        return violation(InvalidPayload, "close reason is not UTF-8");
    return std::nullopt;
}

QByteArray frame(Opcode opcode, QByteArrayView payload)
{
    QByteArray out;
    out.reserve(payload.size() + 10);
    out.append(char(0x80 | quint8(opcode)));
    const qsizetype n = payload.size();
    if (n < 126) {
        out.append(char(n));
    } else if (n <= 0xFFFF) {
        out.append(char(126)).append(char(n >> 8)).append(char(n & 0xFF));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(n) >> shift) & 0xFF));
    }
    out.append(payload.data(), n);
    return out;
}

QByteArray closeFrame(quint16 code, QByteArrayView reason)
{
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xFF));
    payload.append(reason.first(std::min<qsizetype>(reason.size(), maxControlPayload - 2)));
    return frame(Opcode::Close, payload);
}

QByteArray acceptKey(QByteArrayView clientKey)
{
    static constexpr QByteArrayView guid("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(clientKey);
    sha1.addData(guid);
    return sha1.result().toBase64();
}

} // namespace latchkey::websocket
