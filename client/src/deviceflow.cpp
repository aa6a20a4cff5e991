// The device grant's two requests (RFC 8628 §3.1, §3.4) and the polling rules of §3.5:
// authorization_pending waits the interval, slow_down adds 5 s to it, a network failure is
// retried until the code expires, anything else ends the login.
#include "deviceflow_p.h"
#include "logging_p.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QUrlQuery>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

namespace {
constexpr int slowDownSecs = 5;
constexpr auto deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"_L1;
} // namespace

DeviceFlow::DeviceFlow(const ClientConfig &config, QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), m_config(config), m_network(network), m_pollTimer(this)
{
    m_pollTimer.setSingleShot(true);
    m_pollTimer.setTimerType(Qt::PreciseTimer); // never early: that would be a slow_down
    connect(&m_pollTimer, &QTimer::timeout, this, &DeviceFlow::poll);
}

DeviceFlow::~DeviceFlow()
{
    m_done = true; // the aborted reply's answer goes nowhere
    if (m_pending)
        m_pending->abort();
}

void DeviceFlow::post(const QString &path, const QList<QPair<QString, QString>> &fields,
                      FormReply reply)
{
    QUrl url = m_config.serverUrl;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path);
    QNetworkRequest request(url);
    request.setTransferTimeout(int(m_config.requestTimeout.count()));
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/x-www-form-urlencoded"));
    QUrlQuery form;
    form.setQueryItems(fields);
    // '+' must be sent encoded: QUrlQuery leaves it, and form decoding reads it as a space.
    QNetworkReply *r =
        m_network->post(request, form.query(QUrl::FullyEncoded).toUtf8().replace('+', "%2B"));
    m_pending = r;
    connect(r, &QNetworkReply::finished, this, [this, r, reply = std::move(reply)] {
        r->deleteLater();
        if (m_done)
            return;
        const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject answer = QJsonDocument::fromJson(r->readAll()).object();
        if (status == 0) {
            reply(0, {},
                  Error{ErrorCode::NetworkError,
                        u"cannot reach the account server: %1"_s.arg(r->errorString())});
            return;
        }
        const QString wire = answer.value("code"_L1).toString();
        const Error error{errorCodeFromWire(wire).value_or(ErrorCode::InvalidField),
                          answer.value("error_description"_L1)
                              .toString(u"the account server answered %1"_s.arg(status))};
        reply(status, answer, error);
    });
}

void DeviceFlow::start()
{
    post(u"/oauth/device_authorization"_s, {{u"client_id"_s, m_config.clientId}},
         [this](int status, const QJsonObject &answer, const Error &error) {
             if (status != 200) {
                 finish(status == 0 ? error
                        : answer.value("error"_L1) == "invalid_client"_L1
                            ? Error{ErrorCode::InvalidField,
                                    u"the server does not let %1 use device codes: %2"_s.arg(
                                        m_config.clientId, error.message)}
                            : error);
                 return;
             }
             m_deviceCode = answer.value("device_code"_L1).toString();
             m_intervalSecs = std::max(1, answer.value("interval"_L1).toInt(5));
             m_expiresInMs = answer.value("expires_in"_L1).toInteger(600) * 1000;
             m_sinceCode.start();
             const DeviceCode code{answer.value("user_code"_L1).toString(),
                                   QUrl(answer.value("verification_uri"_L1).toString()),
                                   QUrl(answer.value("verification_uri_complete"_L1).toString()),
                                   QDateTime::currentDateTimeUtc().addMSecs(m_expiresInMs)};
             if (m_deviceCode.isEmpty() || code.userCode.isEmpty() ||
                 !code.verificationUri.isValid()) {
                 finish(Error{ErrorCode::Internal, u"the server sent no usable device code"_s});
                 return;
             }
             Q_EMIT codeReady(code);
             m_pollTimer.start(std::chrono::seconds(m_intervalSecs));
         });
}

void DeviceFlow::poll()
{
    if (m_sinceCode.elapsed() >= m_expiresInMs) {
        finish(Error{ErrorCode::Timeout, u"the code expired before the player signed in"_s});
        return;
    }
    post(u"/oauth/token"_s,
         {{u"grant_type"_s, deviceCodeGrant},
          {u"device_code"_s, m_deviceCode},
          {u"client_id"_s, m_config.clientId}},
         [this](int status, const QJsonObject &answer, const Error &error) {
             if (status == 200) {
                 finish(answer);
                 return;
             }
             const QString oauthError = answer.value("error"_L1).toString();
             if (oauthError == "slow_down"_L1)
                 m_intervalSecs += slowDownSecs;
             if (status == 0 || status >= 500 || oauthError == "slow_down"_L1 ||
                 oauthError == "authorization_pending"_L1) {
                 if (status == 0 || status >= 500)
                     qCInfo(lcEngine) << "device poll failed, trying again:" << error.message;
                 m_pollTimer.start(std::chrono::seconds(m_intervalSecs));
                 return;
             }
             if (oauthError == "access_denied"_L1)
                 finish(Error{ErrorCode::Cancelled, u"the player denied the sign-in"_s});
             else if (oauthError == "expired_token"_L1)
                 finish(Error{ErrorCode::Timeout, u"the code expired before the player signed "
                                                  "in"_s});
             else
                 finish(error);
         });
}

void DeviceFlow::cancel()
{
    finish(Error{ErrorCode::Cancelled, u"the login was cancelled"_s});
}

void DeviceFlow::finish(const Result<QJsonObject> &result)
{
    if (m_done)
        return;
    m_done = true;
    m_pollTimer.stop();
    if (m_pending)
        m_pending->abort(); // its reply lambda still runs: m_done keeps it quiet
    Q_EMIT finished(result);
}

} // namespace latchkey
