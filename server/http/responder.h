// The handle a handler answers through, now or later, exactly once.
#pragma once

#include "httpresponse.h"

#include <QPointer>

#include <functional>
#include <memory>

namespace latchkey {

class HttpConnection;

//! Copyable; all copies share one state. The first send() wins, later ones are ignored
//! (and logged): a request is answered exactly once. If the client went away meanwhile,
//! send() drops the response. Use only on the worker thread that handed it out.
class Responder
{
public:
    Responder() = default;
    Responder(HttpConnection *connection, quint64 sequence);

    void send(HttpResponse response) const;
    //! Adds a header to whatever response is sent (e.g. X-RateLimit-*).
    void addHeader(QByteArray name, QByteArray value) const;
    //! \a observer gets the status of the response when it is sent (request metrics).
    void observe(std::function<void(int status)> observer) const;
    void sendError(const Error &error) const { send(HttpResponse::error(error)); }
    //! Answers 101 Switching Protocols, with \a protocol as Sec-WebSocket-Protocol when not
    //! empty: the connection is a WebSocket from now on (see webSocketHandshakeProblem()).
    //! nullptr when the client went away meanwhile.
    class WebSocket *upgrade(QByteArrayView protocol) const;
    bool isDone() const;
    //! The connection closed while the request was handled: nobody will read an answer.
    bool isClientGone() const;

private:
    struct State
    {
        QPointer<HttpConnection> connection;
        quint64 sequence = 0;
        bool done = false;
        QList<QPair<QByteArray, QByteArray>> headers;
        std::function<void(int)> observer;
    };
    std::shared_ptr<State> m_state;
};

//! What a worker thread serves requests with; one instance per worker, created on it.
class RequestHandler
{
public:
    virtual ~RequestHandler() = default;
    virtual void handle(const struct HttpRequest &request, Responder responder) = 0;
};

} // namespace latchkey
