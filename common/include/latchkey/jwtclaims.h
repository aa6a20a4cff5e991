// The registered JWT claims (RFC 7519 §4.1) a verified token must satisfy: times against an
// injected clock, issuer, audience, and our "typ".
#pragma once

#include <latchkey/error.h>

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace latchkey::jwt {

struct VerifyOptions
{
    qint64 now = 0;           //!< seconds since the epoch (injected clock)
    qint64 leewaySeconds = 0; //!< clock skew allowed on exp / nbf / iat
    QStringList issuers;      //!< "iss" must equal one of these (empty: not checked)
    QStringList audiences; //!< "aud" (string or array) must hold one of these (empty: not checked)
    QString type;          //!< the "typ" claim must equal this (empty: not checked)
};

//! exp (required), nbf, iat, then iss, aud, typ as \a options ask. Every failure is
//! ErrorCode::InvalidToken with a message naming the claim.
Status checkClaims(const QJsonObject &claims, const VerifyOptions &options);

} // namespace latchkey::jwt
