// Registered-claim checks on a token whose signature already matched: nothing here trusts
// the claims' types, and nothing may overflow on hostile numbers.
#include <latchkey/jwtclaims.h>

#include "jwt_p.h"

#include <QJsonArray>
#include <QJsonValue>

#include <cmath>
#include <optional>

namespace latchkey::jwt {

namespace {

std::optional<double> numericDate(const QJsonValue &value)
{
    if (!value.isDouble() || !std::isfinite(value.toDouble()))
        return std::nullopt;
    return value.toDouble();
}

// exp (required), nbf and iat against the injected clock, each with the leeway.
Status checkTimes(const QJsonObject &claims, const VerifyOptions &options)
{
    // Doubles: NumericDate may be fractional, and nothing here may overflow on hostile input.
    const double now = double(options.now);
    const double leeway = double(options.leewaySeconds);

    const QJsonValue expValue = claims.value(u"exp");
    if (expValue.isUndefined())
        return invalidToken(QStringLiteral("missing exp"));
    const std::optional<double> exp = numericDate(expValue);
    if (!exp)
        return invalidToken(QStringLiteral("exp is not a number"));
    if (now > *exp + leeway)
        return invalidToken(QStringLiteral("token expired"));

    const QJsonValue nbfValue = claims.value(u"nbf");
    if (!nbfValue.isUndefined()) {
        const std::optional<double> nbf = numericDate(nbfValue);
        if (!nbf)
            return invalidToken(QStringLiteral("nbf is not a number"));
        if (now + leeway < *nbf)
            return invalidToken(QStringLiteral("token not valid yet"));
    }

    const QJsonValue iatValue = claims.value(u"iat");
    if (!iatValue.isUndefined()) {
        const std::optional<double> iat = numericDate(iatValue);
        if (!iat)
            return invalidToken(QStringLiteral("iat is not a number"));
        if (*iat > now + leeway)
            return invalidToken(QStringLiteral("token issued in the future"));
    }
    return Done{};
}

// "aud" is a string or an array of strings (RFC 7519 §4.1.3); one match is enough.
bool audienceMatches(const QJsonValue &aud, const QStringList &accepted)
{
    if (aud.isString())
        return accepted.contains(aud.toString());
    if (!aud.isArray())
        return false;
    const QJsonArray audiences = aud.toArray();
    for (const QJsonValue &entry : audiences) {
        if (entry.isString() && accepted.contains(entry.toString()))
            return true;
    }
    return false;
}

} // namespace

Status checkClaims(const QJsonObject &claims, const VerifyOptions &options)
{
    if (const Status times = checkTimes(claims, options); !times)
        return times;

    if (!options.issuers.isEmpty()) {
        const QJsonValue iss = claims.value(u"iss");
        if (!iss.isString() || !options.issuers.contains(iss.toString()))
            return invalidToken(QStringLiteral("wrong issuer"));
    }

    if (!options.audiences.isEmpty() && !audienceMatches(claims.value(u"aud"), options.audiences))
        return invalidToken(QStringLiteral("wrong audience"));

    if (!options.type.isEmpty()) {
        const QJsonValue typ = claims.value(u"typ");
        if (!typ.isString() || typ.toString() != options.type)
            return invalidToken(QStringLiteral("wrong token type"));
    }
    return Done{};
}

} // namespace latchkey::jwt
