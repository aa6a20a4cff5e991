// Provider calls with a hard deadline; JWKS fetched once for all waiting requests.
#include "googleprovider.h"

#include "logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

namespace latchkey {

namespace {
constexpr qint64 clockSkewSecs = 60;
constexpr qint64 minRefetchSecs = 60;   // an unknown kid refetches the JWKS at most this often
constexpr int defaultKeysMaxAge = 3600; // when the JWKS answer has no Cache-Control

Error rejected(const QString &why)
{
    return Error{ErrorCode::InvalidProviderToken,
                 QStringLiteral("Google token rejected: %1").arg(why)};
}

int maxAgeOf(const QNetworkReply *reply)
{
    static const QRegularExpression maxAge(QStringLiteral("max-age=(\\d+)"));
    const auto match = maxAge.match(QString::fromLatin1(reply->rawHeader("Cache-Control")));
    return match.hasMatch() ? match.captured(1).toInt() : defaultKeysMaxAge;
}

// Provider tokens are opaque ASCII (access tokens) or JWTs. Anything else never reaches
// the network: a CR/LF would otherwise inject headers, or a whole second request, into
// our call to the provider.
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

bool isTrue(const QJsonValue &v)
{
    return v.isBool() ? v.toBool() : v.toString() == QLatin1StringView("true");
}
} // namespace

GoogleProvider::GoogleProvider(const Config::Google &config, KeySet &keys, Clock clock,
                               QObject *parent)
    : QObject(parent), m_config(config), m_clock(std::move(clock)), m_network(this), m_keys(keys)
{
}

void GoogleProvider::getJson(const QUrl &url, const QByteArray &bearer, JsonCallback done)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);
    QNetworkReply *reply = m_network.get(request);
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [reply] {
        reply->setProperty("latchkeyTimedOut", true);
        reply->abort();
    });
    timer->start(m_config.timeoutMs);
    connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done), url] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->property("latchkeyTimedOut").toBool()) {
            qCWarning(lcProvider) << "provider did not answer in time:"
                                  << url.toString(QUrl::RemoveQuery);
            done(Error{ErrorCode::ProviderTimeout,
                       QStringLiteral("the identity provider did not answer in time")},
                 0);
            return;
        }
        if (status == 0 || status >= 500) {
            qCWarning(lcProvider) << "provider unreachable:" << url.toString(QUrl::RemoveQuery)
                                  << status << reply->errorString();
            done(Error{ErrorCode::ProviderUnavailable,
                       QStringLiteral("the identity provider is unavailable")},
                 0);
            return;
        }
        const QByteArray body = reply->readAll();
        if (status == 400 || status == 401) {
            done(rejected(QStringLiteral("the provider answered %1").arg(status)), 0);
            return;
        }
        if (status != 200) {
            // A quota (429), a redirect or the like says nothing about the player's token.
            qCWarning(lcProvider) << "provider answered" << status << "for"
                                  << url.toString(QUrl::RemoveQuery);
            done(Error{ErrorCode::ProviderUnavailable,
                       QStringLiteral("the identity provider is unavailable")},
                 0);
            return;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (!doc.isObject()) {
            qCWarning(lcProvider) << "provider sent no JSON object:"
                                  << url.toString(QUrl::RemoveQuery);
            done(Error{ErrorCode::ProviderUnavailable,
                       QStringLiteral("the identity provider answered nonsense")},
                 0);
            return;
        }
        done(doc.object(), maxAgeOf(reply));
    });
}

void GoogleProvider::verifyAccessToken(const QString &accessToken, Callback done)
{
    if (m_config.clientIds.isEmpty()) {
        done(rejected(QStringLiteral("no Google client ID is configured on this server")));
        return;
    }
    if (!isPlausibleToken(accessToken)) {
        done(rejected(QStringLiteral("it is not a well-formed token")));
        return;
    }
    getJson(m_config.tokenInfoUrl, accessToken.toUtf8(),
            [this, done = std::move(done)](Result<QJsonObject> info, int) {
                if (!info) {
                    done(info.error());
                    return;
                }
                const QString aud = info->value(QLatin1StringView("aud")).toString();
                const QJsonValue azp = info->value(QLatin1StringView("azp"));
                if (!m_config.clientIds.contains(aud) ||
                    (!azp.isUndefined() && !m_config.clientIds.contains(azp.toString()))) {
                    done(rejected(QStringLiteral("it was issued to another application")));
                    return;
                }
                const qint64 exp = info->value(QLatin1StringView("exp")).toVariant().toLongLong();
                if (exp <= nowSecs()) {
                    done(rejected(QStringLiteral("it has expired")));
                    return;
                }
                done(identityFrom(*info));
            });
}

void GoogleProvider::withKeys(bool forceRefresh, std::function<void(Status)> done)
{
    const KeySet::State keys = m_keys.state();
    const qint64 now = nowSecs();
    if (!forceRefresh && !keys.keys.isEmpty() && now < keys.expiresAt) {
        done(Done{}); // valid keys serve even while a later (forced) fetch is failing
        return;
    }
    if (!keys.lastFetch && now - keys.fetchedAt < KeySet::failureHoldSecs) {
        done(keys.lastFetch.error()); // a failing provider is not asked again at once
        return;
    }
    m_keyWaiters.push_back(std::move(done));
    if (m_fetchingKeys)
        return; // one fetch serves every request of this worker waiting for it
    m_fetchingKeys = true;
    getJson(m_config.jwksUrl, {}, [this](Result<QJsonObject> jwks, int maxAge) {
        m_fetchingKeys = false;
        const qint64 fetchedAt = nowSecs();
        Status status = Done{};
        if (!jwks) {
            status = jwks.error().code == ErrorCode::InvalidProviderToken
                         ? Error{ErrorCode::ProviderUnavailable,
                                 QStringLiteral("the identity provider's keys are unavailable")}
                         : jwks.error();
            m_keys.storeFailure(status.error(), fetchedAt);
        } else {
            QHash<QString, jwt::Key> keys;
            for (const QJsonValue &v : jwks->value(QLatin1StringView("keys")).toArray()) {
                Result<jwt::Key> key = jwt::Key::fromJwk(v.toObject());
                if (key && !key->keyId().isEmpty())
                    keys.insert(key->keyId(), *key);
            }
            m_keys.storeKeys(std::move(keys), fetchedAt, fetchedAt + maxAge);
        }
        auto waiters = std::move(m_keyWaiters);
        m_keyWaiters.clear();
        for (auto &waiter : waiters)
            waiter(status);
    });
}

void GoogleProvider::verifyIdToken(const QString &idToken, Callback done)
{
    if (m_config.clientIds.isEmpty()) {
        done(rejected(QStringLiteral("no Google client ID is configured on this server")));
        return;
    }
    if (!isPlausibleToken(idToken)) {
        done(rejected(QStringLiteral("it is not a well-formed token")));
        return;
    }
    withKeys(false, [this, idToken, done = std::move(done)](Status status) mutable {
        if (!status) {
            done(status.error());
            return;
        }
        checkIdToken(idToken, true, std::move(done));
    });
}

void GoogleProvider::checkIdToken(const QString &idToken, bool mayRefetch, Callback done)
{
    const QByteArray token = idToken.toUtf8();
    const Result<jwt::Header> header = jwt::peekHeader(token);
    if (!header) {
        done(rejected(QStringLiteral("it is not a JWT")));
        return;
    }
    const KeySet::State keys = m_keys.state();
    const auto key = keys.keys.constFind(header->kid);
    if (key == keys.keys.constEnd()) {
        // Google rotates keys: an unknown kid may be new. Refetch, but not on every request.
        if (mayRefetch && nowSecs() - keys.fetchedAt >= minRefetchSecs) {
            withKeys(true, [this, idToken, done = std::move(done)](Status status) mutable {
                if (!status)
                    done(status.error());
                else
                    checkIdToken(idToken, false, std::move(done));
            });
            return;
        }
        done(rejected(QStringLiteral("it was signed by an unknown key")));
        return;
    }
    jwt::VerifyOptions options;
    options.now = nowSecs();
    options.leewaySeconds = clockSkewSecs;
    options.issuers = m_config.issuers;
    options.audiences = m_config.clientIds;
    const Result<QJsonObject> claims = jwt::verify(token, *key, options);
    if (!claims) {
        done(rejected(claims.error().message));
        return;
    }
    done(identityFrom(*claims));
}

Result<ExternalIdentity> GoogleProvider::identityFrom(const QJsonObject &claims) const
{
    ExternalIdentity identity;
    identity.provider = QStringLiteral("google");
    identity.subject = claims.value(QLatin1StringView("sub")).toString();
    identity.email = claims.value(QLatin1StringView("email")).toString();
    identity.name = claims.value(QLatin1StringView("name")).toString();
    identity.picture = claims.value(QLatin1StringView("picture")).toString();
    if (identity.subject.isEmpty() || identity.subject.size() > 255)
        return rejected(QStringLiteral("it names no subject"));
    if (identity.email.isEmpty() || !isTrue(claims.value(QLatin1StringView("email_verified"))))
        return rejected(QStringLiteral("its e-mail address is not verified"));
    if (!identity.picture.startsWith(QLatin1StringView("https://")) ||
        identity.picture.size() > 2048)
        identity.picture.clear();
    return identity;
}

} // namespace latchkey
