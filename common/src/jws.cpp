// JWS compact tokens signed and verified with OpenSSL; the key, never the token, decides the
// algorithm, so a token cannot talk a verifier into "none" or into HMAC with a public key.
#include <latchkey/jws.h>

#include "jwt_p.h"
#include "openssl_p.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

#include <QJsonDocument>
#include <QJsonValue>

#include <cstring>

#include <openssl/err.h>

#include <optional>

namespace latchkey::jwt {

namespace {

using namespace latchkey::openssl;
using KeyData = KeyAccess::Data;

// Far above any ID token a provider issues; keeps a hostile client from making us decode and
// parse megabytes before the signature check.
constexpr qsizetype maxTokenSize = 16 * 1024;

void hmacSign(const KeyData &key, QByteArrayView input, unsigned char (&out)[hmacSize])
{
    MacCtxPtr ctx(EVP_MAC_CTX_dup(key.hmac.get()));
    size_t length = 0;
    if (!ctx || EVP_MAC_update(ctx.get(), bytes(input), size_t(input.size())) != 1 ||
        EVP_MAC_final(ctx.get(), out, &length, sizeof out) != 1 || length != sizeof out) {
        failed("HMAC-SHA256");
    }
}

// ES256 signatures are R || S, 32 bytes each (RFC 7518 §3.4); OpenSSL speaks DER.
QByteArray ecdsaRawToDer(QByteArrayView raw)
{
    if (raw.size() != 2 * p256CoordinateSize)
        return {};
    EcdsaSigPtr sig(ECDSA_SIG_new());
    BIGNUM *r = BN_bin2bn(bytes(raw), p256CoordinateSize, nullptr);
    BIGNUM *s = BN_bin2bn(bytes(raw) + p256CoordinateSize, p256CoordinateSize, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        failed("ECDSA_SIG");
    }
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0)
        failed("i2d_ECDSA_SIG");
    QByteArray der(length, Qt::Uninitialized);
    auto *p = reinterpret_cast<unsigned char *>(der.data());
    i2d_ECDSA_SIG(sig.get(), &p);
    return der;
}

// An ECDSA signature (r, s) is just as valid as (r, n - s): to give each signature one
// spelling, only the low half of s is produced, and accepted with our own (private) keys
// (as Bitcoin's BIP 62 does).
// Big-endian, so a byte-wise comparison is the numeric one.
constexpr unsigned char p256Order[p256CoordinateSize] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};
constexpr unsigned char p256HalfOrder[p256CoordinateSize] = {
    0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xDE, 0x73, 0x7D, 0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8};

bool isHighS(const unsigned char *s)
{
    return std::memcmp(s, p256HalfOrder, p256CoordinateSize) > 0;
}

//! s = n - s, in place.
void negateS(unsigned char *s)
{
    int borrow = 0;
    for (int i = p256CoordinateSize - 1; i >= 0; --i) {
        const int difference = int(p256Order[i]) - int(s[i]) - borrow;
        borrow = difference < 0 ? 1 : 0;
        s[i] = static_cast<unsigned char>(difference + 256 * borrow);
    }
}

QByteArray ecdsaDerToRaw(QByteArrayView der)
{
    const unsigned char *p = bytes(der);
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, long(der.size())));
    if (!sig)
        failed("d2i_ECDSA_SIG");
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    QByteArray raw(2 * p256CoordinateSize, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(r, out, p256CoordinateSize) != p256CoordinateSize ||
        BN_bn2binpad(s, out + p256CoordinateSize, p256CoordinateSize) != p256CoordinateSize) {
        failed("BN_bn2binpad");
    }
    if (isHighS(out + p256CoordinateSize))
        negateS(out + p256CoordinateSize);
    return raw;
}

QByteArray digestSign(EVP_PKEY *pkey, QByteArrayView input)
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, pkey, nullptr) != 1) {
        failed("EVP_DigestSignInit_ex");
    }
    size_t length = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &length, bytes(input), size_t(input.size())) != 1)
        failed("EVP_DigestSign");
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       bytes(input), size_t(input.size())) != 1) {
        failed("EVP_DigestSign");
    }
    signature.truncate(qsizetype(length)); // ECDSA's DER is often shorter than its maximum
    return signature;
}

bool digestVerify(EVP_PKEY *pkey, QByteArrayView input, QByteArrayView signature)
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, pkey,
                                        nullptr) != 1) {
        failed("EVP_DigestVerifyInit_ex");
    }
    const int rc = EVP_DigestVerify(ctx.get(), bytes(signature), size_t(signature.size()),
                                    bytes(input), size_t(input.size()));
    ERR_clear_error(); // a bad signature queues errors nobody will read
    return rc == 1;
}

QByteArray signatureFor(const KeyData &key, QByteArrayView input)
{
    switch (key.alg) {
    case Algorithm::HS256: {
        unsigned char mac[hmacSize];
        hmacSign(key, input, mac);
        return QByteArray(reinterpret_cast<const char *>(mac), hmacSize);
    }
    case Algorithm::RS256:
        return digestSign(key.pkey.get(), input);
    case Algorithm::ES256:
        return ecdsaDerToRaw(digestSign(key.pkey.get(), input));
    }
    return {};
}

bool signatureMatches(const KeyData &key, QByteArrayView input, QByteArrayView signature)
{
    switch (key.alg) {
    case Algorithm::HS256: {
        unsigned char mac[hmacSize];
        hmacSign(key, input, mac);
        return crypto::constantTimeEquals(
            QByteArrayView(reinterpret_cast<const char *>(mac), hmacSize), signature);
    }
    case Algorithm::RS256:
        if (signature.size() != EVP_PKEY_get_size(key.pkey.get()))
            return false;
        return digestVerify(key.pkey.get(), input, signature);
    case Algorithm::ES256: {
        if (signature.size() != 2 * p256CoordinateSize)
            return false;
        // Our own tokens have one spelling; a provider's signer may not normalise S.
        if (key.hasPrivateKey &&
            isHighS(reinterpret_cast<const unsigned char *>(signature.data()) + p256CoordinateSize))
            return false;
        const QByteArray der = ecdsaRawToDer(signature);
        return !der.isEmpty() && digestVerify(key.pkey.get(), input, der);
    }
    }
    return false;
}

struct Parts
{
    QByteArrayView header;
    QByteArrayView payload;
    QByteArrayView signature;
    QByteArrayView signingInput; // header '.' payload, what the signature covers
};

Result<Parts> split(QByteArrayView token)
{
    if (token.size() > maxTokenSize)
        return invalidToken(QStringLiteral("token too large"));
    const qsizetype first = token.indexOf('.');
    const qsizetype second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0)
        return invalidToken(QStringLiteral("malformed token: expected three parts"));
    return Parts{token.first(first), token.sliced(first + 1, second - first - 1),
                 token.sliced(second + 1), token.first(second)};
}

std::optional<QJsonObject> decodeObject(QByteArrayView segment)
{
    const Result<QByteArray> json = base64url::decode(segment);
    if (!json)
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(*json);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

Result<QJsonObject> decodeHeader(QByteArrayView segment)
{
    std::optional<QJsonObject> header = decodeObject(segment);
    if (!header)
        return invalidToken(QStringLiteral("malformed header"));
    if (!header->value(u"alg").isString())
        return invalidToken(QStringLiteral("header has no alg"));
    return std::move(*header);
}

// The header's alg is the attacker's text: echo it only when it looks like an algorithm name.
QString describeAlgorithm(const QString &alg)
{
    if (alg.isEmpty() || alg.size() > 10)
        return QStringLiteral("algorithm not accepted");
    for (const QChar c : alg) {
        if (!(c.isDigit() || (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')))
            return QStringLiteral("algorithm not accepted");
    }
    return QStringLiteral("algorithm %1 not accepted").arg(alg);
}

} // namespace

Result<Header> peekHeader(QByteArrayView token)
{
    const Result<Parts> parts = split(token);
    if (!parts)
        return parts.error();
    const Result<QJsonObject> header = decodeHeader(parts->header);
    if (!header)
        return header.error();
    const QJsonValue kid = header->value(u"kid");
    const QJsonValue typ = header->value(u"typ");
    if ((!kid.isUndefined() && !kid.isString()) || (!typ.isUndefined() && !typ.isString()))
        return invalidToken(QStringLiteral("malformed header"));
    return Header{header->value(u"alg").toString(), kid.toString(), typ.toString()};
}

QByteArray sign(const QJsonObject &claims, const Key &key)
{
    const KeyData *k = KeyAccess::data(key);
    if (!k || !k->hasPrivateKey)
        return {};
    const QByteArray payload =
        base64url::encode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    QByteArray token;
    // Room for the largest signature (RSA-2048: 342 characters) so appending never reallocates.
    token.reserve(k->encodedHeader.size() + payload.size() + 2 + 344);
    token.append(k->encodedHeader).append('.').append(payload);
    const QByteArray signature = signatureFor(*k, token);
    token.append('.').append(base64url::encode(signature));
    return token;
}

Result<QJsonObject> verifySignature(QByteArrayView token, const Key &key)
{
    const KeyData *k = KeyAccess::data(key);
    if (!k)
        return invalidToken(QStringLiteral("no key to verify with"));

    const Result<Parts> parts = split(token);
    if (!parts)
        return parts.error();

    const Result<QJsonObject> header = decodeHeader(parts->header);
    if (!header)
        return header.error();
    const QString alg = header->value(u"alg").toString();
    // Pinned to the key: "none", or HS256 against an RSA public key, never gets this far.
    if (alg != algorithmName(k->alg))
        return invalidToken(describeAlgorithm(alg));
    // RFC 7515 §4.1.11: extensions we do not implement must make the token fail.
    if (header->contains(u"crit"))
        return invalidToken(QStringLiteral("unsupported critical header"));

    const Result<QByteArray> signature = base64url::decode(parts->signature);
    if (!signature)
        return invalidToken(QStringLiteral("malformed signature"));
    if (!signatureMatches(*k, parts->signingInput, *signature))
        return invalidToken(QStringLiteral("signature does not match"));

    std::optional<QJsonObject> claims = decodeObject(parts->payload);
    if (!claims)
        return invalidToken(QStringLiteral("payload is not a JSON object"));
    return std::move(*claims);
}

} // namespace latchkey::jwt
