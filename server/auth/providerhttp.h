// Calls to an identity provider's HTTP endpoints with a hard deadline and one mapping of
// what can go wrong (timeout 504, unreachable 503, refusal 401).
#pragma once

#include <latchkey/error.h>

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrlQuery>

#include <functional>

namespace latchkey {

//! One per provider per worker thread (it owns that thread's QNetworkAccessManager). Every
//! call completes exactly once: a JSON object, or ProviderTimeout, ProviderUnavailable (5xx,
//! unreachable, not JSON, any other status) or InvalidProviderToken (400/401, with the
//! provider's "error" when it sent one). Redirects are not followed.
class ProviderHttp : public QObject
{
    Q_OBJECT
public:
    //! \a maxAgeSecs: the answer's Cache-Control max-age (3600 when it has none).
    using JsonCallback = std::function<void(Result<QJsonObject>, int maxAgeSecs)>;

    //! \a label names the provider in refusals ("Google token rejected: ...").
    ProviderHttp(QString label, int timeoutMs, QObject *parent = nullptr);

    //! GET, with an Authorization: Bearer header when \a bearer is set.
    void getJson(const QUrl &url, const QByteArray &bearer, JsonCallback done);
    //! POST application/x-www-form-urlencoded (Accept: application/json).
    void postForm(const QUrl &url, const QUrlQuery &form, JsonCallback done);

    //! InvalidProviderToken "<label> token rejected: <why>".
    Error rejected(const QString &why) const;

private:
    void watch(class QNetworkReply *reply, const QUrl &url, JsonCallback done);

    const QString m_label;
    const int m_timeoutMs;
    QNetworkAccessManager m_network;
};

//! Provider tokens are opaque ASCII (access tokens, codes) or JWTs. Anything else never
//! reaches the network: a CR/LF would otherwise inject headers into our call.
bool isPlausibleToken(const QString &token);

} // namespace latchkey
