// JWKS fetch (one per worker for all waiters, failures held for a while) and the token check.
#include "idtokenverifier.h"

#include <QJsonArray>

namespace latchkey {

namespace {
constexpr qint64 clockSkewSecs = 60;
constexpr qint64 minRefetchSecs = 60; // an unknown kid refetches the JWKS at most this often
} // namespace

IdTokenVerifier::IdTokenVerifier(ProviderHttp &http, KeySet &keys, Clock clock)
    : m_http(http), m_keys(keys), m_clock(std::move(clock))
{
}

void IdTokenVerifier::verify(const QString &idToken, const QUrl &jwksUrl,
                             jwt::VerifyOptions options, Callback done)
{
    if (!isPlausibleToken(idToken)) {
        done(m_http.rejected(QStringLiteral("it is not a well-formed token")));
        return;
    }
    withKeys(jwksUrl, false,
             [this, idToken, jwksUrl, options, done = std::move(done)](Status status) mutable {
                 if (!status) {
                     done(status.error());
                     return;
                 }
                 check(idToken, jwksUrl, options, true, std::move(done));
             });
}

void IdTokenVerifier::withKeys(const QUrl &jwksUrl, bool forceRefresh,
                               std::function<void(Status)> done)
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
    m_waiters.push_back(std::move(done));
    if (m_fetching)
        return; // one fetch serves every request of this worker waiting for it
    m_fetching = true;
    m_http.getJson(jwksUrl, {}, [this](Result<QJsonObject> jwks, int maxAge) {
        m_fetching = false;
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
        auto waiters = std::move(m_waiters);
        m_waiters.clear();
        for (auto &waiter : waiters)
            waiter(status);
    });
}

void IdTokenVerifier::check(const QString &idToken, const QUrl &jwksUrl,
                            const jwt::VerifyOptions &options, bool mayRefetch, Callback done)
{
    const QByteArray token = idToken.toUtf8();
    const Result<jwt::Header> header = jwt::peekHeader(token);
    if (!header) {
        done(m_http.rejected(QStringLiteral("it is not a JWT")));
        return;
    }
    const KeySet::State keys = m_keys.state();
    const auto key = keys.keys.constFind(header->kid);
    if (key == keys.keys.constEnd()) {
        // Providers rotate keys: an unknown kid may be new. Refetch, but not on every request.
        if (mayRefetch && nowSecs() - keys.fetchedAt >= minRefetchSecs) {
            withKeys(jwksUrl, true,
                     [this, idToken, jwksUrl, options, done = std::move(done)](Status status) {
                         if (!status)
                             done(status.error());
                         else
                             check(idToken, jwksUrl, options, false, done);
                     });
            return;
        }
        done(m_http.rejected(QStringLiteral("it was signed by an unknown key")));
        return;
    }
    jwt::VerifyOptions checked = options;
    checked.now = nowSecs();
    checked.leewaySeconds = clockSkewSecs;
    const Result<QJsonObject> claims = jwt::verify(token, *key, checked);
    if (!claims) {
        done(m_http.rejected(claims.error().message));
        return;
    }
    done(*claims);
}

} // namespace latchkey
