// OpenSSL behind a Qt-shaped interface, so the rest of Latchkey never handles raw buffers.
#include <latchkey/crypto.h>

#include <QtGlobal>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

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

} // namespace latchkey::crypto
