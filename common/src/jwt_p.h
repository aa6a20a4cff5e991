// What jwk.cpp, jws.cpp and jwtclaims.cpp share and nobody else sees: the data behind
// jwt::Key, the sizes RFC 7518 fixes, the InvalidToken error. Private to common/.
#pragma once

#include <latchkey/error.h>
#include <latchkey/jwk.h>

#include <QByteArray>
#include <QString>

#include <openssl/types.h>

#include <memory>

namespace latchkey::jwt {

constexpr int hmacSize = 32;           // HS256: the SHA-256 output
constexpr int p256CoordinateSize = 32; // ES256: each of x, y, R and S

struct Key::Private
{
    Algorithm alg = Algorithm::HS256;
    bool hasPrivateKey = false;
    // HS256: the MAC keyed once; every signature works on a copy of it, so a request pays
    // neither the algorithm fetch nor the key schedule. Only read after construction.
    std::shared_ptr<EVP_MAC_CTX> hmac;
    std::shared_ptr<EVP_PKEY> pkey; // RS256 / ES256
    QString kid;
    QByteArray encodedHeader; // what sign() puts in front of every token
};

// The one place outside Key that sees Private; sign() and verifySignature() go through it.
struct KeyAccess
{
    using Data = Key::Private;
    static const Data *data(const Key &key) { return key.d.get(); }
};

inline Error invalidToken(const QString &message)
{
    return Error{ErrorCode::InvalidToken, message};
}

} // namespace latchkey::jwt
