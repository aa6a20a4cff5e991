// Answering a request exactly once, through the connection it came on (if it is still there).
#include "responder.h"

#include "httpconnection.h"
#include "logging.h"

namespace latchkey {

Responder::Responder(HttpConnection *connection, quint64 sequence)
    : m_state(std::make_shared<State>(State{connection, sequence, false, {}, {}}))
{
}

void Responder::send(HttpResponse response) const
{
    if (!m_state || m_state->done) {
        qCWarning(lcHttp) << "a handler answered one request twice; the second answer is dropped";
        return;
    }
    m_state->done = true;
    response.headers.append(m_state->headers);
    if (m_state->observer)
        m_state->observer(response.status);
    if (HttpConnection *c = m_state->connection.data())
        c->respond(m_state->sequence, response);
}

WebSocket *Responder::upgrade(QByteArrayView protocol) const
{
    if (!m_state || m_state->done) {
        qCWarning(lcHttp) << "a handler upgraded an answered request; ignored";
        return nullptr;
    }
    m_state->done = true;
    if (m_state->observer)
        m_state->observer(101);
    HttpConnection *c = m_state->connection.data();
    return c ? c->upgrade(m_state->sequence, protocol, m_state->headers) : nullptr;
}

void Responder::addHeader(QByteArray name, QByteArray value) const
{
    if (m_state)
        m_state->headers.emplaceBack(std::move(name), std::move(value));
}

void Responder::observe(std::function<void(int)> observer) const
{
    if (m_state)
        m_state->observer = std::move(observer);
}

bool Responder::isDone() const
{
    return !m_state || m_state->done;
}

bool Responder::isClientGone() const
{
    return !m_state || !m_state->connection;
}

} // namespace latchkey
