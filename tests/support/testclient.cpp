// Response parsing with http_parser in response mode.
#include "testclient.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>

#include <http_parser.h>

namespace latchkey::test {

QByteArray TestResponse::header(QByteArrayView lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

QJsonObject TestResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

TestClient::TestClient(quint16 port, int timeoutMs) : m_timeoutMs(timeoutMs)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    m_socket.waitForConnected(timeoutMs);
}

void TestClient::sendRaw(const QByteArray &bytes)
{
    m_socket.write(bytes);
    m_socket.flush();
}

namespace {
struct ParseState
{
    TestResponse response;
    QByteArray field;
    QByteArray value;
    bool complete = false;
};

ParseState *stateOf(http_parser *p)
{
    return static_cast<ParseState *>(p->data);
}

void flush(ParseState *s)
{
    if (!s->field.isEmpty())
        s->response.headers.append({s->field.toLower(), s->value});
    s->field.clear();
    s->value.clear();
}

const http_parser_settings &responseSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings st;
        http_parser_settings_init(&st);
        st.on_header_field = [](http_parser *p, const char *at, size_t n) {
            ParseState *s = stateOf(p);
            if (!s->value.isEmpty())
                flush(s);
            s->field.append(at, qsizetype(n));
            return 0;
        };
        st.on_header_value = [](http_parser *p, const char *at, size_t n) {
            stateOf(p)->value.append(at, qsizetype(n));
            return 0;
        };
        st.on_headers_complete = [](http_parser *p) {
            flush(stateOf(p));
            stateOf(p)->response.status = int(p->status_code);
            return 0;
        };
        st.on_body = [](http_parser *p, const char *at, size_t n) {
            stateOf(p)->response.body.append(at, qsizetype(n));
            return 0;
        };
        st.on_message_complete = [](http_parser *p) {
            stateOf(p)->complete = true;
            http_parser_pause(p, 1);
            return 0;
        };
        return st;
    }();
    return settings;
}
} // namespace

TestResponse TestClient::readResponse()
{
    ParseState state;
    http_parser parser;
    http_parser_init(&parser, HTTP_RESPONSE);
    parser.data = &state;
    const QDeadlineTimer deadline(m_timeoutMs);
    bool closed = false;
    for (;;) {
        if (!m_buffer.isEmpty()) {
            const size_t used = http_parser_execute(&parser, &responseSettings(),
                                                    m_buffer.constData(), size_t(m_buffer.size()));
            m_buffer.remove(0, qsizetype(used));
            if (state.complete)
                return state.response;
            if (HTTP_PARSER_ERRNO(&parser) != HPE_OK)
                return {};
        }
        if (closed || deadline.hasExpired())
            break;
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &loop, &QEventLoop::quit);
        QObject::connect(&m_socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
        if (m_socket.bytesAvailable() == 0 && m_socket.state() == QAbstractSocket::ConnectedState) {
            timer.start(int(std::max<qint64>(1, deadline.remainingTime())));
            loop.exec();
        }
        m_buffer.append(m_socket.readAll());
        if (m_socket.state() != QAbstractSocket::ConnectedState && m_socket.bytesAvailable() == 0) {
            closed = true;
            if (m_buffer.isEmpty()) {
                // The end of the stream completes a response without Content-Length.
                http_parser_execute(&parser, &responseSettings(), nullptr, 0);
                return state.complete ? state.response : TestResponse{};
            }
        }
    }
    return {};
}

bool waitUntilClosed(QTcpSocket &socket, QByteArray &buffer, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        QEventLoop loop;
        QTimer::singleShot(int(std::max<qint64>(1, deadline.remainingTime())), &loop,
                           &QEventLoop::quit);
        QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
        QObject::connect(&socket, &QTcpSocket::readyRead, &loop,
                         [&] { buffer.append(socket.readAll()); });
        loop.exec();
    }
    return socket.state() != QAbstractSocket::ConnectedState;
}

bool TestClient::waitForClose(int timeoutMs)
{
    return waitUntilClosed(m_socket, m_buffer, timeoutMs);
}

TestResponse requestOnce(quint16 port, const QByteArray &method, const QByteArray &path,
                         const QByteArray &token, const QJsonObject &body)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token});
    QByteArray bytes;
    if (!body.isEmpty()) {
        headers.append({"Content-Type", QByteArray("application/json")});
        bytes = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    TestClient client(port);
    return client.request(method, path, bytes, headers);
}

TestResponse TestClient::request(const QByteArray &method, const QByteArray &path,
                                 const QByteArray &body,
                                 const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray out = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto &h : headers)
        out += h.first + ": " + h.second + "\r\n";
    if (!body.isEmpty() || method == "POST")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "\r\n" + body;
    sendRaw(out);
    return readResponse();
}

TestResponse TestClient::postJson(const QByteArray &path, const QJsonObject &body,
                                  const QByteArray &bearer)
{
    QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/json"}};
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer});
    return request("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
}

TestResponse TestClient::get(const QByteArray &path, const QByteArray &bearer)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer});
    return request("GET", path, {}, headers);
}

bool isRefused(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (socket.waitForConnected(2000))
        return false;
    return socket.error() == QAbstractSocket::ConnectionRefusedError;
}

TestResponse postJsonOnce(quint16 port, const QByteArray &path, const QJsonObject &body,
                          const QByteArray &bearer)
{
    TestClient client(port);
    return client.postJson(path, body, bearer);
}

} // namespace latchkey::test
