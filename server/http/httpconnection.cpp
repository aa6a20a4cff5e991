// Request parsing (http_parser), limits, keep-alive and pipelining for one connection.
#include "httpconnection.h"

#include "httpworker.h"
#include "logging.h"
#include "monotonic.h"

#include <sys/socket.h>

namespace latchkey {

namespace {
constexpr int closeGraceMs = 5000; // how long a closing peer gets to read our last answer

HttpConnection *connectionOf(http_parser *p)
{
    return static_cast<HttpConnection *>(p->data);
}
} // namespace

// The parser's callbacks, as friends of HttpConnection. Returning non-zero stops the parser;
// m_parseError then says which answer the client gets.
struct ParserCallbacks
{
    static int fail(HttpConnection *c, ErrorCode code, const char *message)
    {
        c->m_parseError = Error{code, QString::fromLatin1(message)};
        return -1;
    }

    static int countHeaderBytes(HttpConnection *c, size_t length)
    {
        c->m_headerBytes += int(length);
        if (c->m_headerBytes > c->m_worker->limits().maxHeaderBytes)
            return fail(c, ErrorCode::HeadersTooLarge, "request line and headers exceed 16 KiB");
        return 0;
    }

    // RFC 9112 5.1: a field name is a token, and whitespace before the colon MUST get a 400.
    // The system http_parser is built without HTTP_PARSER_STRICT and lets both through, so
    // "Transfer-Encoding : chunked" would frame the body one way for a proxy, another for us.
    static bool isToken(QByteArrayView name)
    {
        static constexpr QByteArrayView specials("!#$%&'*+-.^_`|~");
        for (const char ch : name) {
            const bool alnum =
                (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
            if (!alnum && !specials.contains(ch))
                return false;
        }
        return !name.isEmpty();
    }

    // Headers whose second copy would let two readers of one request disagree (a proxy
    // authenticating one Authorization, we another): RFC 9110 5.3 allows no list form.
    static bool isSingleton(QByteArrayView lowerName)
    {
        static constexpr QByteArrayView singletons[] = {"authorization", "host", "content-type",
                                                        "content-length", "transfer-encoding"};
        for (const QByteArrayView name : singletons) {
            if (lowerName == name)
                return true;
        }
        return false;
    }

    static int flushHeader(HttpConnection *c)
    {
        if (!c->m_headerField.isEmpty()) {
            if (!isToken(c->m_headerField))
                return fail(c, ErrorCode::BadRequest,
                            "malformed HTTP request: invalid header name");
            QByteArray name = c->m_headerField.toLower();
            if (isSingleton(name) && c->m_request.hasHeader(name))
                return fail(c, ErrorCode::BadRequest,
                            "malformed HTTP request: a header that must appear once is repeated");
            c->m_request.headers.emplaceBack(std::move(name), c->m_headerValue.trimmed());
        }
        c->m_headerField.clear();
        c->m_headerValue.clear();
        return 0;
    }

    static int onMessageBegin(http_parser *p)
    {
        HttpConnection *c = connectionOf(p);
        c->m_request = HttpRequest{};
        c->m_request.peer = c->m_peer;
        c->m_url.clear();
        c->m_headerField.clear();
        c->m_headerValue.clear();
        c->m_lastWasValue = false;
        c->m_headersDone = false;
        c->m_headerBytes = 0;
        c->m_requestStarted = true;
        c->m_deadlineMs = monotonicMs() + c->m_worker->limits().headerTimeoutMs;
        return 0;
    }

    static int onUrl(http_parser *p, const char *at, size_t length)
    {
        HttpConnection *c = connectionOf(p);
        c->m_url.append(at, qsizetype(length));
        return countHeaderBytes(c, length);
    }

    static int onHeaderField(http_parser *p, const char *at, size_t length)
    {
        HttpConnection *c = connectionOf(p);
        if (c->m_headersDone) // a chunked body's trailer: counted, never a header (RFC 9110 6.5)
            return countHeaderBytes(c, length + 4);
        if (c->m_lastWasValue) {
            if (const int failed = flushHeader(c))
                return failed;
            c->m_lastWasValue = false;
        }
        c->m_headerField.append(at, qsizetype(length));
        return countHeaderBytes(c, length + 4); // ": " and CRLF count too
    }

    static int onHeaderValue(http_parser *p, const char *at, size_t length)
    {
        HttpConnection *c = connectionOf(p);
        if (c->m_headersDone)
            return countHeaderBytes(c, length);
        c->m_lastWasValue = true;
        c->m_headerValue.append(at, qsizetype(length));
        return countHeaderBytes(c, length);
    }

    static int onHeadersComplete(http_parser *p)
    {
        HttpConnection *c = connectionOf(p);
        if (const int failed = flushHeader(c))
            return failed;
        c->m_headersDone = true;
        c->m_framing.setChunked(p->flags & F_CHUNKED);
        const AddressRanges &proxies = c->m_worker->limits().trustedProxies;
        if (!proxies.isEmpty()) {
            QByteArray forwardedFor; // every X-Forwarded-For line, in order (RFC 9110 5.3)
            for (const auto &[name, value] : std::as_const(c->m_request.headers)) {
                if (name == "x-forwarded-for")
                    forwardedFor += (forwardedFor.isEmpty() ? "" : ",") + value;
            }
            c->m_request.peer = clientAddress(c->m_peer, forwardedFor, proxies);
        }
        const qsizetype q = c->m_url.indexOf('?');
        c->m_request.path = q < 0 ? c->m_url : c->m_url.left(q);
        c->m_request.query = q < 0 ? QByteArray() : c->m_url.mid(q + 1);
        c->m_request.method = http_method_str(http_method(p->method));
        c->m_keepAlive = http_should_keep_alive(p) != 0;
        c->m_http10 = p->http_major == 1 && p->http_minor == 0;
        // content_length is ULLONG_MAX when absent (chunked bodies are counted in onBody).
        if (p->content_length != ULLONG_MAX &&
            p->content_length > quint64(c->m_worker->limits().maxBodyBytes))
            return fail(c, ErrorCode::PayloadTooLarge, "request body exceeds 64 KiB");
        c->m_deadlineMs = monotonicMs() + c->m_worker->limits().bodyTimeoutMs;
        // RFC 9110 10.1.1: a client that asks waits for this before it sends the body.
        const bool bodyFollows =
            (p->flags & F_CHUNKED) || (p->content_length != ULLONG_MAX && p->content_length > 0);
        c->m_continuePending =
            bodyFollows && !c->m_http10 &&
            c->m_request.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0;
        return 0;
    }

    static int onBody(http_parser *p, const char *at, size_t length)
    {
        HttpConnection *c = connectionOf(p);
        if (c->m_request.body.size() + qsizetype(length) > c->m_worker->limits().maxBodyBytes)
            return fail(c, ErrorCode::PayloadTooLarge, "request body exceeds 64 KiB");
        c->m_request.body.append(at, qsizetype(length));
        return 0;
    }

    static int onMessageComplete(http_parser *p)
    {
        // Pause so one request is answered before the next pipelined one is parsed.
        connectionOf(p)->m_messageComplete = true;
        http_parser_pause(p, 1);
        return 0;
    }

    static const http_parser_settings &settings()
    {
        static const http_parser_settings s = [] {
            http_parser_settings st;
            http_parser_settings_init(&st);
            st.on_message_begin = onMessageBegin;
            st.on_url = onUrl;
            st.on_header_field = onHeaderField;
            st.on_header_value = onHeaderValue;
            st.on_headers_complete = onHeadersComplete;
            st.on_body = onBody;
            st.on_message_complete = onMessageComplete;
            return st;
        }();
        return s;
    }
};

HttpConnection::HttpConnection(qintptr socketDescriptor, HttpWorker *worker)
    : QObject(worker), m_worker(worker), m_socket(this)
{
    resetParser();
    if (!m_socket.setSocketDescriptor(socketDescriptor)) {
        qCWarning(lcHttp) << "cannot adopt accepted socket:" << m_socket.errorString();
        m_closing = true;
        m_deadlineMs = monotonicMs(); // the next sweep removes us
        return;
    }
    m_peer = m_socket.peerAddress();
    m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // A connection that has sent nothing yet gets the header timeout, not the idle one:
    // silent connections must not hold slots for a minute.
    m_deadlineMs = monotonicMs() + worker->limits().headerTimeoutMs;
    // Bounded buffering: Qt stops reading from the kernel when this is full, and we do not
    // read at all while a request is in flight, so a client streaming data meanwhile is
    // held back by TCP flow control instead of filling our memory.
    m_socket.setReadBufferSize(worker->limits().maxHeaderBytes + worker->limits().maxBodyBytes +
                               4096);
    connect(&m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(&m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::resumeReading);
    connect(&m_socket, &QTcpSocket::disconnected, this,
            [this] { m_worker->connectionClosed(this); });
}

HttpConnection::~HttpConnection()
{
    // Destroying the socket emits disconnected(); the worker must not hear about it twice.
    QObject::disconnect(&m_socket, nullptr, this, nullptr);
}

void HttpConnection::resetParser()
{
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
}

bool HttpConnection::isIdle() const
{
    return !m_inFlight && !m_requestStarted && m_input.isEmpty();
}

void HttpConnection::onReadyRead()
{
    if (m_closing) {
        m_socket.readAll(); // ignore what arrives after we decided to close
        return;
    }
    resumeReading();
}

bool HttpConnection::isOutputBlocked() const
{
    return m_socket.bytesToWrite() > m_worker->limits().maxUnsentBytes;
}

void HttpConnection::resumeReading()
{
    if (m_webSocket) {
        if (!m_closing)
            m_webSocket->receive(std::exchange(m_input, {}) + m_socket.readAll());
        return;
    }
    // Not while a request is in flight, nor while answers pile up unread (a client that
    // pipelines without reading): until then the socket buffer fills and TCP flow control
    // holds the client back instead of our memory growing.
    if (m_inFlight || m_closing || isOutputBlocked())
        return;
    if (m_socket.bytesAvailable() > 0)
        m_input.append(m_socket.readAll());
    processInput();
}

void HttpConnection::processInput()
{
    if (m_inProcessInput)
        return;
    m_inProcessInput = true;
    while (!m_inFlight && !m_closing && !m_input.isEmpty() && !isOutputBlocked()) {
        const size_t parsed = http_parser_execute(&m_parser, &ParserCallbacks::settings(),
                                                  m_input.constData(), size_t(m_input.size()));
        const QString fault = m_framing.feed(QByteArrayView(m_input).first(qsizetype(parsed)));
        m_input.remove(0, qsizetype(parsed));
        const http_errno err = HTTP_PARSER_ERRNO(&m_parser);
        if (m_parseError) {
            failAndClose(*m_parseError);
            break;
        }
        if (!fault.isEmpty() || (m_messageComplete && !m_framing.isComplete())) {
            failAndClose(
                {ErrorCode::BadRequest,
                 QStringLiteral("malformed HTTP request: %1")
                     .arg(fault.isEmpty()
                              ? QStringLiteral("a message end the strict framing does not see")
                              : fault)});
            break;
        }
        if (m_continuePending) { // only once the header section has passed the checks
            m_continuePending = false;
            if (!m_messageComplete) // the body may have come with the headers already
                m_socket.write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        if (err == HPE_PAUSED) {
            http_parser_pause(&m_parser, 0);
        } else if (err != HPE_OK) {
            failAndClose(Error{ErrorCode::BadRequest,
                               QStringLiteral("malformed HTTP request: %1")
                                   .arg(QLatin1StringView(http_errno_description(err)))});
            break;
        }
        if (m_messageComplete)
            dispatch();
        else if (parsed == 0)
            break;
    }
    m_inProcessInput = false;
}

void HttpConnection::dispatch()
{
    m_messageComplete = false;
    m_requestStarted = false;
    m_headersDone = false; // the next request's header section follows
    m_framing.reset();
    m_inFlight = true;
    m_headRequest = m_request.method == "HEAD";
    m_deadlineMs = 0; // the handler bounds its own work (provider and database timeouts)
    const Responder responder(this, ++m_sequence);
    m_worker->handler()->handle(m_request, responder);
}

void HttpConnection::respond(quint64 sequence, const HttpResponse &response)
{
    if (!m_inFlight || sequence != m_sequence)
        return;
    m_inFlight = false;
    // A refused upgrade closes: what follows the request may be WebSocket frames.
    const bool keepAlive = m_keepAlive && !m_draining && !m_closing && !m_parser.upgrade;
    write(response, keepAlive);
    if (!keepAlive) {
        closeConnection();
        return;
    }
    m_deadlineMs = monotonicMs() + m_worker->limits().idleTimeoutMs;
    resumeReading(); // what arrived while the request was in flight
}

void HttpConnection::abortNow()
{
    m_closing = true;
    m_socket.abort();
    m_worker->connectionClosed(this);
}

void HttpConnection::failAndClose(const Error &error)
{
    write(HttpResponse::error(error), false);
    closeConnection();
}

void HttpConnection::write(const HttpResponse &response, bool keepAlive)
{
    QByteArray out;
    out.reserve(160 + response.body.size());
    out.append("HTTP/1.1 ")
        .append(QByteArray::number(response.status))
        .append(' ')
        .append(reasonPhrase(response.status))
        .append("\r\nContent-Type: ")
        .append(response.contentType)
        .append("\r\nContent-Length: ")
        .append(QByteArray::number(response.body.size()))
        .append("\r\nDate: ")
        .append(m_worker->httpDate())
        .append("\r\n");
    if (!keepAlive)
        out.append("Connection: close\r\n");
    else if (m_http10)
        out.append("Connection: keep-alive\r\n");
    for (const auto &h : response.headers)
        out.append(h.first).append(": ").append(h.second).append("\r\n");
    out.append("\r\n");
    if (!m_headRequest) // HEAD: the GET answer's headers, Content-Length included, no body
        out.append(response.body);
    m_headRequest = false;
    m_socket.write(out);
}

void HttpConnection::closeConnection()
{
    if (m_closing)
        return;
    m_closing = true;
    m_inFlight = false;
    m_deadlineMs = monotonicMs() + closeGraceMs;
    // Lingering close: closing with unread request bytes (a 413 body) makes the kernel send
    // a reset that can destroy our answer before the client reads it. So send everything,
    // shut down our sending side only, and discard input until the client closes (or the
    // grace deadline aborts).
    if (m_socket.bytesToWrite() == 0) {
        halfClose();
        return;
    }
    connect(&m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_socket.bytesToWrite() == 0)
            halfClose();
    });
}

void HttpConnection::halfClose()
{
    if (m_socket.state() == QAbstractSocket::ConnectedState)
        ::shutdown(int(m_socket.socketDescriptor()), SHUT_WR);
    else
        m_worker->connectionClosed(this);
}

void HttpConnection::checkDeadline(qint64 nowMs)
{
    if (m_deadlineMs == 0 || nowMs < m_deadlineMs)
        return;
    if (m_closing) {
        m_socket.abort();
        m_worker->connectionClosed(this);
        return;
    }
    if (m_webSocket) {
        const qint64 next = m_webSocket->tick(nowMs);
        if (!m_closing)
            m_deadlineMs = next;
        return;
    }
    // Slow or idle client: drop it. A request that never completed gets no answer.
    closeConnection();
}

void HttpConnection::drain()
{
    m_draining = true;
    if (m_webSocket)
        m_webSocket->close(websocket::GoingAway, "the server is shutting down");
    else if (isIdle())
        closeConnection();
}

} // namespace latchkey
