// JWS compact serialisation (RFC 7515) of a JSON payload: signing, reading the header,
// checking the signature. The claims inside are jwtclaims.h's business.
#pragma once

#include <latchkey/error.h>
#include <latchkey/jwk.h>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

namespace latchkey::jwt {

//! Header fields of a token, read without verifying anything (to pick a key by kid).
struct Header
{
    QString alg;
    QString kid;
    QString typ;
};
Result<Header> peekHeader(QByteArrayView token);

//! Compact JWS of \a claims signed with \a key (must hold a private key or HMAC secret);
//! the header carries alg, typ "JWT" and the key's kid when it has one. Empty if \a key
//! cannot sign (null, or a public key only).
QByteArray sign(const QJsonObject &claims, const Key &key);

//! The payload of \a token once its signature matches \a key, with the algorithm pinned to
//! key.algorithm() (the header's alg must match it exactly; "none" never passes) and no
//! "crit" header accepted. The claims are not looked at: jwt::verify() does both.
//! Every failure is ErrorCode::InvalidToken with a message naming what failed.
Result<QJsonObject> verifySignature(QByteArrayView token, const Key &key);

} // namespace latchkey::jwt
