// The provider call: deadline, status mapping, JSON parsing; nothing of the answer is logged
// but its URL without the query (tokens travel in queries and bodies).
#include "providerhttp.h"

#include "logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

namespace latchkey {

namespace {
constexpr int defaultMaxAge = 3600; // when an answer has no Cache-Control

int maxAgeOf(const QNetworkReply *reply)
{
    static const QRegularExpression maxAge(QStringLiteral("max-age=(\\d+)"));
    const auto match = maxAge.match(QString::fromLatin1(reply->rawHeader("Cache-Control")));
    return match.hasMatch() ? match.captured(1).toInt() : defaultMaxAge;
}

Error unavailable(const QString &message)
{
    return Error{ErrorCode::ProviderUnavailable, message};
}

QNetworkRequest requestFor(const QUrl &url)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setRawHeader("Accept", "application/json");
    // GitHub's API refuses requests without a User-Agent.
    request.setRawHeader("User-Agent", "latchkey-server");
    return request;
}
} // namespace

bool isPlausibleToken(const QString &token)
{
    if (token.isEmpty() || token.size() > 4096)
        return false;
    for (const QChar c : token) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                        (u >= '0' && u <= '9') || u == '.' || u == '_' || u == '~' || u == '+' ||
                        u == '/' || u == '=' || u == '-';
        if (!ok)
            return false;
    }
    return true;
}

ProviderHttp::ProviderHttp(QString label, int timeoutMs, QObject *parent)
    : QObject(parent), m_label(std::move(label)), m_timeoutMs(timeoutMs), m_network(this)
{
}

Error ProviderHttp::rejected(const QString &why) const
{
    return Error{ErrorCode::InvalidProviderToken,
                 QStringLiteral("%1 token rejected: %2").arg(m_label, why)};
}

void ProviderHttp::getJson(const QUrl &url, const QByteArray &bearer, JsonCallback done)
{
    QNetworkRequest request = requestFor(url);
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);
    watch(m_network.get(request), url, std::move(done));
}

void ProviderHttp::postForm(const QUrl &url, const QUrlQuery &form, JsonCallback done)
{
    QNetworkRequest request = requestFor(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/x-www-form-urlencoded"));
    // '+' must go encoded: QUrlQuery leaves it, and form decoding reads it as a space.
    const QByteArray body = form.query(QUrl::FullyEncoded).toUtf8().replace('+', "%2B");
    watch(m_network.post(request, body), url, std::move(done));
}

void ProviderHttp::watch(QNetworkReply *reply, const QUrl &url, JsonCallback done)
{
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [reply] {
        reply->setProperty("latchkeyTimedOut", true);
        reply->abort();
    });
    timer->start(m_timeoutMs);
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done), url] {
        reply->deleteLater();
        const QString where = url.toString(QUrl::RemoveQuery);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->property("latchkeyTimedOut").toBool()) {
            qCWarning(lcProvider) << "provider did not answer in time:" << where;
            done(Error{ErrorCode::ProviderTimeout,
                       QStringLiteral("the identity provider did not answer in time")},
                 0);
            return;
        }
        if (status == 0 || status >= 500) {
            qCWarning(lcProvider) << "provider unreachable:" << where << status
                                  << reply->errorString();
            done(unavailable(QStringLiteral("the identity provider is unavailable")), 0);
            return;
        }
        const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
        if (status == 400 || status == 401) {
            const QString error = doc.object().value(QLatin1StringView("error")).toString();
            done(rejected(error.isEmpty() || !isPlausibleToken(error)
                              ? QStringLiteral("the provider answered %1").arg(status)
                              : QStringLiteral("the provider answered %1").arg(error)),
                 0);
            return;
        }
        if (status != 200) {
            // A quota (429), a redirect or the like says nothing about the player's token.
            qCWarning(lcProvider) << "provider answered" << status << "for" << where;
            done(unavailable(QStringLiteral("the identity provider is unavailable")), 0);
            return;
        }
        if (!doc.isObject() && !doc.isArray()) {
            qCWarning(lcProvider) << "provider sent no JSON:" << where;
            done(unavailable(QStringLiteral("the identity provider answered nonsense")), 0);
            return;
        }
        // An array (GitHub's /user/emails) arrives as {"items": [...]}.
        done(doc.isObject() ? doc.object() : QJsonObject{{QStringLiteral("items"), doc.array()}},
             maxAgeOf(reply));
    });
}

} // namespace latchkey
