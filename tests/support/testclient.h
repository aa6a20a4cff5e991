// Test HTTP client: one keep-alive connection, raw bytes in and out, waits on the event loop.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QTcpSocket>

namespace latchkey::test {

struct TestResponse
{
    int status = 0; //!< 0: no (complete) answer before the timeout or the connection closed
    QList<QPair<QByteArray, QByteArray>> headers; //!< names lower-cased
    QByteArray body;

    QByteArray header(QByteArrayView lowerName) const;
    QJsonObject json() const; //!< the body as a JSON object (empty when it is not one)
};

//! Waits by running the calling thread's event loop, so servers on that thread (provider
//! stand-ins) keep answering while a request is out.
class TestClient
{
public:
    explicit TestClient(quint16 port, int timeoutMs = 10000);

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    QTcpSocket &socket() { return m_socket; }

    TestResponse request(const QByteArray &method, const QByteArray &path,
                         const QByteArray &body = {},
                         const QList<QPair<QByteArray, QByteArray>> &headers = {});
    TestResponse postJson(const QByteArray &path, const QJsonObject &body,
                          const QByteArray &bearer = {});
    TestResponse get(const QByteArray &path, const QByteArray &bearer = {});

    void sendRaw(const QByteArray &bytes);
    //! Reads one response of what was sent (raw or not).
    TestResponse readResponse();
    //! True when the server closes the connection within \a timeoutMs.
    bool waitForClose(int timeoutMs);

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
    int m_timeoutMs;
};

//! True when nothing listens on \a port (the kernel refuses the connection).
bool isRefused(quint16 port);

//! \a method \a path on a fresh connection, with Bearer \a token and \a body as JSON when
//! they are not empty.
TestResponse requestOnce(quint16 port, const QByteArray &method, const QByteArray &path,
                         const QByteArray &token, const QJsonObject &body = {});

//! Waits until \a socket is closed (true) or \a timeoutMs passed, keeping what arrives
//! meanwhile in \a buffer.
bool waitUntilClosed(QTcpSocket &socket, QByteArray &buffer, int timeoutMs);

//! One request on a fresh connection.
TestResponse postJsonOnce(quint16 port, const QByteArray &path, const QJsonObject &body,
                          const QByteArray &bearer = {});

} // namespace latchkey::test
