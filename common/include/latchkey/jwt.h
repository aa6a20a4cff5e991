// JSON Web Tokens (RFC 7519): HS256 for Latchkey's own access tokens, RS256/ES256 for
// identity providers' ID tokens, verified against their JWKS.
#pragma once

#include <latchkey/error.h>

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace latchkey::jwt {

enum class Algorithm { HS256, RS256, ES256 };

//! "HS256" etc.; algorithmFromName() returns false for anything else, "none" included.
QLatin1StringView algorithmName(Algorithm alg);
bool algorithmFromName(QStringView name, Algorithm *alg);

//! A key for one algorithm: an HMAC secret, or an RSA / EC P-256 key pair or public key.
//! Cheap to copy (shared, immutable).
class Key
{
public:
    Key();
    ~Key();
    Key(const Key &);
    Key &operator=(const Key &);

    //! An HS256 key; a null key if \a secret is empty.
    static Key hmac(const QByteArray &secret);
    //! A fresh private key: RSA 2048 for RS256, P-256 for ES256 (tests, development provider).
    static Key generate(Algorithm alg);
    //! A public key from one JWK (RFC 7517): kty RSA (n, e) or EC P-256 (crv, x, y).
    static Result<Key> fromJwk(const QJsonObject &jwk);

    bool isNull() const;
    Algorithm algorithm() const;
    bool hasPrivateKey() const;
    QString keyId() const; //!< "kid" from the JWK, or what setKeyId() set
    void setKeyId(const QString &kid);
    //! The public half as a JWK with kid, alg and use "sig" (empty for HMAC keys).
    QJsonObject publicJwk() const;

private:
    struct Private;
    friend struct KeyAccess; // jwt.cpp's bridge from sign() / verify() to Private
    std::shared_ptr<const Private> d; // never modified once built: copies share it across threads
};

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

struct VerifyOptions
{
    qint64 now = 0;                //!< seconds since the epoch (injected clock)
    qint64 leewaySeconds = 0;      //!< clock skew allowed on exp / nbf / iat
    QStringList issuers;           //!< "iss" must equal one of these (empty: not checked)
    QStringList audiences;         //!< "aud" (string or array) must hold one of these (empty: not checked)
    QString type;                  //!< the "typ" claim must equal this (empty: not checked)
};

//! Verifies signature with the algorithm pinned to key.algorithm() (the header's alg must
//! match it exactly; "none" never passes), then exp (required), nbf, iss, aud, typ.
//! Every failure is ErrorCode::InvalidToken with a message naming what failed.
Result<QJsonObject> verify(QByteArrayView token, const Key &key, const VerifyOptions &options);

} // namespace latchkey::jwt
