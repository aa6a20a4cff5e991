// One client connection on a worker thread: parses requests, enforces limits, writes answers.
#pragma once

#include "forwarded.h"
#include "httprequest.h"
#include "responder.h"
#include "strictframing.h"
#include "websocket.h"

#include <QObject>
#include <QTcpSocket>

#include <http_parser.h>

#include <memory>
#include <optional>

namespace latchkey {

class HttpWorker;

struct HttpLimits
{
    int maxHeaderBytes = 16 * 1024; //!< request line + headers, then 431
    int maxBodyBytes = 64 * 1024;   //!< then 413
    int headerTimeoutMs = 10000;    //!< a started request must have its headers by then
    int bodyTimeoutMs = 10000;      //!< and its body this long after the headers
    int idleTimeoutMs = 60000;      //!< keep-alive connection with nothing in flight
    int maxConnections = 10000;
    int maxConnectionsPerAddress = 256; //!< an IPv6 client is its /64
    //! Load balancers (address, prefix length) whose X-Forwarded-For names the client: a
    //! request through one of them has the client's address as its peer, and the proxy's
    //! own connections are not capped per address. Nobody else's header is believed.
    AddressRanges trustedProxies;
    int listenBacklog = 4096; //!< the kernel caps it at net.core.somaxconn
    //! Answers written but not yet taken by the client; past it the connection is not read
    //! (nor its pipelined requests parsed) until the client reads.
    qint64 maxUnsentBytes = 1024 * 1024;
    int webSocketPingMs = 30000; //!< an upgraded connection is pinged this often
    //! An upgraded connection's messages not yet taken by the client; past it, it is dropped.
    qint64 webSocketMaxQueuedBytes = 256 * 1024;
};

class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(qintptr socketDescriptor, HttpWorker *worker);
    ~HttpConnection() override;

    //! Called by the worker's sweep: closes the connection when its deadline passed.
    void checkDeadline(qint64 nowMs);
    //! Graceful shutdown: close now when idle, else after the in-flight answer.
    void drain();
    bool isIdle() const;

private:
    friend class Responder;
    friend class WebSocket;
    friend struct ParserCallbacks;

    void onReadyRead();
    void resumeReading();
    bool isOutputBlocked() const;
    void processInput();
    void dispatch();
    void respond(quint64 sequence, const HttpResponse &response);
    //! Answers the request \a sequence with 101 (and \a headers) and becomes a WebSocket;
    //! nullptr when the request is no longer in flight.
    WebSocket *upgrade(quint64 sequence, QByteArrayView protocol,
                       const QList<QPair<QByteArray, QByteArray>> &headers);
    void abortNow();
    void failAndClose(const Error &error);
    void write(const HttpResponse &response, bool keepAlive);
    void closeConnection();
    void halfClose();
    void resetParser();

    HttpWorker *m_worker;
    QTcpSocket m_socket;
    std::unique_ptr<WebSocket> m_webSocket; //!< after an upgrade; goes before the socket
    http_parser m_parser;
    QByteArray m_input;
    HttpRequest m_request;
    QByteArray m_url;
    QByteArray m_headerField;
    QByteArray m_headerValue;
    bool m_lastWasValue = false;
    bool m_headersDone = false;     //!< what the parser reports as headers now are trailers
    bool m_continuePending = false; //!< "Expect: 100-continue" to answer
    bool m_headRequest = false;     //!< the answer in flight is to a HEAD: headers only
    StrictFraming m_framing;        //!< what the lenient parser takes, read strictly
    bool m_http10 = false;
    bool m_requestStarted = false;
    bool m_inProcessInput = false;
    std::optional<Error> m_parseError;
    QHostAddress m_peer;
    int m_headerBytes = 0;
    bool m_messageComplete = false;
    bool m_inFlight = false;
    bool m_keepAlive = true;
    bool m_draining = false;
    bool m_closing = false;
    quint64 m_sequence = 0;
    qint64 m_deadlineMs = 0;
};

} // namespace latchkey
