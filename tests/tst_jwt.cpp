// Tests for base64url, the crypto wrappers and JWT signing / verification, including the
// classic attacks on JWT libraries (alg "none", algorithm confusion, tampering).
#include <latchkey/base64url.h>
#include <latchkey/crypto.h>
#include <latchkey/jwt.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace latchkey;

namespace {

constexpr qint64 now = 1700000000;

struct BignumFree
{
    void operator()(BIGNUM *bn) const { BN_free(bn); }
};
using BignumPtr = std::unique_ptr<BIGNUM, BignumFree>;

const QString issuer = QStringLiteral("https://latchkey.test");

QByteArray b64(const QByteArray &data)
{
    return base64url::encode(data);
}

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// For QVERIFY2, which builds its message even when the check passes.
template <typename T> QString messageOf(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().message;
}

QJsonObject baseClaims()
{
    return QJsonObject{{QStringLiteral("sub"), QStringLiteral("user-1")},
                       {QStringLiteral("iss"), issuer},
                       {QStringLiteral("aud"), QStringLiteral("app")},
                       {QStringLiteral("typ"), QStringLiteral("access")},
                       {QStringLiteral("iat"), now},
                       {QStringLiteral("exp"), now + 300}};
}

jwt::VerifyOptions options()
{
    jwt::VerifyOptions o;
    o.now = now;
    return o;
}

jwt::Key hmacKey()
{
    return jwt::Key::hmac(QByteArrayLiteral("0123456789abcdef0123456789abcdef"));
}

// A token with any header, HMAC-signed over the proper signing input with \a secret.
QByteArray hmacToken(const QJsonObject &header, const QJsonObject &claims, const QByteArray &secret)
{
    const QByteArray input = b64(compactJson(header)) + '.' + b64(compactJson(claims));
    return input + '.' + b64(crypto::hmacSha256(secret, input));
}

QByteArray segment(const QByteArray &token, int index)
{
    return token.split('.').value(index);
}

QByteArray withSegment(const QByteArray &token, int index, const QByteArray &replacement)
{
    QList<QByteArray> parts = token.split('.');
    parts[index] = replacement;
    return parts.join('.');
}

// Checks a failure is InvalidToken, says what failed and does not echo the token.
void expectInvalid(const Result<QJsonObject> &result, const QByteArray &token,
                   const QString &message)
{
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidToken);
    QVERIFY2(result.error().message.contains(message), qPrintable(messageOf(result)));
    if (token.size() > 8)
        QVERIFY(!result.error().message.contains(QString::fromLatin1(token)));
}

struct RsaPublicKey
{
    QByteArray pem;
    QJsonObject jwk;
};

// An RSA public key both as PEM (what a confused verifier would use as an HMAC secret) and
// as a JWK, made with OpenSSL directly so the test does not depend on the code under test.
RsaPublicKey makeRsaPublicKey()
{
    RsaPublicKey out;
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048));
    if (!pkey)
        return out;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio && PEM_write_bio_PUBKEY(bio, pkey) == 1) {
        char *data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        out.pem = QByteArray(data, size);
    }
    BIO_free(bio);
    BIGNUM *n = nullptr;
    BIGNUM *e = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) == 1) {
        auto toB64 = [](const BIGNUM *bn) {
            QByteArray bytes(BN_num_bytes(bn), Qt::Uninitialized);
            BN_bn2bin(bn, reinterpret_cast<unsigned char *>(bytes.data()));
            return QString::fromLatin1(b64(bytes));
        };
        out.jwk = QJsonObject{{QStringLiteral("kty"), QStringLiteral("RSA")},
                              {QStringLiteral("n"), toB64(n)},
                              {QStringLiteral("e"), toB64(e)}};
    }
    BN_free(n);
    BN_free(e);
    EVP_PKEY_free(pkey);
    return out;
}

} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void base64urlRoundTrip_data();
    void base64urlRoundTrip();
    void base64urlAllBytes();
    void base64urlRejects_data();
    void base64urlRejects();

    void sha256KnownAnswers();
    void hmacSha256KnownAnswers();
    void constantTimeEquals();
    void randomBytes();

    void algorithmNames();
    void hs256RoundTrip();
    void hmacKeyRejectsEmptySecret();
    void tamperedPayload();
    void tamperedSignature();
    void algNoneRejected();
    void hs256TokenAgainstRsaKeyRejected();
    void rs256TokenAgainstHmacKeyRejected();
    void criticalHeaderRejected();
    void claims_data();
    void claims();
    void signatureAndClaimsApart();
    void malformedTokens_data();
    void malformedTokens();
    void asymmetricRoundTrip_data();
    void asymmetricRoundTrip();
    void ecdsaLowSOnly();
    void asymmetricBadSignature_data();
    void asymmetricBadSignature();
    void fromJwkRejects_data();
    void fromJwkRejects();
    void fromJwkAlgorithm();
    void setKeyIdLeavesCopiesAlone();
    void sharedKeyAcrossThreads();
    void peekHeader();
};

void TestJwt::base64urlRoundTrip_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("encoded");

    // RFC 4648 §10 vectors, unpadded, plus bytes that need the URL-safe characters.
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("f") << QByteArray("f") << QByteArray("Zg");
    QTest::newRow("fo") << QByteArray("fo") << QByteArray("Zm8");
    QTest::newRow("foo") << QByteArray("foo") << QByteArray("Zm9v");
    QTest::newRow("foob") << QByteArray("foob") << QByteArray("Zm9vYg");
    QTest::newRow("fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE");
    QTest::newRow("foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy");
    QTest::newRow("minus and underscore") << QByteArray("\xfb\xff") << QByteArray("-_8");
    QTest::newRow("underscores") << QByteArray("\xff\xfe") << QByteArray("__4");
    QTest::newRow("zero bytes") << QByteArray(4, '\0') << QByteArray("AAAAAA");
}

void TestJwt::base64urlRoundTrip()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, encoded);

    QCOMPARE(base64url::encode(data), encoded);
    const Result<QByteArray> decoded = base64url::decode(encoded);
    QVERIFY(decoded);
    QCOMPARE(*decoded, data);
}

void TestJwt::base64urlAllBytes()
{
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(char(i));
    for (int length = 0; length <= all.size(); length += 37) {
        const QByteArray data = all.first(length);
        const QByteArray encoded = base64url::encode(data);
        QCOMPARE(encoded,
                 data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        QCOMPARE(base64url::decode(encoded).valueOr(QByteArray("failed")), data);
    }
}

void TestJwt::base64urlRejects_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("padding ==") << QByteArray("Zg==");
    QTest::newRow("padding =") << QByteArray("Zm8=");
    QTest::newRow("lone padding") << QByteArray("====");
    QTest::newRow("plus") << QByteArray("Zm+v");
    QTest::newRow("slash") << QByteArray("Zm/v");
    QTest::newRow("space") << QByteArray("Zm9 v");
    QTest::newRow("newline") << QByteArray("Zm9v\n");
    QTest::newRow("tab") << QByteArray("\tZm9v");
    QTest::newRow("length 1") << QByteArray("Z");
    QTest::newRow("length 5") << QByteArray("Zm9vY");
    QTest::newRow("nul byte") << QByteArray("Zm\0v", 4);
    QTest::newRow("non-ascii") << QByteArray("Zm9\xc3\xa9");
    QTest::newRow("dot") << QByteArray("Zm.v");
    // Non-zero unused bits: would give a second spelling of "f" and "fo".
    QTest::newRow("trailing bits 2") << QByteArray("Zh");
    QTest::newRow("trailing bits 3") << QByteArray("Zm9");
}

void TestJwt::base64urlRejects()
{
    QFETCH(QByteArray, text);
    QVERIFY(!base64url::decode(text));
}

void TestJwt::sha256KnownAnswers()
{
    // FIPS 180-2 appendix B.1 and the empty message.
    QCOMPARE(crypto::sha256("abc").toHex(),
             QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(crypto::sha256({}).toHex(),
             QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

void TestJwt::hmacSha256KnownAnswers()
{
    // RFC 4231 test cases 1 and 2.
    QCOMPARE(crypto::hmacSha256(QByteArray(20, '\x0b'), "Hi There").toHex(),
             QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
    QCOMPARE(crypto::hmacSha256("Jefe", "what do ya want for nothing?").toHex(),
             QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    // An empty key is still a key (zero-padded), not "no key".
    QCOMPARE(crypto::hmacSha256({}, {}).toHex(),
             QByteArray("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
}

void TestJwt::constantTimeEquals()
{
    QVERIFY(crypto::constantTimeEquals("secret", "secret"));
    QVERIFY(crypto::constantTimeEquals({}, {}));
    QVERIFY(!crypto::constantTimeEquals("secret", "secreT"));
    QVERIFY(!crypto::constantTimeEquals("secret", "Secret"));
    QVERIFY(!crypto::constantTimeEquals("secret", "secret2"));
    QVERIFY(!crypto::constantTimeEquals("secret", {}));
}

void TestJwt::randomBytes()
{
    const QByteArray a = crypto::randomBytes(32);
    const QByteArray b = crypto::randomBytes(32);
    QCOMPARE(a.size(), 32);
    QVERIFY(a != b);
    QVERIFY(crypto::randomBytes(0).isEmpty());
}

void TestJwt::algorithmNames()
{
    for (const jwt::Algorithm alg :
         {jwt::Algorithm::HS256, jwt::Algorithm::RS256, jwt::Algorithm::ES256}) {
        jwt::Algorithm parsed = jwt::Algorithm::HS256;
        QVERIFY(jwt::algorithmFromName(QString(jwt::algorithmName(alg)), &parsed));
        QCOMPARE(parsed, alg);
    }
    jwt::Algorithm parsed;
    QVERIFY(!jwt::algorithmFromName(u"none", &parsed));
    QVERIFY(!jwt::algorithmFromName(u"hs256", &parsed));
    QVERIFY(!jwt::algorithmFromName(u"HS384", &parsed));
    QVERIFY(!jwt::algorithmFromName(u"", &parsed));
}

void TestJwt::hs256RoundTrip()
{
    const jwt::Key key = hmacKey();
    QVERIFY(!key.isNull());
    QCOMPARE(key.algorithm(), jwt::Algorithm::HS256);
    QVERIFY(key.hasPrivateKey());
    QVERIFY(key.publicJwk().isEmpty());

    const QByteArray token = jwt::sign(baseClaims(), key);
    QCOMPARE(token.count('.'), 2);
    QCOMPARE(base64url::decode(segment(token, 2))->size(), 32);

    const QJsonObject header =
        QJsonDocument::fromJson(*base64url::decode(segment(token, 0))).object();
    QCOMPARE(header, (QJsonObject{{QStringLiteral("alg"), QStringLiteral("HS256")},
                                  {QStringLiteral("typ"), QStringLiteral("JWT")}}));

    const Result<QJsonObject> claims = jwt::verify(token, key, options());
    QVERIFY2(claims.ok(), qPrintable(messageOf(claims)));
    QCOMPARE(*claims, baseClaims());

    // The same secret in a separate Key verifies too; a different one does not.
    QVERIFY(jwt::verify(token, hmacKey(), options()).ok());
    expectInvalid(jwt::verify(token, jwt::Key::hmac("another secret of enough length!"), options()),
                  token, QStringLiteral("signature does not match"));
}

void TestJwt::hmacKeyRejectsEmptySecret()
{
    const jwt::Key key = jwt::Key::hmac({});
    QVERIFY(key.isNull());
    QVERIFY(jwt::sign(baseClaims(), key).isEmpty());
    const QByteArray token =
        hmacToken({{QStringLiteral("alg"), QStringLiteral("HS256")}}, baseClaims(), QByteArray());
    expectInvalid(jwt::verify(token, key, options()), token, QStringLiteral("no key"));
}

void TestJwt::tamperedPayload()
{
    const jwt::Key key = hmacKey();
    const QByteArray token = jwt::sign(baseClaims(), key);
    QJsonObject elevated = baseClaims();
    elevated.insert(QStringLiteral("sub"), QStringLiteral("admin"));
    const QByteArray tampered = withSegment(token, 1, b64(compactJson(elevated)));
    expectInvalid(jwt::verify(tampered, key, options()), tampered,
                  QStringLiteral("signature does not match"));
}

void TestJwt::tamperedSignature()
{
    const jwt::Key key = hmacKey();
    const QByteArray token = jwt::sign(baseClaims(), key);
    QByteArray signature = segment(token, 2);
    signature[0] = signature[0] == 'A' ? 'B' : 'A';
    const QByteArray tampered = withSegment(token, 2, signature);
    expectInvalid(jwt::verify(tampered, key, options()), tampered,
                  QStringLiteral("signature does not match"));

    const QByteArray truncated = withSegment(token, 2, signature.first(40));
    expectInvalid(jwt::verify(truncated, key, options()), truncated,
                  QStringLiteral("signature does not match"));

    const QByteArray empty = withSegment(token, 2, {});
    expectInvalid(jwt::verify(empty, key, options()), empty,
                  QStringLiteral("signature does not match"));
}

void TestJwt::algNoneRejected()
{
    const QByteArray token = b64(compactJson({{QStringLiteral("alg"), QStringLiteral("none")},
                                              {QStringLiteral("typ"), QStringLiteral("JWT")}})) +
                             '.' + b64(compactJson(baseClaims())) + '.';
    expectInvalid(jwt::verify(token, hmacKey(), options()), token,
                  QStringLiteral("algorithm none not accepted"));
    expectInvalid(jwt::verify(token, jwt::Key::generate(jwt::Algorithm::ES256), options()), token,
                  QStringLiteral("algorithm none not accepted"));

    // Case games do not help either.
    const QByteArray upper =
        withSegment(token, 0, b64(compactJson({{QStringLiteral("alg"), QStringLiteral("hs256")}})));
    expectInvalid(jwt::verify(upper, hmacKey(), options()), upper,
                  QStringLiteral("algorithm hs256 not accepted"));
}

void TestJwt::hs256TokenAgainstRsaKeyRejected()
{
    // The classic confusion: HMAC the token with the RSA public key as the secret and hope
    // the verifier feeds its public key into HMAC because the header says HS256.
    const RsaPublicKey rsa = makeRsaPublicKey();
    QVERIFY(!rsa.pem.isEmpty());
    const Result<jwt::Key> rsaKey = jwt::Key::fromJwk(rsa.jwk);
    QVERIFY2(rsaKey.ok(), qPrintable(messageOf(rsaKey)));
    QCOMPARE(rsaKey->algorithm(), jwt::Algorithm::RS256);

    const QByteArray token = hmacToken({{QStringLiteral("alg"), QStringLiteral("HS256")},
                                        {QStringLiteral("typ"), QStringLiteral("JWT")}},
                                       baseClaims(), rsa.pem);
    expectInvalid(jwt::verify(token, *rsaKey, options()), token,
                  QStringLiteral("algorithm HS256 not accepted"));
    // Also when the attacker uses a key made by us.
    const QByteArray own = jwt::sign(baseClaims(), hmacKey());
    expectInvalid(jwt::verify(own, jwt::Key::generate(jwt::Algorithm::RS256), options()), own,
                  QStringLiteral("algorithm HS256 not accepted"));
}

void TestJwt::rs256TokenAgainstHmacKeyRejected()
{
    // A verifier configured with an HMAC key whose secret happens to be the public key PEM
    // must not accept an RS256-headed token HMAC'ed with that PEM.
    const RsaPublicKey rsa = makeRsaPublicKey();
    QVERIFY(!rsa.pem.isEmpty());
    const jwt::Key pemAsSecret = jwt::Key::hmac(rsa.pem);
    const QByteArray token = hmacToken({{QStringLiteral("alg"), QStringLiteral("RS256")},
                                        {QStringLiteral("typ"), QStringLiteral("JWT")}},
                                       baseClaims(), rsa.pem);
    expectInvalid(jwt::verify(token, pemAsSecret, options()), token,
                  QStringLiteral("algorithm RS256 not accepted"));
    // And the RSA key itself sees a signature that is not RSA.
    expectInvalid(jwt::verify(token, *jwt::Key::fromJwk(rsa.jwk), options()), token,
                  QStringLiteral("signature does not match"));
}

void TestJwt::criticalHeaderRejected()
{
    const QByteArray secret("0123456789abcdef0123456789abcdef");
    const QByteArray token =
        hmacToken({{QStringLiteral("alg"), QStringLiteral("HS256")},
                   {QStringLiteral("crit"), QJsonArray{QStringLiteral("exp")}}},
                  baseClaims(), secret);
    expectInvalid(jwt::verify(token, jwt::Key::hmac(secret), options()), token,
                  QStringLiteral("critical"));
}

void TestJwt::claims_data()
{
    QTest::addColumn<QJsonObject>("changes"); // null values remove the claim
    QTest::addColumn<qint64>("leeway");
    QTest::addColumn<QStringList>("issuers");
    QTest::addColumn<QStringList>("audiences");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("error"); // empty: accepted

    const QStringList iss{issuer};
    const QStringList app{QStringLiteral("app")};
    const QString access = QStringLiteral("access");
    auto change = [](const char *name, const QJsonValue &value) {
        return QJsonObject{{QString::fromLatin1(name), value}};
    };
    const QJsonValue removed = QJsonValue::Null;

    QTest::newRow("valid, all checked")
        << QJsonObject() << 0ll << iss << app << access << QString();
    QTest::newRow("valid, nothing optional checked")
        << QJsonObject() << 0ll << QStringList() << QStringList() << QString() << QString();
    QTest::newRow("exp is now") << change("exp", now) << 0ll << iss << app << access << QString();
    QTest::newRow("expired") << change("exp", now - 1) << 0ll << iss << app << access
                             << QStringLiteral("token expired");
    QTest::newRow("expired within leeway")
        << change("exp", now - 30) << 60ll << iss << app << access << QString();
    QTest::newRow("expired beyond leeway") << change("exp", now - 61) << 60ll << iss << app
                                           << access << QStringLiteral("token expired");
    QTest::newRow("fractional exp")
        << change("exp", double(now) + 0.5) << 0ll << iss << app << access << QString();
    QTest::newRow("missing exp") << change("exp", removed) << 0ll << iss << app << access
                                 << QStringLiteral("missing exp");
    QTest::newRow("exp as string") << change("exp", QString::number(now + 300)) << 0ll << iss << app
                                   << access << QStringLiteral("exp is not a number");
    QTest::newRow("nbf passed") << change("nbf", now - 10) << 0ll << iss << app << access
                                << QString();
    QTest::newRow("nbf in future") << change("nbf", now + 10) << 0ll << iss << app << access
                                   << QStringLiteral("not valid yet");
    QTest::newRow("nbf within leeway")
        << change("nbf", now + 10) << 30ll << iss << app << access << QString();
    QTest::newRow("nbf as string") << change("nbf", QStringLiteral("soon")) << 0ll << iss << app
                                   << access << QStringLiteral("nbf is not a number");
    QTest::newRow("iat in future") << change("iat", now + 10) << 0ll << iss << app << access
                                   << QStringLiteral("issued in the future");
    QTest::newRow("iat within leeway")
        << change("iat", now + 10) << 30ll << iss << app << access << QString();
    QTest::newRow("wrong issuer") << change("iss", QStringLiteral("https://evil.test")) << 0ll
                                  << iss << app << access << QStringLiteral("wrong issuer");
    QTest::newRow("missing issuer")
        << change("iss", removed) << 0ll << iss << app << access << QStringLiteral("wrong issuer");
    QTest::newRow("one of several issuers")
        << QJsonObject() << 0ll << QStringList{QStringLiteral("https://other.test"), issuer} << app
        << access << QString();
    QTest::newRow("wrong audience") << change("aud", QStringLiteral("other-app")) << 0ll << iss
                                    << app << access << QStringLiteral("wrong audience");
    QTest::newRow("missing audience") << change("aud", removed) << 0ll << iss << app << access
                                      << QStringLiteral("wrong audience");
    QTest::newRow("audience array")
        << change("aud", QJsonArray{QStringLiteral("other-app"), QStringLiteral("app")}) << 0ll
        << iss << app << access << QString();
    QTest::newRow("audience array without us")
        << change("aud", QJsonArray{QStringLiteral("other-app"), 1}) << 0ll << iss << app << access
        << QStringLiteral("wrong audience");
    QTest::newRow("audience as number")
        << change("aud", 1) << 0ll << iss << app << access << QStringLiteral("wrong audience");
    QTest::newRow("wrong typ") << change("typ", QStringLiteral("refresh")) << 0ll << iss << app
                               << access << QStringLiteral("wrong token type");
    QTest::newRow("missing typ") << change("typ", removed) << 0ll << iss << app << access
                                 << QStringLiteral("wrong token type");
}

void TestJwt::claims()
{
    QFETCH(QJsonObject, changes);
    QFETCH(qint64, leeway);
    QFETCH(QStringList, issuers);
    QFETCH(QStringList, audiences);
    QFETCH(QString, type);
    QFETCH(QString, error);

    QJsonObject claims = baseClaims();
    for (auto it = changes.constBegin(); it != changes.constEnd(); ++it) {
        if (it.value().isNull())
            claims.remove(it.key());
        else
            claims.insert(it.key(), it.value());
    }
    const jwt::Key key = hmacKey();
    const QByteArray token = jwt::sign(claims, key);

    jwt::VerifyOptions o = options();
    o.leewaySeconds = leeway;
    o.issuers = issuers;
    o.audiences = audiences;
    o.type = type;
    const Result<QJsonObject> result = jwt::verify(token, key, o);
    if (error.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(messageOf(result)));
        QCOMPARE(*result, claims);
    } else {
        expectInvalid(result, token, error);
    }
}

// jwt::verify() is verifySignature() then checkClaims(): each half decides only its own part.
void TestJwt::signatureAndClaimsApart()
{
    const jwt::Key key = hmacKey();
    QJsonObject expired = baseClaims();
    expired.insert(QStringLiteral("exp"), now - 60);
    const QByteArray token = jwt::sign(expired, key);

    const Result<QJsonObject> payload = jwt::verifySignature(token, key);
    QVERIFY2(payload.ok(), qPrintable(messageOf(payload)));
    QCOMPARE(*payload, expired);
    const Status checked = jwt::checkClaims(*payload, options());
    QVERIFY(!checked.ok());
    QCOMPARE(checked.error().code, ErrorCode::InvalidToken);
    QCOMPARE(checked.error().message, QStringLiteral("token expired"));
    expectInvalid(jwt::verify(token, key, options()), token, QStringLiteral("token expired"));

    QVERIFY(jwt::checkClaims(baseClaims(), options()).ok());
    const QByteArray foreign = jwt::sign(baseClaims(), jwt::Key::generate(jwt::Algorithm::HS256));
    expectInvalid(jwt::verifySignature(foreign, key), foreign,
                  QStringLiteral("signature does not match"));
}

void TestJwt::malformedTokens_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("error");

    const QByteArray secret("0123456789abcdef0123456789abcdef");
    const QByteArray good = jwt::sign(baseClaims(), jwt::Key::hmac(secret));
    const QByteArray header = segment(good, 0);
    const QByteArray payload = segment(good, 1);
    const QByteArray signature = segment(good, 2);
    const QString parts = QStringLiteral("three parts");

    QTest::newRow("empty") << QByteArray() << parts;
    QTest::newRow("one part") << header << parts;
    QTest::newRow("two parts") << header + '.' + payload << parts;
    QTest::newRow("four parts") << good + '.' + signature << parts;
    QTest::newRow("trailing dot") << good + '.' << parts;
    QTest::newRow("only dots") << QByteArray("..") << QStringLiteral("malformed header");
    QTest::newRow("header bad base64")
        << "!!!." + payload + '.' + signature << QStringLiteral("malformed header");
    QTest::newRow("header padded")
        << header + "=." + payload + '.' + signature << QStringLiteral("malformed header");
    QTest::newRow("header not JSON")
        << b64("hello") + '.' + payload + '.' + signature << QStringLiteral("malformed header");
    QTest::newRow("header JSON array") << b64("[\"HS256\"]") + '.' + payload + '.' + signature
                                       << QStringLiteral("malformed header");
    QTest::newRow("header without alg")
        << b64("{\"typ\":\"JWT\"}") + '.' + payload + '.' + signature
        << QStringLiteral("header has no alg");
    QTest::newRow("alg not a string") << b64("{\"alg\":256}") + '.' + payload + '.' + signature
                                      << QStringLiteral("header has no alg");
    QTest::newRow("odd alg not echoed")
        << b64("{\"alg\":\"<script>\"}") + '.' + payload + '.' + signature
        << QStringLiteral("algorithm not accepted");
    QTest::newRow("signature bad base64")
        << header + '.' + payload + ".a+b/" << QStringLiteral("malformed signature");
    QTest::newRow("whitespace around token") << ' ' + good << QStringLiteral("malformed header");
    QTest::newRow("too large") << header + '.' + QByteArray(20000, 'A') + '.' + signature
                               << QStringLiteral("too large");

    // Correctly signed, but the payload is not a JSON object.
    const auto signedPayload = [&](const QByteArray &json) {
        const QByteArray input = header + '.' + b64(json);
        return input + '.' + b64(crypto::hmacSha256(secret, input));
    };
    QTest::newRow("payload not JSON")
        << signedPayload("not json") << QStringLiteral("payload is not a JSON object");
    QTest::newRow("payload JSON array")
        << signedPayload("[1,2]") << QStringLiteral("payload is not a JSON object");
}

void TestJwt::malformedTokens()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, error);

    const jwt::Key key = jwt::Key::hmac("0123456789abcdef0123456789abcdef");
    expectInvalid(jwt::verify(token, key, options()), token, error);
}

void TestJwt::asymmetricRoundTrip_data()
{
    QTest::addColumn<jwt::Algorithm>("alg");
    QTest::addColumn<int>("signatureSize");

    QTest::newRow("RS256") << jwt::Algorithm::RS256 << 256;
    QTest::newRow("ES256") << jwt::Algorithm::ES256 << 64; // raw R || S, not DER
}

void TestJwt::asymmetricRoundTrip()
{
    QFETCH(jwt::Algorithm, alg);
    QFETCH(int, signatureSize);

    jwt::Key key = jwt::Key::generate(alg);
    QVERIFY(!key.isNull());
    QVERIFY(key.hasPrivateKey());
    QCOMPARE(key.algorithm(), alg);
    key.setKeyId(QStringLiteral("key-1"));
    QCOMPARE(key.keyId(), QStringLiteral("key-1"));

    const QByteArray token = jwt::sign(baseClaims(), key);
    QVERIFY(!token.isEmpty());
    QCOMPARE(base64url::decode(segment(token, 2))->size(), signatureSize);
    const Result<jwt::Header> header = jwt::peekHeader(token);
    QVERIFY(header.ok());
    QCOMPARE(header->alg, QString(jwt::algorithmName(alg)));
    QCOMPARE(header->kid, QStringLiteral("key-1"));

    const QJsonObject jwk = key.publicJwk();
    QCOMPARE(jwk.value(u"alg").toString(), QString(jwt::algorithmName(alg)));
    QCOMPARE(jwk.value(u"use").toString(), QStringLiteral("sig"));
    QCOMPARE(jwk.value(u"kid").toString(), QStringLiteral("key-1"));
    QVERIFY(!jwk.contains(u"d")); // never the private part
    if (alg == jwt::Algorithm::ES256) {
        QCOMPARE(jwk.value(u"kty").toString(), QStringLiteral("EC"));
        QCOMPARE(jwk.value(u"crv").toString(), QStringLiteral("P-256"));
        QCOMPARE(base64url::decode(jwk.value(u"x").toString().toLatin1())->size(), 32);
    } else {
        QCOMPARE(jwk.value(u"kty").toString(), QStringLiteral("RSA"));
        QCOMPARE(jwk.value(u"e").toString(), QStringLiteral("AQAB"));
    }

    const Result<jwt::Key> imported = jwt::Key::fromJwk(jwk);
    QVERIFY2(imported.ok(), qPrintable(messageOf(imported)));
    QCOMPARE(imported->algorithm(), alg);
    QCOMPARE(imported->keyId(), QStringLiteral("key-1"));
    QVERIFY(!imported->hasPrivateKey());
    QCOMPARE(imported->publicJwk(), jwk);
    QVERIFY(jwt::sign(baseClaims(), *imported).isEmpty()); // a public key cannot sign

    jwt::VerifyOptions o = options();
    o.issuers = QStringList{issuer};
    o.audiences = QStringList{QStringLiteral("app")};
    const Result<QJsonObject> claims = jwt::verify(token, *imported, o);
    QVERIFY2(claims.ok(), qPrintable(messageOf(claims)));
    QCOMPARE(*claims, baseClaims());
    QVERIFY(jwt::verify(token, key, o).ok());

    // Expiry is checked for asymmetric tokens just the same.
    o.now = now + 301;
    expectInvalid(jwt::verify(token, *imported, o), token, QStringLiteral("token expired"));
}

void TestJwt::asymmetricBadSignature_data()
{
    QTest::addColumn<jwt::Algorithm>("alg");
    QTest::newRow("RS256") << jwt::Algorithm::RS256;
    QTest::newRow("ES256") << jwt::Algorithm::ES256;
}

void TestJwt::asymmetricBadSignature()
{
    QFETCH(jwt::Algorithm, alg);

    const jwt::Key key = jwt::Key::generate(alg);
    const jwt::Key verifier = *jwt::Key::fromJwk(key.publicJwk());
    const QByteArray token = jwt::sign(baseClaims(), key);
    const QString mismatch = QStringLiteral("signature does not match");

    // Signed by another key of the same kind.
    const QByteArray foreign = jwt::sign(baseClaims(), jwt::Key::generate(alg));
    expectInvalid(jwt::verify(foreign, verifier, options()), foreign, mismatch);

    // A flipped bit in the signature.
    QByteArray signature = *base64url::decode(segment(token, 2));
    signature[10] = char(signature[10] ^ 0x01);
    const QByteArray flipped = withSegment(token, 2, b64(signature));
    expectInvalid(jwt::verify(flipped, verifier, options()), flipped, mismatch);

    // A tampered payload under the original signature.
    QJsonObject elevated = baseClaims();
    elevated.insert(QStringLiteral("sub"), QStringLiteral("admin"));
    const QByteArray tampered = withSegment(token, 1, b64(compactJson(elevated)));
    expectInvalid(jwt::verify(tampered, verifier, options()), tampered, mismatch);

    // Wrong signature lengths, including ES256's DER form that OpenSSL would produce.
    const QByteArray shortened = withSegment(token, 2, b64(signature.first(signature.size() - 1)));
    expectInvalid(jwt::verify(shortened, verifier, options()), shortened, mismatch);
    const QByteArray empty = withSegment(token, 2, {});
    expectInvalid(jwt::verify(empty, verifier, options()), empty, mismatch);

    // All zeros: for ECDSA r = s = 0 must never verify.
    const QByteArray zeros = withSegment(token, 2, b64(QByteArray(signature.size(), '\0')));
    expectInvalid(jwt::verify(zeros, verifier, options()), zeros, mismatch);
}

void TestJwt::fromJwkRejects_data()
{
    QTest::addColumn<QJsonObject>("jwk");
    QTest::addColumn<QString>("error");

    const QJsonObject rsa = jwt::Key::generate(jwt::Algorithm::RS256).publicJwk();
    const QJsonObject ec = jwt::Key::generate(jwt::Algorithm::ES256).publicJwk();
    auto with = [](QJsonObject jwk, const char *name, const QJsonValue &value) {
        if (value.isNull())
            jwk.remove(QString::fromLatin1(name));
        else
            jwk.insert(QString::fromLatin1(name), value);
        return jwk;
    };
    auto b64String = [](const QByteArray &data) { return QString::fromLatin1(b64(data)); };
    const QString keyType = QStringLiteral("unsupported key type");
    const QString rsaParts = QStringLiteral("RSA key needs n and e");
    const QString fit = QStringLiteral("alg does not fit kty");
    const QString curve = QStringLiteral("unsupported curve");
    const QString coordinates = QStringLiteral("EC key needs 32-byte x and y");

    QTest::newRow("empty") << QJsonObject() << keyType;
    QTest::newRow("kty oct") << QJsonObject{{QStringLiteral("kty"), QStringLiteral("oct")},
                                            {QStringLiteral("k"), QStringLiteral("c2VjcmV0")}}
                             << keyType;
    QTest::newRow("kty OKP") << with(ec, "kty", QStringLiteral("OKP")) << keyType;
    QTest::newRow("kty lower case") << with(rsa, "kty", QStringLiteral("rsa")) << keyType;
    QTest::newRow("RSA missing n") << with(rsa, "n", QJsonValue::Null) << rsaParts;
    QTest::newRow("RSA missing e") << with(rsa, "e", QJsonValue::Null) << rsaParts;
    QTest::newRow("RSA n not base64url") << with(rsa, "n", QStringLiteral("a+b/")) << rsaParts;
    QTest::newRow("RSA n number") << with(rsa, "n", 12345) << rsaParts;
    QTest::newRow("RSA 512 bits") << with(rsa, "n", b64String(QByteArray(64, '\xc5')))
                                  << QStringLiteral("shorter than 2048 bits");
    QTest::newRow("RSA alg ES256") << with(rsa, "alg", QStringLiteral("ES256")) << fit;
    QTest::newRow("RSA alg HS256") << with(rsa, "alg", QStringLiteral("HS256")) << fit;
    QTest::newRow("RSA alg RS384")
        << with(rsa, "alg", QStringLiteral("RS384")) << QStringLiteral("unsupported algorithm");
    QTest::newRow("RSA use enc") << with(rsa, "use", QStringLiteral("enc"))
                                 << QStringLiteral("not for signatures");
    QTest::newRow("EC P-384") << with(ec, "crv", QStringLiteral("P-384")) << curve;
    QTest::newRow("EC secp256k1") << with(ec, "crv", QStringLiteral("secp256k1")) << curve;
    QTest::newRow("EC missing crv") << with(ec, "crv", QJsonValue::Null) << curve;
    QTest::newRow("EC missing y") << with(ec, "y", QJsonValue::Null) << coordinates;
    QTest::newRow("EC short x") << with(ec, "x", b64String(QByteArray(31, '\1'))) << coordinates;
    QTest::newRow("EC alg RS256") << with(ec, "alg", QStringLiteral("RS256")) << fit;
    QTest::newRow("EC point off curve") << with(with(ec, "x", b64String(QByteArray(32, '\1'))), "y",
                                                b64String(QByteArray(32, '\1')))
                                        << QStringLiteral("unusable key");
}

void TestJwt::fromJwkRejects()
{
    QFETCH(QJsonObject, jwk);
    QFETCH(QString, error);

    const Result<jwt::Key> key = jwt::Key::fromJwk(jwk);
    QVERIFY(!key.ok());
    QVERIFY2(key.error().message.contains(error), qPrintable(key.error().message));
}

void TestJwt::fromJwkAlgorithm()
{
    // Without "alg" the key type decides; with it, it must agree.
    QJsonObject rsa = jwt::Key::generate(jwt::Algorithm::RS256).publicJwk();
    rsa.remove(QStringLiteral("alg"));
    rsa.remove(QStringLiteral("use"));
    rsa.remove(QStringLiteral("kid"));
    const Result<jwt::Key> rsaKey = jwt::Key::fromJwk(rsa);
    QVERIFY(rsaKey.ok());
    QCOMPARE(rsaKey->algorithm(), jwt::Algorithm::RS256);
    QVERIFY(rsaKey->keyId().isEmpty());

    QJsonObject ec = jwt::Key::generate(jwt::Algorithm::ES256).publicJwk();
    ec.remove(QStringLiteral("alg"));
    ec.insert(QStringLiteral("kid"), QStringLiteral("provider-key"));
    const Result<jwt::Key> ecKey = jwt::Key::fromJwk(ec);
    QVERIFY(ecKey.ok());
    QCOMPARE(ecKey->algorithm(), jwt::Algorithm::ES256);
    QCOMPARE(ecKey->keyId(), QStringLiteral("provider-key"));
}

void TestJwt::setKeyIdLeavesCopiesAlone()
{
    jwt::Key original = hmacKey();
    original.setKeyId(QStringLiteral("a"));
    jwt::Key copy = original;
    copy.setKeyId(QStringLiteral("b"));
    QCOMPARE(original.keyId(), QStringLiteral("a"));
    QCOMPARE(copy.keyId(), QStringLiteral("b"));
    QCOMPARE(jwt::peekHeader(jwt::sign(baseClaims(), original))->kid, QStringLiteral("a"));
    QCOMPARE(jwt::peekHeader(jwt::sign(baseClaims(), copy))->kid, QStringLiteral("b"));
    // Still the same secret underneath.
    QVERIFY(jwt::verify(jwt::sign(baseClaims(), copy), original, options()).ok());
}

void TestJwt::sharedKeyAcrossThreads()
{
    // Server workers share one immutable Key; signing and verifying must not interfere.
    const jwt::Key hmac = hmacKey();
    const jwt::Key ec = jwt::Key::generate(jwt::Algorithm::ES256);
    std::atomic<int> failures = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100; ++i) {
                QJsonObject claims = baseClaims();
                claims.insert(QStringLiteral("n"), t * 1000 + i);
                for (const jwt::Key &key : {hmac, ec}) {
                    const Result<QJsonObject> result =
                        jwt::verify(jwt::sign(claims, key), key, options());
                    if (!result.ok() || *result != claims)
                        ++failures;
                }
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(failures.load(), 0);
}

void TestJwt::peekHeader()
{
    jwt::Key key = jwt::Key::generate(jwt::Algorithm::ES256);
    key.setKeyId(QStringLiteral("2024-06"));
    const QByteArray token = jwt::sign(baseClaims(), key);

    const Result<jwt::Header> header = jwt::peekHeader(token);
    QVERIFY2(header.ok(), qPrintable(messageOf(header)));
    QCOMPARE(header->alg, QStringLiteral("ES256"));
    QCOMPARE(header->kid, QStringLiteral("2024-06"));
    QCOMPARE(header->typ, QStringLiteral("JWT"));

    // No kid: empty, not an error.
    const Result<jwt::Header> plain = jwt::peekHeader(jwt::sign(baseClaims(), hmacKey()));
    QVERIFY(plain.ok());
    QCOMPARE(plain->alg, QStringLiteral("HS256"));
    QVERIFY(plain->kid.isEmpty());

    // Read without checking: an expired, foreign token still has a readable header...
    const QByteArray other = jwt::sign(baseClaims(), jwt::Key::hmac("unknown secret"));
    QVERIFY(jwt::peekHeader(other).ok());
    // ...but a malformed one does not.
    QVERIFY(!jwt::peekHeader("a.b").ok());
    QVERIFY(!jwt::peekHeader(b64("{\"alg\":\"HS256\",\"kid\":7}") + ".e30.").ok());
    QCOMPARE(jwt::peekHeader("x.y.z").error().code, ErrorCode::InvalidToken);
}

// ES256: (r, s) and (r, n - s) are both valid ECDSA signatures of one message. Only the
// low-S spelling is produced, and our own tokens (verified with our private key) are accepted
// only so, so each has one signature. A provider's tokens (a public key from its JWKS) are
// accepted in either spelling: Apple, Keycloak and OpenSSL itself do not normalise S.
void TestJwt::ecdsaLowSOnly()
{
    BIGNUM *n = nullptr;
    QVERIFY(BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551") > 0);
    const BignumPtr order(n);
    const BignumPtr half(BN_new());
    QVERIFY(BN_rshift1(half.get(), order.get()) == 1);
    const auto sOf = [](const QByteArray &raw) {
        return BignumPtr(
            BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()) + 32, 32, nullptr));
    };
    const jwt::Key key = jwt::Key::generate(jwt::Algorithm::ES256);
    QByteArray token;
    for (int i = 0; i < 64; ++i) { // a high S would turn up about every other time
        QJsonObject claims = baseClaims();
        claims.insert(QStringLiteral("n"), i);
        token = jwt::sign(claims, key);
        const BignumPtr s = sOf(*base64url::decode(segment(token, 2)));
        QVERIFY2(BN_cmp(s.get(), half.get()) <= 0, "a signature with a high S was produced");
    }
    // The same signature with n - s: valid ECDSA, refused here.
    QVERIFY(jwt::verify(token, key, options()).ok());
    QByteArray raw = *base64url::decode(segment(token, 2));
    const BignumPtr highS(BN_new());
    QVERIFY(BN_sub(highS.get(), order.get(), sOf(raw).get()) == 1);
    QCOMPARE(BN_bn2binpad(highS.get(), reinterpret_cast<unsigned char *>(raw.data()) + 32, 32), 32);
    const QByteArray malleated = token.left(token.lastIndexOf('.') + 1) + base64url::encode(raw);
    expectInvalid(jwt::verify(malleated, key, options()), malleated,
                  QStringLiteral("signature does not match"));
    const Result<jwt::Key> providerKey = jwt::Key::fromJwk(key.publicJwk());
    QVERIFY(providerKey);
    QVERIFY(jwt::verify(malleated, *providerKey, options()).ok());
}

QTEST_APPLESS_MAIN(TestJwt)
#include "tst_jwt.moc"
