// Strict base64url without padding, so a token has exactly one spelling and cannot be altered
// by re-encoding it.
#include <latchkey/base64url.h>

#include <array>

namespace latchkey::base64url {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr qint8 invalid = -1;

constexpr std::array<qint8, 256> makeDecodeTable()
{
    std::array<qint8, 256> table{};
    for (qint8 &entry : table)
        entry = invalid;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(alphabet[i])] = static_cast<qint8>(i);
    return table;
}

constexpr std::array<qint8, 256> decodeTable = makeDecodeTable();

} // namespace

QByteArray encode(QByteArrayView data)
{
    const qsizetype size = data.size();
    QByteArray out((size * 4 + 2) / 3, Qt::Uninitialized);
    const auto *in = reinterpret_cast<const unsigned char *>(data.data());
    char *o = out.data();
    qsizetype i = 0;
    for (; i + 3 <= size; i += 3) {
        const uint v = (uint(in[i]) << 16) | (uint(in[i + 1]) << 8) | uint(in[i + 2]);
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (size - i == 1) {
        const uint v = uint(in[i]) << 16;
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
    } else if (size - i == 2) {
        const uint v = (uint(in[i]) << 16) | (uint(in[i + 1]) << 8);
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
    }
    return out;
}

namespace {
Error notBase64url()
{
    return {ErrorCode::BadRequest, QStringLiteral("not base64url without padding")};
}
} // namespace

Result<QByteArray> decode(QByteArrayView text)
{
    const qsizetype size = text.size();
    const qsizetype tail = size % 4;
    // One leftover character carries only 6 bits: no byte can end there.
    if (tail == 1)
        return notBase64url();

    QByteArray out(size / 4 * 3 + (tail == 0 ? 0 : tail - 1), Qt::Uninitialized);
    char *o = out.data();
    uint bits = 0;
    int count = 0;
    for (const char c : text) {
        const qint8 value = decodeTable[static_cast<unsigned char>(c)];
        if (value == invalid)
            return notBase64url();
        bits = (bits << 6) | uint(value);
        if (++count == 4) {
            *o++ = char((bits >> 16) & 0xff);
            *o++ = char((bits >> 8) & 0xff);
            *o++ = char(bits & 0xff);
            bits = 0;
            count = 0;
        }
    }
    // Unused low bits of the last character must be zero; otherwise several spellings would
    // decode to the same bytes (e.g. "QQ" and "QR").
    if (count == 2) {
        if (bits & 0xf)
            return notBase64url();
        *o++ = char((bits >> 4) & 0xff);
    } else if (count == 3) {
        if (bits & 0x3)
            return notBase64url();
        *o++ = char((bits >> 10) & 0xff);
        *o++ = char((bits >> 2) & 0xff);
    }
    return out;
}

} // namespace latchkey::base64url
