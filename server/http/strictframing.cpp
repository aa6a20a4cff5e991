// RFC 9112's message framing, checked strictly over the bytes the system http_parser took.
#include "strictframing.h"

namespace latchkey {

namespace {
bool isBws(char c)
{
    return c == ' ' || c == '\t';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isTchar(char c) // RFC 9110 5.6.2
{
    static constexpr QByteArrayView specials("!#$%&'*+-.^_`|~");
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           specials.contains(c);
}

bool isQuotedText(char c) // qdtext and quoted-pair's octets: HTAB, SP, VCHAR, obs-text
{
    const auto u = static_cast<unsigned char>(c);
    return c == '\t' || (u >= 0x20 && u != 0x7f);
}

constexpr int maxSizeDigits = 15; // 2^60 bytes; the body limit refuses far less long before
} // namespace

void StrictFraming::reset()
{
    *this = StrictFraming{};
}

QString StrictFraming::feed(QByteArrayView bytes)
{
    for (qsizetype i = 0; i < bytes.size() && !m_fault; ++i) {
        if (m_state == State::Data) { // the bulk of a chunked body: skipped, not stepped
            const auto n = std::min(m_remaining, quint64(bytes.size() - i));
            m_remaining -= n;
            i += qsizetype(n) - 1;
            if (m_remaining == 0)
                m_state = State::DataCr;
            continue;
        }
        step(bytes[i]);
    }
    return m_fault ? QString::fromLatin1(m_fault) : QString();
}

bool StrictFraming::isComplete() const
{
    return !m_fault && (m_chunked ? m_state == State::Done : m_state == State::Body);
}

bool StrictFraming::refuse(const char *why)
{
    m_fault = why;
    return false;
}

bool StrictFraming::step(char c)
{
    switch (m_state) {
    case State::Start:
        if (c == '\r')
            m_state = State::StartLf;
        else if (c != '\n')
            m_state = State::Line;
        return true;
    case State::StartLf:
    case State::LineLf:
        if (c != '\n')
            return refuse("a CR without LF");
        m_state = m_state == State::StartLf ? State::Start : State::LineStart;
        return true;
    case State::Line:
        if (c == '\r')
            m_state = State::LineLf;
        else if (c == '\n') // a bare LF ends a line too (RFC 9112 2.2 lets us accept it)
            m_state = State::LineStart;
        return true;
    case State::LineStart:
        if (isBws(c)) // RFC 9112 5.2: obs-fold; a folded Transfer-Encoding framed bodies
            return refuse("a folded header line");
        m_state = c == '\r' ? State::BlankLf : c == '\n' ? State::Body : State::Line;
        if (m_state == State::Body && m_chunked)
            m_state = State::SizeStart;
        return true;
    case State::BlankLf:
        if (c != '\n')
            return refuse("a CR without LF");
        m_state = m_chunked ? State::SizeStart : State::Body;
        return true;
    case State::Body:
    case State::Done: // the parser pauses at a message's end: nothing follows until reset()
        return true;
    default:
        return chunkStep(c);
    }
}

// RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; last-chunk is a size
// of 0, then the trailer section (field lines, never headers) and a final CRLF.
bool StrictFraming::chunkStep(char c)
{
    switch (m_state) {
    case State::SizeStart:
    case State::Size:
        if (const int digit = hexValue(c); digit >= 0) {
            if (++m_sizeDigits > maxSizeDigits)
                return refuse("a chunk size too long");
            m_remaining = m_remaining * 16 + quint64(digit);
            m_state = State::Size;
            return true;
        }
        if (m_state == State::SizeStart)
            return refuse("a chunk size that is not hexadecimal");
        m_state = State::Ext;
        return extensionStep(c);
    case State::SizeLf:
        if (c != '\n')
            return refuse("a chunk size line without CRLF");
        m_sizeDigits = 0;
        m_state = m_remaining == 0 ? State::TrailerStart : State::Data;
        return true;
    case State::DataCr:
    case State::DataLf:
        if (c != (m_state == State::DataCr ? '\r' : '\n'))
            return refuse("chunk data not followed by CRLF");
        m_state = m_state == State::DataCr ? State::DataLf : State::SizeStart;
        return true;
    case State::TrailerStart:
        if (isBws(c))
            return refuse("a folded trailer line");
        if (c == '\n')
            return refuse("a trailer line without CRLF");
        m_state = c == '\r' ? State::EndLf : State::Trailer;
        return true;
    case State::Trailer:
        if (c == '\r')
            m_state = State::TrailerLf;
        else if (c == '\n')
            return refuse("a trailer line without CRLF");
        return true;
    case State::TrailerLf:
    case State::EndLf:
        if (c != '\n')
            return refuse("a CR without LF");
        m_state = m_state == State::TrailerLf ? State::TrailerStart : State::Done;
        return true;
    default:
        return extensionStep(c);
    }
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), where a name is
// a token and a value a token or quoted-string. Anything else after the size, such as the
// "2" of "2 2", is refused: the lenient parser skipped it as an extension.
bool StrictFraming::extensionStep(char c)
{
    const auto endOfSizeLine = [this] {
        m_state = State::SizeLf;
        return true;
    };
    switch (m_state) {
    case State::Ext:
        if (c == ';')
            m_state = State::ExtNameStart;
        else if (c == '\r')
            return endOfSizeLine();
        else if (!isBws(c))
            return refuse("a chunk size followed by something other than an extension");
        return true;
    case State::ExtNameStart:
        if (isTchar(c))
            m_state = State::ExtName;
        else if (!isBws(c))
            return refuse("a chunk extension without a name");
        return true;
    case State::ExtName:
    case State::ExtAfterName:
        if (c == '=')
            m_state = State::ExtValueStart;
        else if (c == ';')
            m_state = State::ExtNameStart;
        else if (c == '\r')
            return endOfSizeLine();
        else if (isBws(c))
            m_state = State::ExtAfterName;
        else if (!(m_state == State::ExtName && isTchar(c)))
            return refuse("a malformed chunk extension");
        return true;
    case State::ExtValueStart:
        if (c == '"')
            m_state = State::Quoted;
        else if (isTchar(c))
            m_state = State::ExtValueToken;
        else if (!isBws(c))
            return refuse("a malformed chunk extension value");
        return true;
    case State::ExtValueToken:
        if (isTchar(c))
            return true;
        m_state = State::Ext;
        return extensionStep(c);
    case State::Quoted:
        if (c == '"')
            m_state = State::Ext;
        else if (c == '\\')
            m_state = State::QuotedPair;
        else if (!isQuotedText(c))
            return refuse("a malformed chunk extension value");
        return true;
    case State::QuotedPair:
        if (!isQuotedText(c))
            return refuse("a malformed chunk extension value");
        m_state = State::Quoted;
        return true;
    default:
        return refuse("a framing state the parser never reaches"); // unreachable
    }
}

} // namespace latchkey
