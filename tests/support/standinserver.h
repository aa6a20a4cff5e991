// A stand-in for an identity provider's HTTP endpoints (tokeninfo, JWKS, OAuth 2.0), on loopback,
// in the test's own thread. Used where only a stand-in can say it (a token minted for another app,
// a provider that hangs or fails); the real OpenID provider tests use npm oidc-provider.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QTcpServer>
#include <QUrl>

#include <functional>

namespace latchkey::test {

struct StandInReply
{
    int status = 200;
    QByteArray body;
    QByteArray cacheControl;
    int delayMs = 0;     //!< answer this much later
    bool hang = false;   //!< never answer (the server under test must time out)
    QByteArray location; //!< a Location header (a 302 for a browser)
};

struct StandInRequest
{
    QByteArray method;
    QByteArray path; //!< without query
    QByteArray query;
    QByteArray authorization;
    QByteArray contentType;
    QByteArray body;

    //! A parameter as an OAuth endpoint reads it: from the query, or from an
    //! application/x-www-form-urlencoded body (percent-decoded, '+' as space).
    QByteArray param(const QByteArray &name) const;
};

class StandInServer : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<StandInReply(const StandInRequest &)>;

    StandInServer();
    quint16 port() const { return m_server.serverPort(); }
    QUrl url(const QString &path) const;

    //! \a path without query; unknown paths answer 404.
    void route(const QByteArray &path, Handler handler)
    {
        m_routes.insert(path, std::move(handler));
    }
    int hits(const QByteArray &path) const { return m_hits.value(path); }
    QList<StandInRequest> requests() const { return m_requests; }

private:
    void serve(QTcpSocket *socket);

    QTcpServer m_server;
    QHash<QByteArray, Handler> m_routes;
    QHash<QByteArray, int> m_hits;
    QList<StandInRequest> m_requests;
};

} // namespace latchkey::test
