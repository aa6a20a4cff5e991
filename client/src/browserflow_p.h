// RFC 8252 login: authorization code + PKCE S256 + state, redirect to a loopback listener.
#pragma once

#include <latchkey/client.h>

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>

namespace latchkey {

//! What the code was traded for: the provider's tokens (Direct mode), or the account
//! server's whole session answer (Broker mode).
struct ProviderTokens
{
    QString idToken;
    QString accessToken;
    QJsonObject session; //!< Broker: {"access_token","refresh_token","expires_in","user",...}
};

//! One login attempt, on the library's thread; finished() is emitted exactly once (success,
//! failure, timeout or cancel), and the listener is closed before it.
class BrowserFlow : public QObject
{
    Q_OBJECT
public:
    //! \a provider / \a linkTicket (Broker mode): go straight to that provider; attach its
    //! account to the ticket's user.
    BrowserFlow(const ClientConfig &config, QNetworkAccessManager *network,
                QObject *parent = nullptr, QString provider = {}, QString linkTicket = {});
    ~BrowserFlow() override;

    void start();
    void cancel();
    //! The loopback port, once listening (tests check the listener's address).
    quint16 port() const { return m_listener.serverPort(); }

Q_SIGNALS:
    void finished(const latchkey::Result<latchkey::ProviderTokens> &result);
    void listening(quint16 port);

private:
    void discover();
    void openBrowser();
    void onConnection();
    void handleCallback(class QTcpSocket *socket, const QByteArray &target);
    void exchange(const QString &code);
    void finish(const Result<ProviderTokens> &result);

    ClientConfig m_config;
    QNetworkAccessManager *m_network;
    QTcpServer m_listener;
    QTimer m_timeout;
    QByteArray m_verifier;
    QString m_state;
    QString m_nonce;
    QString m_redirectUri;
    const bool m_broker;
    const QString m_provider;
    const QString m_linkTicket;
    QPointer<class QNetworkReply> m_pending;
    bool m_done = false;
    bool m_codeReceived = false;
};

//! The result page the player's browser shows (from resources/pages), with \a message
//! HTML-escaped into it.
QByteArray resultPage(bool success, const QString &message);

} // namespace latchkey
