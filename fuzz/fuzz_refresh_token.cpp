// Refresh-token parsing: arbitrary strings, and real tokens with a change the input chooses
// (a byte replaced, bytes added or cut). A token is accepted only when it is exactly the
// canonical encoding of the claims it names, so no two spellings of one token exist.
// Input: 1 byte mode; mode 0: the rest is the token; else 8 bytes session id, 8 bytes
// counter, 1 byte position, then the bytes that replace / extend the real token there.
#include "auth/tokenissuer.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace latchkey;
    static const TokenIssuer issuer = [] {
        Config::Security security;
        security.jwtSecret = QByteArray("a-fuzz-secret-that-is-long-enough-for-hs256!!");
        return TokenIssuer(security);
    }();
    FuzzedDataProvider in(data, size);
    QByteArray token;
    if (in.ConsumeIntegral<uint8_t>() % 4 == 0) {
        token = QByteArray::fromStdString(in.ConsumeRemainingBytesAsString());
    } else {
        const auto sessionId = in.ConsumeIntegral<qint64>();
        const auto counter = in.ConsumeIntegral<qint64>();
        token = issuer.refreshToken(sessionId, counter);
        const qsizetype at = in.ConsumeIntegralInRange<qsizetype>(0, token.size());
        const QByteArray change = QByteArray::fromStdString(in.ConsumeRemainingBytesAsString());
        token = token.left(at) + change + token.mid(at + change.size() / 2);
    }
    const Result<RefreshClaims> claims = issuer.verifyRefreshToken(token);
    if (claims && issuer.refreshToken(claims->sessionId, claims->counter) != token) {
        std::fprintf(stderr, "accepted a non-canonical refresh token: %s\n", token.constData());
        std::abort();
    }
    return 0;
}
