// A JWT verified in the one safe order: the signature first, then the claims it vouches for.
#include <latchkey/jwt.h>

namespace latchkey::jwt {

Result<QJsonObject> verify(QByteArrayView token, const Key &key, const VerifyOptions &options)
{
    Result<QJsonObject> claims = verifySignature(token, key);
    if (!claims)
        return claims;
    if (const Status checked = checkClaims(*claims, options); !checked)
        return checked.error();
    return claims;
}

} // namespace latchkey::jwt
