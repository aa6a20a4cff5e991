// The loopback listener, PKCE, discovery and the code exchange.
#include "browserflow_p.h"
#include "logging_p.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpSocket>
#include <QUrlQuery>

namespace latchkey {

namespace {
constexpr int maxCallbackRequestBytes = 16 * 1024;
constexpr int callbackReadTimeoutMs = 10000;
const QString callbackPath = QStringLiteral("/callback");

bool openWithDesktop(const QUrl &url)
{
#if defined(Q_OS_WIN)
    return QProcess::startDetached(
        QStringLiteral("rundll32"),
        {QStringLiteral("url.dll,FileProtocolHandler"), url.toString(QUrl::FullyEncoded)});
#elif defined(Q_OS_MACOS)
    return QProcess::startDetached(QStringLiteral("open"), {url.toString(QUrl::FullyEncoded)});
#else
    return QProcess::startDetached(QStringLiteral("xdg-open"), {url.toString(QUrl::FullyEncoded)});
#endif
}

//! https, or http to this machine (a provider run locally, a test's).
bool isSafeEndpoint(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return false;
    if (url.scheme() == QLatin1StringView("https"))
        return true;
    const QHostAddress host(url.host());
    return url.scheme() == QLatin1StringView("http") &&
           (url.host() == QLatin1StringView("localhost") || (!host.isNull() && host.isLoopback()));
}

//! Whether \a idToken's "nonce" claim is \a nonce. The signature is the server's to check;
//! this binds the token to the login that asked for it (OpenID Connect Core 3.1.3.7).
bool hasNonce(const QString &idToken, const QString &nonce)
{
    const QStringList parts = idToken.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return false;
    const Result<QByteArray> payload = base64url::decode(parts.at(1).toLatin1());
    if (!payload)
        return false;
    const QString claim =
        QJsonDocument::fromJson(*payload).object().value(QLatin1StringView("nonce")).toString();
    return !claim.isEmpty() && crypto::constantTimeEquals(claim.toUtf8(), nonce.toUtf8());
}

Error failure(ErrorCode code, const QString &message)
{
    return Error{code, message};
}
} // namespace

QByteArray resultPage(bool success, const QString &message)
{
    QFile file(success ? QStringLiteral(":/latchkey/pages/login_success.html")
                       : QStringLiteral(":/latchkey/pages/login_failure.html"));
    QByteArray page =
        file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<p>{{message}}</p>");
    return page.replace("{{message}}", message.toHtmlEscaped().toUtf8());
}

BrowserFlow::BrowserFlow(const ClientConfig &config, QNetworkAccessManager *network,
                         QObject *parent, QString provider, QString linkTicket)
    : QObject(parent), m_config(config), m_network(network), m_listener(this), m_timeout(this),
      m_broker(config.mode == LoginMode::Broker), m_provider(std::move(provider)),
      m_linkTicket(std::move(linkTicket))
{
    if (m_broker) {
        // The account server is the authorization server: its endpoints come from its RFC
        // 8414 metadata (which also shows it is there before a browser opens for nothing).
        m_config.issuer = m_config.serverUrl;
        m_config.authorizationEndpoint.clear();
        m_config.tokenEndpoint.clear();
    }
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        finish(failure(ErrorCode::Timeout, QStringLiteral("the login was not completed in time")));
    });
    connect(&m_listener, &QTcpServer::newConnection, this, &BrowserFlow::onConnection);
}

BrowserFlow::~BrowserFlow()
{
    if (m_pending)
        m_pending->abort();
}

void BrowserFlow::start()
{
    m_timeout.start(m_config.loginTimeout);
    m_verifier = base64url::encode(crypto::randomBytes(32));
    m_state = QString::fromLatin1(base64url::encode(crypto::randomBytes(16)));
    m_nonce = QString::fromLatin1(base64url::encode(crypto::randomBytes(16)));
    // Loopback only: nothing else on the network can hand us a code.
    if (!m_listener.listen(QHostAddress::LocalHost, 0)) {
        finish(failure(
            ErrorCode::NetworkError,
            QStringLiteral("cannot listen on 127.0.0.1: %1").arg(m_listener.errorString())));
        return;
    }
    // RFC 8252 §7.3: the loopback IP literal, never "localhost" (which may resolve elsewhere).
    // Kept, not recomputed: the code exchange repeats it after the listener has closed.
    m_redirectUri =
        QStringLiteral("http://127.0.0.1:%1%2").arg(m_listener.serverPort()).arg(callbackPath);
    Q_EMIT listening(m_listener.serverPort());
    if (m_config.authorizationEndpoint.isEmpty() || m_config.tokenEndpoint.isEmpty())
        discover();
    else
        openBrowser();
}

void BrowserFlow::discover()
{
    QUrl url = m_config.issuer;
    url.setPath(url.path().replace(QRegularExpression(QStringLiteral("/$")), QString()) +
                (m_broker ? QStringLiteral("/.well-known/oauth-authorization-server")
                          : QStringLiteral("/.well-known/openid-configuration")));
    QNetworkRequest request(url);
    request.setTransferTimeout(int(m_config.requestTimeout.count()));
    QNetworkReply *reply = m_network->get(request);
    m_pending = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const QJsonObject doc = QJsonDocument::fromJson(reply->readAll()).object();
        if (reply->error() != QNetworkReply::NoError ||
            !doc.contains(QLatin1StringView("authorization_endpoint"))) {
            finish(failure(
                ErrorCode::NetworkError,
                QStringLiteral("cannot read the %1's configuration: %2")
                    .arg(m_broker ? QStringLiteral("account server") : QStringLiteral("provider"))
                    .arg(reply->errorString())));
            return;
        }
        m_config.authorizationEndpoint =
            QUrl(doc.value(QLatin1StringView("authorization_endpoint")).toString());
        m_config.tokenEndpoint = QUrl(doc.value(QLatin1StringView("token_endpoint")).toString());
        for (const QUrl &endpoint : {m_config.authorizationEndpoint, m_config.tokenEndpoint}) {
            if (!isSafeEndpoint(endpoint)) {
                // The browser would carry the login, and we the code, over plain HTTP.
                finish(failure(ErrorCode::NetworkError,
                               QStringLiteral("the provider's configuration names an endpoint "
                                              "that is neither https nor loopback: %1")
                                   .arg(endpoint.toString())));
                return;
            }
        }
        openBrowser();
    });
}

void BrowserFlow::openBrowser()
{
    QUrl url = m_config.authorizationEndpoint;
    QUrlQuery query(url);
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    query.addQueryItem(QStringLiteral("client_id"), m_config.clientId);
    query.addQueryItem(QStringLiteral("redirect_uri"), m_redirectUri);
    if (!m_broker)
        query.addQueryItem(QStringLiteral("scope"), m_config.scopes.join(QLatin1Char(' ')));
    query.addQueryItem(QStringLiteral("state"), m_state);
    query.addQueryItem(QStringLiteral("nonce"), m_nonce);
    query.addQueryItem(QStringLiteral("code_challenge"),
                       QString::fromLatin1(base64url::encode(crypto::sha256(m_verifier))));
    query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    if (m_broker && !m_provider.isEmpty())
        query.addQueryItem(QStringLiteral("provider"), m_provider);
    if (m_broker && !m_linkTicket.isEmpty())
        query.addQueryItem(QStringLiteral("link_ticket"), m_linkTicket);
    url.setQuery(query);
    const BrowserOpener &opener = m_config.openBrowser;
    if (!(opener ? opener(url) : openWithDesktop(url)))
        finish(failure(ErrorCode::NetworkError, QStringLiteral("cannot open the browser")));
}

void BrowserFlow::onConnection()
{
    while (QTcpSocket *socket = m_listener.nextPendingConnection()) {
        // Not our child: the flow finishes (and is deleted) right after answering, and the
        // page must still reach the browser. The socket deletes itself once closed.
        socket->setParent(nullptr);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(callbackReadTimeoutMs, socket, [socket] { socket->abort(); });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            QByteArray head =
                socket->property("head").toByteArray() + socket->read(maxCallbackRequestBytes);
            if (head.size() > maxCallbackRequestBytes) {
                socket->abort();
                return;
            }
            socket->setProperty("head", head);
            const qsizetype end = head.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
            if (requestLine.size() != 3 || requestLine[0] != "GET") {
                socket->write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: "
                              "close\r\n\r\n");
                socket->disconnectFromHost();
                return;
            }
            handleCallback(socket, requestLine[1]);
        });
    }
}

void BrowserFlow::handleCallback(QTcpSocket *socket, const QByteArray &target)
{
    const QUrl url(QString::fromLatin1(target));
    auto answer = [socket](int status, const QByteArray &body) {
        socket->write("HTTP/1.1 " + QByteArray::number(status) +
                      (status == 200 ? " OK" : " Error") +
                      "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                      "Content-Length: " +
                      QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    };
    // Only the exact redirect path counts (browsers also ask for /favicon.ico).
    if (url.path() != callbackPath || m_done || m_codeReceived) {
        answer(404, resultPage(false, QStringLiteral("Nothing here.")));
        return;
    }
    const QUrlQuery query(url);
    // One decoding of the query values, no more (a code may itself contain '%').
    const QString state = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    const QString code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    const QString error = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
    const QString description =
        query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded).left(300);
    if (!crypto::constantTimeEquals(state.toUtf8(), m_state.toUtf8())) {
        // Any local program can send this: it gets a page, and the login goes on waiting
        // for the browser's real answer (letting it end the login would let it deny one).
        qCInfo(lcFlow) << "a callback with the wrong state was refused; still waiting";
        answer(
            400,
            resultPage(
                false,
                QStringLiteral(
                    "This sign-in does not belong to the game's login. Try again from the game.")));
        return;
    }
    if (!error.isEmpty() || code.isEmpty()) {
        const bool declined = error == QLatin1StringView("access_denied");
        answer(200,
               resultPage(false,
                          declined
                              ? QStringLiteral("Sign-in was cancelled. You can return to the game.")
                              : QStringLiteral(
                                    "Sign-in failed. You can return to the game and try again.")));
        // The account server's own refusals (identity_in_use, ...) keep their code.
        const ErrorCode code =
            declined ? ErrorCode::Cancelled
                     : errorCodeFromWire(error).value_or(ErrorCode::InvalidProviderToken);
        const QString reason = description.isEmpty() ? error.left(100) : description;
        finish(failure(code, declined && description.isEmpty()
                                 ? QStringLiteral("the player declined the sign-in")
                                 : QStringLiteral("the sign-in was refused: %1").arg(reason)));
        return;
    }
    m_codeReceived = true;
    answer(
        200,
        resultPage(true, QStringLiteral(
                             "You are signed in. You can close this tab and return to the game.")));
    m_listener.close(); // one answer per login: nobody else gets to talk to us
    exchange(code);
}

void BrowserFlow::exchange(const QString &code)
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("authorization_code"));
    form.addQueryItem(QStringLiteral("code"), code);
    form.addQueryItem(QStringLiteral("redirect_uri"), m_redirectUri);
    form.addQueryItem(QStringLiteral("client_id"), m_config.clientId);
    if (!m_broker && !m_config.clientSecret.isEmpty())
        form.addQueryItem(QStringLiteral("client_secret"), m_config.clientSecret);
    form.addQueryItem(QStringLiteral("code_verifier"), QString::fromLatin1(m_verifier));
    QNetworkRequest request(m_config.tokenEndpoint);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setTransferTimeout(int(m_config.requestTimeout.count()));
    // '+' must be sent encoded: QUrlQuery leaves it as is, and form decoding reads it as a space.
    QByteArray body = form.query(QUrl::FullyEncoded).toUtf8().replace('+', "%2B");
    QNetworkReply *reply = m_network->post(request, body);
    m_pending = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
        if (status == 0) {
            finish(failure(reply->error() == QNetworkReply::OperationCanceledError
                               ? ErrorCode::Timeout
                               : ErrorCode::NetworkError,
                           QStringLiteral("cannot reach the provider's token endpoint: %1")
                               .arg(reply->errorString())));
            return;
        }
        if (status != 200) {
            const QString error = json.value(QLatin1StringView("error"))
                                      .toString(QStringLiteral("HTTP %1").arg(status));
            const QString description =
                json.value(QLatin1StringView("error_description")).toString().left(300);
            finish(failure(
                status >= 500 ? ErrorCode::NetworkError : ErrorCode::InvalidProviderToken,
                QStringLiteral("the code was refused: %1%2")
                    .arg(error, description.isEmpty() ? QString()
                                                      : QStringLiteral(" (%1)").arg(description))));
            return;
        }
        if (m_broker) {
            if (json.value(QLatin1StringView("refresh_token")).toString().isEmpty()) {
                finish(failure(ErrorCode::InvalidRefreshToken,
                               QStringLiteral("the account server sent no session")));
                return;
            }
            finish(ProviderTokens{{}, {}, json});
            return;
        }
        ProviderTokens tokens{json.value(QLatin1StringView("id_token")).toString(),
                              json.value(QLatin1StringView("access_token")).toString(),
                              {}};
        if (!m_config.useAccessToken && !tokens.idToken.isEmpty() &&
            !hasNonce(tokens.idToken, m_nonce)) {
            // An ID token minted for another login (injected): never this player's session.
            finish(failure(ErrorCode::InvalidProviderToken,
                           QStringLiteral("the provider's ID token does not carry this login's "
                                          "nonce")));
            return;
        }
        if ((m_config.useAccessToken ? tokens.accessToken : tokens.idToken).isEmpty()) {
            finish(
                failure(ErrorCode::InvalidProviderToken,
                        m_config.useAccessToken
                            ? QStringLiteral("the provider sent no access token")
                            : QStringLiteral(
                                  "the provider sent no ID token (is \"openid\" in the scopes?)")));
            return;
        }
        finish(tokens);
    });
}

void BrowserFlow::cancel()
{
    finish(failure(ErrorCode::Cancelled, QStringLiteral("the login was cancelled")));
}

void BrowserFlow::finish(const Result<ProviderTokens> &result)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    m_listener.close();
    if (m_pending)
        m_pending->abort();
    if (!result)
        qCInfo(lcFlow) << "login did not complete:" << result.error().message;
    Q_EMIT finished(result);
}

} // namespace latchkey
