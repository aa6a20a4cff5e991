// JWS compact tokens signed and verified with OpenSSL; the key, never the token, decides the
// algorithm, so a token cannot talk a verifier into "none" or into HMAC with a public key.
#include <latchkey/jwt.h>

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <cmath>
#include <optional>

namespace latchkey::jwt {

namespace {

// Far above any ID token a provider issues; keeps a hostile client from making us decode and
// parse megabytes before the signature check.
constexpr qsizetype maxTokenSize = 16 * 1024;
constexpr int hmacSize = 32;
constexpr int p256CoordinateSize = 32;
constexpr int minRsaBits = 2048;

template <auto Free> struct Deleter
{
    template <typename T> void operator()(T *p) const { Free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using MacPtr = std::unique_ptr<EVP_MAC, Deleter<EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;

// For calls that fail only when OpenSSL itself is broken or out of memory: carrying on would
// hand out unsigned or unverifiable tokens.
[[noreturn]] void opensslFailed(const char *what)
{
    qFatal("OpenSSL failed: %s", what);
}

const unsigned char *bytes(QByteArrayView data)
{
    return reinterpret_cast<const unsigned char *>(data.data());
}

QByteArray encodeHeader(Algorithm alg, const QString &kid)
{
    QJsonObject header{{QStringLiteral("alg"), QString(algorithmName(alg))},
                       {QStringLiteral("typ"), QStringLiteral("JWT")}};
    if (!kid.isEmpty())
        header.insert(QStringLiteral("kid"), kid);
    return base64url::encode(QJsonDocument(header).toJson(QJsonDocument::Compact));
}

} // namespace

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

// The one place outside Key that sees Private; sign() and verify() go through it.
struct KeyAccess
{
    using Data = Key::Private;
    static const Data *data(const Key &key) { return key.d.get(); }
};

namespace {

using KeyData = KeyAccess::Data;

Error invalid(const QString &message)
{
    return Error{ErrorCode::InvalidToken, message};
}

Error invalidJwk(const QString &message)
{
    ERR_clear_error(); // leave nothing behind in this thread's OpenSSL error queue
    return Error{ErrorCode::InvalidField, QStringLiteral("JWK: ") + message};
}

void hmacSign(const KeyData &key, QByteArrayView input, unsigned char (&out)[hmacSize])
{
    MacCtxPtr ctx(EVP_MAC_CTX_dup(key.hmac.get()));
    size_t length = 0;
    if (!ctx || EVP_MAC_update(ctx.get(), bytes(input), size_t(input.size())) != 1 ||
        EVP_MAC_final(ctx.get(), out, &length, sizeof out) != 1 || length != sizeof out) {
        opensslFailed("HMAC-SHA256");
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
        opensslFailed("ECDSA_SIG");
    }
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0)
        opensslFailed("i2d_ECDSA_SIG");
    QByteArray der(length, Qt::Uninitialized);
    auto *p = reinterpret_cast<unsigned char *>(der.data());
    i2d_ECDSA_SIG(sig.get(), &p);
    return der;
}

QByteArray ecdsaDerToRaw(QByteArrayView der)
{
    const unsigned char *p = bytes(der);
    EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, long(der.size())));
    if (!sig)
        opensslFailed("d2i_ECDSA_SIG");
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    QByteArray raw(2 * p256CoordinateSize, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(r, out, p256CoordinateSize) != p256CoordinateSize ||
        BN_bn2binpad(s, out + p256CoordinateSize, p256CoordinateSize) != p256CoordinateSize) {
        opensslFailed("BN_bn2binpad");
    }
    return raw;
}

QByteArray digestSign(EVP_PKEY *pkey, QByteArrayView input)
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx ||
        EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, pkey, nullptr) != 1) {
        opensslFailed("EVP_DigestSignInit_ex");
    }
    size_t length = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &length, bytes(input), size_t(input.size())) != 1)
        opensslFailed("EVP_DigestSign");
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       bytes(input), size_t(input.size())) != 1) {
        opensslFailed("EVP_DigestSign");
    }
    signature.truncate(qsizetype(length)); // ECDSA's DER is often shorter than its maximum
    return signature;
}

bool digestVerify(EVP_PKEY *pkey, QByteArrayView input, QByteArrayView signature)
{
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, pkey,
                                        nullptr) != 1) {
        opensslFailed("EVP_DigestVerifyInit_ex");
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
        return invalid(QStringLiteral("token too large"));
    const qsizetype first = token.indexOf('.');
    const qsizetype second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0 || token.indexOf('.', second + 1) >= 0)
        return invalid(QStringLiteral("malformed token: expected three parts"));
    return Parts{token.first(first), token.sliced(first + 1, second - first - 1),
                 token.sliced(second + 1), token.first(second)};
}

std::optional<QJsonObject> decodeObject(QByteArrayView segment)
{
    const std::optional<QByteArray> json = base64url::decode(segment);
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
        return invalid(QStringLiteral("malformed header"));
    if (!header->value(u"alg").isString())
        return invalid(QStringLiteral("header has no alg"));
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

std::optional<double> numericDate(const QJsonValue &value)
{
    if (!value.isDouble() || !std::isfinite(value.toDouble()))
        return std::nullopt;
    return value.toDouble();
}

std::optional<Error> checkClaims(const QJsonObject &claims, const VerifyOptions &options)
{
    // Doubles: NumericDate may be fractional, and nothing here may overflow on hostile input.
    const double now = double(options.now);
    const double leeway = double(options.leewaySeconds);

    const QJsonValue expValue = claims.value(u"exp");
    if (expValue.isUndefined())
        return invalid(QStringLiteral("missing exp"));
    const std::optional<double> exp = numericDate(expValue);
    if (!exp)
        return invalid(QStringLiteral("exp is not a number"));
    if (now > *exp + leeway)
        return invalid(QStringLiteral("token expired"));

    const QJsonValue nbfValue = claims.value(u"nbf");
    if (!nbfValue.isUndefined()) {
        const std::optional<double> nbf = numericDate(nbfValue);
        if (!nbf)
            return invalid(QStringLiteral("nbf is not a number"));
        if (now + leeway < *nbf)
            return invalid(QStringLiteral("token not valid yet"));
    }

    const QJsonValue iatValue = claims.value(u"iat");
    if (!iatValue.isUndefined()) {
        const std::optional<double> iat = numericDate(iatValue);
        if (!iat)
            return invalid(QStringLiteral("iat is not a number"));
        if (*iat > now + leeway)
            return invalid(QStringLiteral("token issued in the future"));
    }

    if (!options.issuers.isEmpty()) {
        const QJsonValue iss = claims.value(u"iss");
        if (!iss.isString() || !options.issuers.contains(iss.toString()))
            return invalid(QStringLiteral("wrong issuer"));
    }

    if (!options.audiences.isEmpty()) {
        const QJsonValue aud = claims.value(u"aud");
        bool matched = false;
        if (aud.isString()) {
            matched = options.audiences.contains(aud.toString());
        } else if (aud.isArray()) {
            const QJsonArray audiences = aud.toArray();
            for (const QJsonValue &entry : audiences) {
                if (entry.isString() && options.audiences.contains(entry.toString())) {
                    matched = true;
                    break;
                }
            }
        }
        if (!matched)
            return invalid(QStringLiteral("wrong audience"));
    }

    if (!options.type.isEmpty()) {
        const QJsonValue typ = claims.value(u"typ");
        if (!typ.isString() || typ.toString() != options.type)
            return invalid(QStringLiteral("wrong token type"));
    }
    return std::nullopt;
}

QString stringField(const QJsonObject &object, QStringView name)
{
    return object.value(name).toString();
}

std::optional<BignumPtr> bignumField(const QJsonObject &jwk, QStringView name)
{
    const QJsonValue value = jwk.value(name);
    if (!value.isString())
        return std::nullopt;
    const std::optional<QByteArray> data = base64url::decode(value.toString().toLatin1());
    if (!data || data->isEmpty())
        return std::nullopt;
    BignumPtr bn(BN_bin2bn(bytes(*data), int(data->size()), nullptr));
    if (!bn)
        opensslFailed("BN_bin2bn");
    return bn;
}

std::optional<QByteArray> coordinateField(const QJsonObject &jwk, QStringView name)
{
    const QJsonValue value = jwk.value(name);
    if (!value.isString())
        return std::nullopt;
    std::optional<QByteArray> data = base64url::decode(value.toString().toLatin1());
    if (!data || data->size() != p256CoordinateSize)
        return std::nullopt;
    return data;
}

QString base64urlOf(const BIGNUM *bn, int size)
{
    QByteArray data(size, Qt::Uninitialized);
    if (BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(data.data()), size) != size)
        opensslFailed("BN_bn2binpad");
    return QString::fromLatin1(base64url::encode(data));
}

BignumPtr bignumParam(EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        opensslFailed("EVP_PKEY_get_bn_param");
    return BignumPtr(bn);
}

} // namespace

QLatin1StringView algorithmName(Algorithm alg)
{
    switch (alg) {
    case Algorithm::HS256:
        return QLatin1StringView("HS256");
    case Algorithm::RS256:
        return QLatin1StringView("RS256");
    case Algorithm::ES256:
        return QLatin1StringView("ES256");
    }
    return {};
}

bool algorithmFromName(QStringView name, Algorithm *alg)
{
    for (const Algorithm candidate : {Algorithm::HS256, Algorithm::RS256, Algorithm::ES256}) {
        if (name == algorithmName(candidate)) {
            if (alg)
                *alg = candidate;
            return true;
        }
    }
    return false;
}

Key::Key() = default;
Key::~Key() = default;
Key::Key(const Key &) = default;
Key &Key::operator=(const Key &) = default;

Key Key::hmac(const QByteArray &secret)
{
    // An empty secret would make every token forgeable; refuse it rather than sign with it.
    if (secret.isEmpty())
        return Key();

    MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    MacCtxPtr ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (!ctx || EVP_MAC_init(ctx.get(), bytes(secret), size_t(secret.size()), params) != 1)
        opensslFailed("HMAC-SHA256 key");

    auto p = std::make_shared<Private>();
    p->alg = Algorithm::HS256;
    p->hasPrivateKey = true;
    p->hmac = std::shared_ptr<EVP_MAC_CTX>(ctx.release(), EVP_MAC_CTX_free);
    p->encodedHeader = encodeHeader(p->alg, {});
    Key key;
    key.d = std::move(p);
    return key;
}

Key Key::generate(Algorithm alg)
{
    EVP_PKEY *pkey = nullptr;
    switch (alg) {
    case Algorithm::HS256:
        return hmac(crypto::randomBytes(hmacSize));
    case Algorithm::RS256:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(minRsaBits));
        break;
    case Algorithm::ES256:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
    }
    if (!pkey)
        opensslFailed("key generation");

    auto p = std::make_shared<Private>();
    p->alg = alg;
    p->hasPrivateKey = true;
    p->pkey = std::shared_ptr<EVP_PKEY>(pkey, EVP_PKEY_free);
    p->encodedHeader = encodeHeader(alg, {});
    Key key;
    key.d = std::move(p);
    return key;
}

Result<Key> Key::fromJwk(const QJsonObject &jwk)
{
    const QString kty = stringField(jwk, u"kty");
    Algorithm alg;
    if (kty == u"RSA")
        alg = Algorithm::RS256;
    else if (kty == u"EC")
        alg = Algorithm::ES256;
    else
        return invalidJwk(QStringLiteral("unsupported key type"));

    const QJsonValue use = jwk.value(u"use");
    if (!use.isUndefined() && use.toString() != u"sig")
        return invalidJwk(QStringLiteral("key is not for signatures"));

    const QJsonValue algValue = jwk.value(u"alg");
    if (!algValue.isUndefined()) {
        Algorithm stated;
        if (!algorithmFromName(algValue.toString(), &stated))
            return invalidJwk(QStringLiteral("unsupported algorithm"));
        if (stated != alg)
            return invalidJwk(QStringLiteral("alg does not fit kty"));
    }

    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder)
        opensslFailed("OSSL_PARAM_BLD_new");
    // Kept alive until the parameters are built: the builder refers to them.
    std::optional<BignumPtr> n;
    std::optional<BignumPtr> e;
    QByteArray point;
    if (alg == Algorithm::RS256) {
        n = bignumField(jwk, u"n");
        e = bignumField(jwk, u"e");
        if (!n || !e)
            return invalidJwk(QStringLiteral("RSA key needs n and e"));
        if (BN_num_bits(n->get()) < minRsaBits)
            return invalidJwk(QStringLiteral("RSA key shorter than 2048 bits"));
        if (OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n->get()) != 1 ||
            OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e->get()) != 1) {
            opensslFailed("OSSL_PARAM_BLD_push_BN");
        }
    } else {
        if (stringField(jwk, u"crv") != u"P-256")
            return invalidJwk(QStringLiteral("unsupported curve"));
        const std::optional<QByteArray> x = coordinateField(jwk, u"x");
        const std::optional<QByteArray> y = coordinateField(jwk, u"y");
        if (!x || !y)
            return invalidJwk(QStringLiteral("EC key needs 32-byte x and y"));
        point = '\x04' + *x + *y; // SEC 1 uncompressed point
        if (OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                            SN_X9_62_prime256v1, 0) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                             point.constData(), size_t(point.size())) != 1) {
            opensslFailed("OSSL_PARAM_BLD_push");
        }
    }
    ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
    if (!params)
        opensslFailed("OSSL_PARAM_BLD_to_param");

    PkeyCtxPtr ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, alg == Algorithm::RS256 ? "RSA" : "EC", nullptr));
    EVP_PKEY *raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return invalidJwk(QStringLiteral("unusable key"));
    }
    PkeyPtr pkey(raw);
    if (alg == Algorithm::ES256) {
        // A point off the curve would leak information through invalid-curve tricks.
        PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
        if (!check || EVP_PKEY_public_check(check.get()) != 1)
            return invalidJwk(QStringLiteral("EC point is not on P-256"));
    }

    auto p = std::make_shared<Private>();
    p->alg = alg;
    p->hasPrivateKey = false;
    p->pkey = std::shared_ptr<EVP_PKEY>(pkey.release(), EVP_PKEY_free);
    p->kid = stringField(jwk, u"kid");
    p->encodedHeader = encodeHeader(alg, p->kid);
    Key key;
    key.d = std::move(p);
    return key;
}

bool Key::isNull() const
{
    return !d;
}

Algorithm Key::algorithm() const
{
    return d ? d->alg : Algorithm::HS256;
}

bool Key::hasPrivateKey() const
{
    return d && d->hasPrivateKey;
}

QString Key::keyId() const
{
    return d ? d->kid : QString();
}

void Key::setKeyId(const QString &kid)
{
    if (!d || d->kid == kid)
        return;
    // Other copies share d, possibly on other threads: give this one its own.
    auto p = std::make_shared<Private>(*d);
    p->kid = kid;
    p->encodedHeader = encodeHeader(p->alg, kid);
    d = std::move(p);
}

QJsonObject Key::publicJwk() const
{
    if (!d || d->alg == Algorithm::HS256)
        return {};
    QJsonObject jwk;
    EVP_PKEY *pkey = d->pkey.get();
    if (d->alg == Algorithm::RS256) {
        const BignumPtr n = bignumParam(pkey, OSSL_PKEY_PARAM_RSA_N);
        const BignumPtr e = bignumParam(pkey, OSSL_PKEY_PARAM_RSA_E);
        jwk.insert(QStringLiteral("kty"), QStringLiteral("RSA"));
        jwk.insert(QStringLiteral("n"), base64urlOf(n.get(), BN_num_bytes(n.get())));
        jwk.insert(QStringLiteral("e"), base64urlOf(e.get(), BN_num_bytes(e.get())));
    } else {
        const BignumPtr x = bignumParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X);
        const BignumPtr y = bignumParam(pkey, OSSL_PKEY_PARAM_EC_PUB_Y);
        jwk.insert(QStringLiteral("kty"), QStringLiteral("EC"));
        jwk.insert(QStringLiteral("crv"), QStringLiteral("P-256"));
        jwk.insert(QStringLiteral("x"), base64urlOf(x.get(), p256CoordinateSize));
        jwk.insert(QStringLiteral("y"), base64urlOf(y.get(), p256CoordinateSize));
    }
    jwk.insert(QStringLiteral("alg"), QString(algorithmName(d->alg)));
    jwk.insert(QStringLiteral("use"), QStringLiteral("sig"));
    if (!d->kid.isEmpty())
        jwk.insert(QStringLiteral("kid"), d->kid);
    return jwk;
}

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
        return invalid(QStringLiteral("malformed header"));
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

Result<QJsonObject> verify(QByteArrayView token, const Key &key, const VerifyOptions &options)
{
    const KeyData *k = KeyAccess::data(key);
    if (!k)
        return invalid(QStringLiteral("no key to verify with"));

    const Result<Parts> parts = split(token);
    if (!parts)
        return parts.error();

    const Result<QJsonObject> header = decodeHeader(parts->header);
    if (!header)
        return header.error();
    const QString alg = header->value(u"alg").toString();
    // Pinned to the key: "none", or HS256 against an RSA public key, never gets this far.
    if (alg != algorithmName(k->alg))
        return invalid(describeAlgorithm(alg));
    // RFC 7515 §4.1.11: extensions we do not implement must make the token fail.
    if (header->contains(u"crit"))
        return invalid(QStringLiteral("unsupported critical header"));

    const std::optional<QByteArray> signature = base64url::decode(parts->signature);
    if (!signature)
        return invalid(QStringLiteral("malformed signature"));
    if (!signatureMatches(*k, parts->signingInput, *signature))
        return invalid(QStringLiteral("signature does not match"));

    std::optional<QJsonObject> claims = decodeObject(parts->payload);
    if (!claims)
        return invalid(QStringLiteral("payload is not a JSON object"));
    if (std::optional<Error> error = checkClaims(*claims, options))
        return std::move(*error);
    return std::move(*claims);
}

} // namespace latchkey::jwt
