// OpenSSL behind a Qt-shaped interface, so the rest of Latchkey never handles raw buffers.
#include <latchkey/crypto.h>

#include <QtGlobal>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

namespace latchkey::crypto {

QByteArray randomBytes(int size)
{
    if (size <= 0)
        return {};
    QByteArray out(size, Qt::Uninitialized);
    // Carrying on without randomness would hand out guessable tokens: stop instead.
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), size) != 1)
        qFatal("RAND_bytes failed: no secure randomness available");
    return out;
}

QByteArray sha256(QByteArrayView data)
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int length = 0;
    if (EVP_Digest(data.data(), size_t(data.size()), reinterpret_cast<unsigned char *>(out.data()),
                   &length, EVP_sha256(), nullptr) != 1 ||
        length != 32) {
        qFatal("EVP_Digest(SHA-256) failed");
    }
    return out;
}

QByteArray hmacSha256(QByteArrayView key, QByteArrayView data)
{
    // OpenSSL treats a null key as "reuse the previous one"; an empty key is a valid key.
    static const unsigned char emptyKey = 0;
    const auto *keyData =
        key.isEmpty() ? &emptyKey : reinterpret_cast<const unsigned char *>(key.data());
    static const unsigned char emptyData = 0;
    const auto *inData =
        data.isEmpty() ? &emptyData : reinterpret_cast<const unsigned char *>(data.data());
    QByteArray out(32, Qt::Uninitialized);
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), keyData, int(key.size()), inData, size_t(data.size()),
              reinterpret_cast<unsigned char *>(out.data()), &length) ||
        length != 32) {
        qFatal("HMAC(SHA-256) failed");
    }
    return out;
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    // The length is not secret (MACs and hashes have fixed sizes); only the contents are.
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    return CRYPTO_memcmp(a.data(), b.data(), size_t(a.size())) == 0;
}

namespace {
constexpr int nonceBytes = 12;
constexpr int tagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

unsigned char *out(QByteArray &bytes, qsizetype at)
{
    return reinterpret_cast<unsigned char *>(bytes.data()) + at;
}

const unsigned char *in(QByteArrayView bytes, qsizetype at = 0)
{
    // EVP wants a valid pointer even for zero bytes.
    static const unsigned char none = 0;
    return bytes.isEmpty() ? &none : reinterpret_cast<const unsigned char *>(bytes.data()) + at;
}

//! A GCM context for \a key and \a nonce with \a associated fed in, encrypting or decrypting.
CipherCtx gcm(QByteArrayView key, QByteArrayView nonce, QByteArrayView associated, bool encrypt)
{
    if (key.size() != 32)
        qFatal("AES-256-GCM needs a 32-byte key");
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int length = 0;
    if (!ctx ||
        EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, nonceBytes, nullptr) != 1 ||
        EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, in(key), in(nonce), encrypt) != 1 ||
        EVP_CipherUpdate(ctx.get(), nullptr, &length, in(associated), int(associated.size())) != 1)
        qFatal("EVP AES-256-GCM setup failed");
    return ctx;
}
} // namespace

QByteArray aes256GcmSeal(QByteArrayView key, QByteArrayView plain, QByteArrayView associated)
{
    QByteArray box = randomBytes(nonceBytes);
    box.resize(nonceBytes + plain.size() + tagBytes);
    const CipherCtx ctx = gcm(key, QByteArrayView(box).first(nonceBytes), associated, true);
    int length = 0;
    int tail = 0;
    if (EVP_CipherUpdate(ctx.get(), out(box, nonceBytes), &length, in(plain), int(plain.size())) !=
            1 ||
        EVP_CipherFinal_ex(ctx.get(), out(box, nonceBytes + length), &tail) != 1 ||
        length + tail != plain.size() ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tagBytes,
                            out(box, nonceBytes + plain.size())) != 1)
        qFatal("EVP AES-256-GCM encryption failed");
    return box;
}

std::optional<QByteArray> aes256GcmOpen(QByteArrayView key, QByteArrayView box,
                                        QByteArrayView associated)
{
    if (box.size() < sealOverhead)
        return std::nullopt;
    const qsizetype size = box.size() - sealOverhead;
    const CipherCtx ctx = gcm(key, box.first(nonceBytes), associated, false);
    QByteArray plain(size, Qt::Uninitialized);
    int length = 0;
    int tail = 0;
    // The tag is set before the final call, which checks it; nothing is returned unchecked.
    QByteArray tag = box.last(tagBytes).toByteArray();
    if (EVP_CipherUpdate(ctx.get(), out(plain, 0), &length, in(box, nonceBytes), int(size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tagBytes, tag.data()) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out(plain, length), &tail) != 1 || length + tail != size)
        return std::nullopt;
    return plain;
}

} // namespace latchkey::crypto
