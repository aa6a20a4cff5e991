// JWT verification: Latchkey's access tokens (HS256, TokenIssuer) and providers' ID tokens
// against a fixed JWKS (one RS256 and one ES256 key), and JWK parsing itself. A token that
// verifies must have been signed with the key: the harness checks that none does unless its
// signature is the one the key makes.
// Input: 1 byte mode (0 access token, 1 RS256, 2 ES256, 3 a JWK as JSON), then the bytes.
#include "auth/tokenissuer.h"

#include <latchkey/jwt.h>

#include <QJsonDocument>

#include <cstdio>
#include <cstdlib>

namespace {

using namespace latchkey;

//! Generated once per run; tokens of the seed corpus fail with them (a signature the fuzzer
//! cannot guess), which is what an attacker's token does.
const jwt::Key &idKey(jwt::Algorithm alg)
{
    static const jwt::Key rsa = jwt::Key::generate(jwt::Algorithm::RS256);
    static const jwt::Key ec = jwt::Key::generate(jwt::Algorithm::ES256);
    return alg == jwt::Algorithm::RS256 ? rsa : ec;
}

[[noreturn]] void forged(QByteArrayView token)
{
    std::fprintf(stderr, "a token the fuzzer made verified: %.*s\n", int(token.size()),
                 token.data());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const TokenIssuer issuer = [] {
        Config::Security security;
        security.jwtSecret = QByteArray("a-fuzz-secret-that-is-long-enough-for-hs256!!");
        return TokenIssuer(security);
    }();
    if (size == 0)
        return 0;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 4) {
    case 0:
        if (issuer.verifyAccessToken(bytes, 1800000000))
            forged(bytes);
        break;
    case 1:
    case 2: {
        const jwt::Algorithm alg = data[0] % 4 == 1 ? jwt::Algorithm::RS256 : jwt::Algorithm::ES256;
        (void)jwt::peekHeader(bytes);
        const jwt::VerifyOptions options{1800000000,
                                         60,
                                         {QStringLiteral("https://issuer.test")},
                                         {QStringLiteral("fuzz-client")},
                                         {}};
        if (jwt::verify(bytes, idKey(alg), options))
            forged(bytes);
        break;
    }
    default: {
        const QJsonObject jwk = QJsonDocument::fromJson(bytes.toByteArray()).object();
        if (const Result<jwt::Key> key = jwt::Key::fromJwk(jwk))
            (void)key->publicJwk();
        break;
    }
    }
    return 0;
}
