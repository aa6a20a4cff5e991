// Signing and checking access and refresh tokens.
#include "tokenissuer.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

#include <QtEndian>

namespace latchkey {

namespace {
constexpr char refreshVersion = 1;
constexpr int refreshPayloadSize = 1 + 8 + 8; // version, session id, counter
constexpr int macSize = 32;
} // namespace

TokenIssuer::TokenIssuer(const Config::Security &security)
    : m_accessKey(jwt::Key::hmac(security.jwtSecret)),
      // A separate key for refresh tokens, so neither token kind can stand in for the other.
      m_refreshSecret(crypto::hmacSha256(security.jwtSecret, "latchkey/refresh-token/v1")),
      m_issuer(security.issuer), m_audience(security.audience),
      m_accessLifetime(security.accessTokenExpiryMinutes * 60),
      m_refreshLifetime(qint64(security.refreshTokenExpiryDays) * 86400)
{
}

QByteArray TokenIssuer::accessToken(qint64 userId, qint64 sessionId, qint64 nowSecs) const
{
    const QJsonObject claims{
        {QStringLiteral("iss"), m_issuer},
        {QStringLiteral("aud"), m_audience},
        {QStringLiteral("sub"), QString::number(userId)},
        {QStringLiteral("user_id"), userId},
        {QStringLiteral("sid"), QString::number(sessionId)},
        {QStringLiteral("iat"), nowSecs},
        {QStringLiteral("exp"), nowSecs + m_accessLifetime},
        {QStringLiteral("typ"), QStringLiteral("access")},
    };
    return jwt::sign(claims, m_accessKey);
}

Result<AccessClaims> TokenIssuer::verifyAccessToken(QByteArrayView token, qint64 nowSecs) const
{
    jwt::VerifyOptions options;
    options.now = nowSecs;
    options.issuers = {m_issuer};
    options.audiences = {m_audience};
    options.type = QStringLiteral("access");
    const Result<QJsonObject> claims = jwt::verify(token, m_accessKey, options);
    if (!claims)
        return claims.error();
    bool userOk = false;
    bool sessionOk = false;
    const AccessClaims result{
        claims->value(QLatin1StringView("sub")).toString().toLongLong(&userOk),
        claims->value(QLatin1StringView("sid")).toString().toLongLong(&sessionOk)};
    if (!userOk || !sessionOk)
        return Error{ErrorCode::InvalidToken, QStringLiteral("access token lacks sub or sid")};
    return result;
}

QByteArray TokenIssuer::refreshPayload(qint64 sessionId, qint64 counter) const
{
    QByteArray payload(refreshPayloadSize, Qt::Uninitialized);
    payload[0] = refreshVersion;
    qToBigEndian<qint64>(sessionId, payload.data() + 1);
    qToBigEndian<qint64>(counter, payload.data() + 9);
    return payload;
}

QByteArray TokenIssuer::refreshMac(qint64 sessionId, QByteArrayView payload) const
{
    char id[8];
    qToBigEndian<qint64>(sessionId, id);
    const QByteArray sessionKey = crypto::hmacSha256(m_refreshSecret, QByteArrayView(id, 8));
    return crypto::hmacSha256(sessionKey, payload);
}

QByteArray TokenIssuer::refreshToken(qint64 sessionId, qint64 counter) const
{
    const QByteArray payload = refreshPayload(sessionId, counter);
    return base64url::encode(payload + refreshMac(sessionId, payload));
}

Result<RefreshClaims> TokenIssuer::verifyRefreshToken(QByteArrayView token) const
{
    const Error invalid = invalidRefreshToken();
    if (token.size() > 128)
        return invalid;
    const Result<QByteArray> raw = base64url::decode(token);
    if (!raw || raw->size() != refreshPayloadSize + macSize || raw->at(0) != refreshVersion)
        return invalid;
    const RefreshClaims claims{qFromBigEndian<qint64>(raw->constData() + 1),
                               qFromBigEndian<qint64>(raw->constData() + 9)};
    const QByteArrayView payload(raw->constData(), refreshPayloadSize);
    const QByteArrayView mac(raw->constData() + refreshPayloadSize, macSize);
    if (!crypto::constantTimeEquals(mac, refreshMac(claims.sessionId, payload)))
        return invalid;
    return claims;
}

Error invalidRefreshToken()
{
    return {ErrorCode::InvalidRefreshToken,
            QStringLiteral("the refresh token is invalid or expired")};
}

} // namespace latchkey
