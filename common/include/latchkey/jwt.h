// JSON Web Tokens (RFC 7519): HS256 for Latchkey's own access tokens, RS256/ES256 for
// identity providers' ID tokens, verified against their JWKS. The entry point: keys (jwk.h),
// signing (jws.h) and the claim checks (jwtclaims.h) come with it.
#pragma once

#include <latchkey/error.h>
#include <latchkey/jwk.h>
#include <latchkey/jws.h>
#include <latchkey/jwtclaims.h>

#include <QByteArrayView>
#include <QJsonObject>

namespace latchkey::jwt {

//! Verifies signature with the algorithm pinned to key.algorithm() (the header's alg must
//! match it exactly; "none" never passes), then exp (required), nbf, iss, aud, typ.
//! Every failure is ErrorCode::InvalidToken with a message naming what failed.
Result<QJsonObject> verify(QByteArrayView token, const Key &key, const VerifyOptions &options);

} // namespace latchkey::jwt
