// One-time codes under a mutex, ES256 ID tokens, and their local verification for /api/login.
#include "devidentityprovider.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

#include <QJsonArray>
#include <QMutexLocker>

namespace latchkey {

namespace {
constexpr qint64 clockSkewSecs = 60;

jwt::Key signingKey()
{
    jwt::Key key = jwt::Key::generate(jwt::Algorithm::ES256);
    key.setKeyId(QString::fromLatin1(base64url::encode(crypto::randomBytes(12))));
    return key;
}

Error rejected(const QString &why)
{
    return Error{ErrorCode::InvalidProviderToken,
                 QStringLiteral("development token rejected: %1").arg(why)};
}
} // namespace

DevIdentityProvider::DevIdentityProvider(const Config::Dev &config, const QString &host,
                                         Clock clock)
    : m_config(config),
      m_host(host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host),
      m_clock(std::move(clock)), m_key(signingKey())
{
}

QString DevIdentityProvider::issuer() const
{
    return QStringLiteral("http://%1:%2/dev-idp").arg(m_host).arg(m_port.load());
}

QJsonObject DevIdentityProvider::discovery() const
{
    const QString base = issuer();
    return {
        {QStringLiteral("issuer"), base},
        {QStringLiteral("authorization_endpoint"), base + QStringLiteral("/authorize")},
        {QStringLiteral("token_endpoint"), base + QStringLiteral("/token")},
        {QStringLiteral("jwks_uri"), base + QStringLiteral("/jwks")},
        {QStringLiteral("response_types_supported"), QJsonArray{QStringLiteral("code")}},
        {QStringLiteral("code_challenge_methods_supported"), QJsonArray{QStringLiteral("S256")}},
        {QStringLiteral("id_token_signing_alg_values_supported"),
         QJsonArray{QString(jwt::algorithmName(m_key.algorithm()))}},
        {QStringLiteral("subject_types_supported"), QJsonArray{QStringLiteral("public")}},
        {QStringLiteral("scopes_supported"),
         QJsonArray{QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("profile")}},
        {QStringLiteral("grant_types_supported"), QJsonArray{QStringLiteral("authorization_code")}},
        {QStringLiteral("token_endpoint_auth_methods_supported"),
         QJsonArray{QStringLiteral("none")}},
        {QStringLiteral("claims_supported"),
         QJsonArray{QStringLiteral("iss"), QStringLiteral("aud"), QStringLiteral("sub"),
                    QStringLiteral("email"), QStringLiteral("email_verified"),
                    QStringLiteral("name"), QStringLiteral("nonce"), QStringLiteral("iat"),
                    QStringLiteral("exp")}},
    };
}

QJsonObject DevIdentityProvider::jwks() const
{
    return {{QStringLiteral("keys"), QJsonArray{m_key.publicJwk()}}};
}

Result<QByteArray> DevIdentityProvider::issueCode(Grant grant)
{
    const qint64 now = nowMs();
    grant.expiresAtMs = now + codeLifetimeMs;
    const QByteArray code = base64url::encode(crypto::randomBytes(32));
    QMutexLocker lock(&m_mutex);
    if (m_codes.size() >= maxPendingCodes) {
        m_codes.removeIf(
            [now](const QHash<QByteArray, Grant>::iterator it) { return it->expiresAtMs <= now; });
        if (m_codes.size() >= maxPendingCodes)
            return Error{ErrorCode::RateLimited,
                         QStringLiteral("too many unused authorization codes")};
    }
    m_codes.insert(code, std::move(grant));
    return code;
}

Result<QJsonObject, DevIdentityProvider::TokenError>
DevIdentityProvider::redeem(const QString &code, const QString &clientId,
                            const QString &redirectUri, const QString &codeVerifier)
{
    const qint64 now = nowMs();
    std::optional<Grant> grant;
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_codes.constFind(code.toLatin1());
        if (it != m_codes.cend()) {
            grant = *it;
            m_codes.erase(it); // single use, whatever follows
        }
    }
    const auto invalidGrant = [](const QString &why) {
        return TokenError{QLatin1StringView("invalid_grant"), why};
    };
    if (!grant || grant->expiresAtMs <= now)
        return invalidGrant(QStringLiteral("the code is unknown, used or expired"));
    if (clientId != grant->clientId)
        return invalidGrant(QStringLiteral("the code was issued to another client_id"));
    if (redirectUri != grant->redirectUri)
        return invalidGrant(
            QStringLiteral("redirect_uri differs from the authorization request's"));
    // RFC 7636 §4.1: 43..128 unreserved characters.
    const QByteArray verifier = codeVerifier.toUtf8();
    const QByteArray challenge = base64url::encode(crypto::sha256(verifier));
    if (verifier.size() < 43 || verifier.size() > 128 ||
        !crypto::constantTimeEquals(challenge, grant->codeChallenge.toLatin1()))
        return invalidGrant(QStringLiteral("code_verifier does not match the code_challenge"));

    const qint64 nowSecs = now / 1000;
    QJsonObject claims{
        {QStringLiteral("iss"), issuer()},
        {QStringLiteral("aud"), grant->clientId},
        {QStringLiteral("sub"), subjectFor(grant->email)},
        {QStringLiteral("email"), grant->email},
        {QStringLiteral("email_verified"), true},
        {QStringLiteral("name"), grant->name},
        {QStringLiteral("iat"), nowSecs},
        {QStringLiteral("exp"), nowSecs + idTokenLifetimeSecs},
    };
    if (!grant->nonce.isEmpty())
        claims.insert(QStringLiteral("nonce"), grant->nonce);
    return QJsonObject{
        {QStringLiteral("access_token"),
         QString::fromLatin1(base64url::encode(crypto::randomBytes(32)))},
        {QStringLiteral("token_type"), QStringLiteral("Bearer")},
        {QStringLiteral("expires_in"), 3600},
        {QStringLiteral("scope"), QStringLiteral("openid email profile")},
        {QStringLiteral("id_token"), QString::fromLatin1(jwt::sign(claims, m_key))},
    };
}

Result<ExternalIdentity> DevIdentityProvider::verifyIdToken(const QString &idToken) const
{
    if (idToken.isEmpty() || idToken.size() > 4096)
        return rejected(QStringLiteral("it is not a well-formed token"));
    jwt::VerifyOptions options;
    options.now = nowMs() / 1000;
    options.leewaySeconds = clockSkewSecs;
    options.issuers = {issuer()};
    options.audiences = m_config.clientIds;
    const Result<QJsonObject> claims = jwt::verify(idToken.toUtf8(), m_key, options);
    if (!claims)
        return rejected(claims.error().message);
    ExternalIdentity identity;
    identity.provider = QStringLiteral("dev");
    identity.subject = claims->value(QLatin1StringView("sub")).toString();
    identity.email = claims->value(QLatin1StringView("email")).toString();
    identity.name = claims->value(QLatin1StringView("name")).toString();
    if (identity.subject.isEmpty() || identity.email.isEmpty())
        return rejected(QStringLiteral("it names no subject or e-mail address"));
    return identity;
}

QString DevIdentityProvider::subjectFor(const QString &email)
{
    const QByteArray digest = crypto::sha256(email.trimmed().toLower().toUtf8());
    return QStringLiteral("dev-") + QString::fromLatin1(base64url::encode(digest).left(22));
}

} // namespace latchkey
