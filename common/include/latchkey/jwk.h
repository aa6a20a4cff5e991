// JSON Web Keys (RFC 7517) and the algorithms they are for: Latchkey's HS256 secret, the
// development provider's key pairs, and identity providers' public keys from their JWKS.
#pragma once

#include <latchkey/error.h>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace latchkey::jwt {

//! The signature algorithms we accept; a key is for exactly one, and that one alone decides
//! how a token is checked (never the token's own header).
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
    friend struct KeyAccess;          // jwt_p.h: how jws.cpp signs and verifies with Private
    std::shared_ptr<const Private> d; // never modified once built: copies share it across threads
};

} // namespace latchkey::jwt
