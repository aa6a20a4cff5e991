// Keys for JWT signatures: HMAC secrets, generated key pairs, and public keys read from JWKs
// with every field checked, since a provider's JWKS arrives over the network.
#include <latchkey/jwk.h>

#include "jwt_p.h"
#include "openssl_p.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

#include <QJsonDocument>
#include <QJsonValue>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <optional>

namespace latchkey::jwt {

namespace {

using namespace latchkey::openssl;

constexpr int minRsaBits = 2048;

// The JWS header a key signs with, built once per key so sign() only copies it.
QByteArray encodeHeader(Algorithm alg, const QString &kid)
{
    QJsonObject header{{QStringLiteral("alg"), QString(algorithmName(alg))},
                       {QStringLiteral("typ"), QStringLiteral("JWT")}};
    if (!kid.isEmpty())
        header.insert(QStringLiteral("kid"), kid);
    return base64url::encode(QJsonDocument(header).toJson(QJsonDocument::Compact));
}

Error invalidJwk(const QString &message)
{
    ERR_clear_error(); // leave nothing behind in this thread's OpenSSL error queue
    return Error{ErrorCode::InvalidField, QStringLiteral("JWK: ") + message};
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
    const Result<QByteArray> data = base64url::decode(value.toString().toLatin1());
    if (!data || data->isEmpty())
        return std::nullopt;
    BignumPtr bn(BN_bin2bn(bytes(*data), int(data->size()), nullptr));
    if (!bn)
        failed("BN_bin2bn");
    return bn;
}

std::optional<QByteArray> coordinateField(const QJsonObject &jwk, QStringView name)
{
    const QJsonValue value = jwk.value(name);
    if (!value.isString())
        return std::nullopt;
    Result<QByteArray> data = base64url::decode(value.toString().toLatin1());
    if (!data || data->size() != p256CoordinateSize)
        return std::nullopt;
    return *data;
}

QString base64urlOf(const BIGNUM *bn, int size)
{
    QByteArray data(size, Qt::Uninitialized);
    if (BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(data.data()), size) != size)
        failed("BN_bn2binpad");
    return QString::fromLatin1(base64url::encode(data));
}

BignumPtr bignumParam(EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1)
        failed("EVP_PKEY_get_bn_param");
    return BignumPtr(bn);
}

// kty decides the algorithm; "use" and "alg", when present, may only agree with it.
Result<Algorithm> jwkAlgorithm(const QJsonObject &jwk)
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
    return alg;
}

ParamPtr toParams(OSSL_PARAM_BLD *builder)
{
    ParamPtr params(OSSL_PARAM_BLD_to_param(builder));
    if (!params)
        failed("OSSL_PARAM_BLD_to_param");
    return params;
}

// n and e of an RSA public key; shorter than 2048 bits is refused.
Result<ParamPtr> rsaParams(const QJsonObject &jwk)
{
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder)
        failed("OSSL_PARAM_BLD_new");
    // Alive until toParams(): the builder refers to them.
    const std::optional<BignumPtr> n = bignumField(jwk, u"n");
    const std::optional<BignumPtr> e = bignumField(jwk, u"e");
    if (!n || !e)
        return invalidJwk(QStringLiteral("RSA key needs n and e"));
    if (BN_num_bits(n->get()) < minRsaBits)
        return invalidJwk(QStringLiteral("RSA key shorter than 2048 bits"));
    if (OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n->get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e->get()) != 1) {
        failed("OSSL_PARAM_BLD_push_BN");
    }
    return toParams(builder.get());
}

// The point (x, y) of an EC public key on P-256, the only curve ES256 uses.
Result<ParamPtr> ecParams(const QJsonObject &jwk)
{
    ParamBldPtr builder(OSSL_PARAM_BLD_new());
    if (!builder)
        failed("OSSL_PARAM_BLD_new");
    if (stringField(jwk, u"crv") != u"P-256")
        return invalidJwk(QStringLiteral("unsupported curve"));
    const std::optional<QByteArray> x = coordinateField(jwk, u"x");
    const std::optional<QByteArray> y = coordinateField(jwk, u"y");
    if (!x || !y)
        return invalidJwk(QStringLiteral("EC key needs 32-byte x and y"));
    const QByteArray point = '\x04' + *x + *y; // SEC 1 uncompressed point; alive until toParams()
    if (OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                        SN_X9_62_prime256v1, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                         size_t(point.size())) != 1) {
        failed("OSSL_PARAM_BLD_push");
    }
    return toParams(builder.get());
}

Result<PkeyPtr> publicKey(Algorithm alg, OSSL_PARAM *params)
{
    PkeyCtxPtr ctx(
        EVP_PKEY_CTX_new_from_name(nullptr, alg == Algorithm::RS256 ? "RSA" : "EC", nullptr));
    EVP_PKEY *raw = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        return invalidJwk(QStringLiteral("unusable key"));
    }
    PkeyPtr pkey(raw);
    if (alg == Algorithm::ES256) {
        // A point off the curve would leak information through invalid-curve tricks.
        PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
        if (!check || EVP_PKEY_public_check(check.get()) != 1)
            return invalidJwk(QStringLiteral("EC point is not on P-256"));
    }
    return pkey;
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
        failed("HMAC-SHA256 key");

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
        failed("key generation");

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
    const Result<Algorithm> alg = jwkAlgorithm(jwk);
    if (!alg)
        return alg.error();
    const Result<ParamPtr> params = *alg == Algorithm::RS256 ? rsaParams(jwk) : ecParams(jwk);
    if (!params)
        return params.error();
    Result<PkeyPtr> pkey = publicKey(*alg, params->get());
    if (!pkey)
        return pkey.error();

    auto p = std::make_shared<Private>();
    p->alg = *alg;
    p->hasPrivateKey = false;
    p->pkey = std::shared_ptr<EVP_PKEY>(std::move(pkey).value().release(), EVP_PKEY_free);
    p->kid = stringField(jwk, u"kid");
    p->encodedHeader = encodeHeader(p->alg, p->kid);
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

} // namespace latchkey::jwt
