// RFC 9112's message framing, checked strictly over the bytes the system http_parser took.
#pragma once

#include <QByteArrayView>
#include <QString>

namespace latchkey {

//! Debian's http_parser is built lenient (no HTTP_PARSER_STRICT): it takes a CR followed by
//! any byte as a line end, joins obs-folded header lines, reads "2 2" as a chunk of two
//! bytes with an extension and any two bytes after chunk data as its CRLF. A proxy in front
//! of us may frame such a message another way, so that a second request hides in the first
//! one's body (request smuggling). StrictFraming reads the same bytes the way RFC 9112 does,
//! one message at a time, and says what it refuses; the connection answers 400 and closes
//! before the request is dispatched.
class StrictFraming
{
public:
    //! The next bytes are a new message's (after a dispatched one).
    void reset();
    //! Called when the parser has read the header section: is the body chunked?
    void setChunked(bool chunked) { m_chunked = chunked; }
    //! Reads the next bytes the parser consumed; returns why they are refused, or empty.
    QString feed(QByteArrayView bytes);
    //! Whether the bytes fed so far are a whole message: the parser said the message is
    //! complete, and the strict reading must agree.
    bool isComplete() const;

private:
    enum class State {
        Start,        // before the request line; empty lines are skipped (RFC 9112 2.2)
        StartLf,      // a CR before the request line
        Line,         // in the request line or a header line
        LineLf,       // a CR in a line: an LF must follow
        LineStart,    // after a line of the header section
        BlankLf,      // a CR at the start of a line: the blank line's LF must follow
        Body,         // a body that is not chunked, or none: the parser counts it
        SizeStart,    // chunk-size = 1*HEXDIG
        Size,         //
        Ext,          // after chunk-size or an extension: BWS, then ";" or CRLF
        ExtNameStart, // BWS, then a token
        ExtName,      //
        ExtAfterName, // BWS, then "=", ";" or CRLF
        ExtValueStart,
        ExtValueToken,
        Quoted,     // chunk-ext-val as a quoted-string
        QuotedPair, // after a backslash in it
        SizeLf,     // the chunk-size line's LF
        Data,       // chunk-data: m_remaining bytes
        DataCr,     // the CRLF after chunk-data
        DataLf,
        TrailerStart, // a trailer field line, or the final CRLF
        Trailer,
        TrailerLf,
        EndLf, // the final CRLF's LF
        Done,
    };

    //! One byte's transition; false when the byte is refused (m_fault says why).
    bool step(char c);
    bool chunkStep(char c);
    bool extensionStep(char c);
    bool refuse(const char *why);

    State m_state = State::Start;
    bool m_chunked = false;
    int m_sizeDigits = 0;
    quint64 m_remaining = 0;
    const char *m_fault = nullptr;
};

} // namespace latchkey
