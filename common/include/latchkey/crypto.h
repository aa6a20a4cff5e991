// Small wrappers over OpenSSL: randomness, SHA-256, HMAC, constant-time comparison, AES-256-GCM.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace latchkey::crypto {

//! \a size bytes from the operating system's CSPRNG (OpenSSL RAND_bytes); aborts if it fails.
QByteArray randomBytes(int size);
QByteArray sha256(QByteArrayView data);
QByteArray hmacSha256(QByteArrayView key, QByteArrayView data);
//! Comparison whose time does not depend on where the inputs differ (CRYPTO_memcmp).
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

//! Bytes a sealed box adds to its plain text: a 12-byte random nonce before, a 16-byte tag after.
inline constexpr int sealOverhead = 12 + 16;
//! AES-256-GCM of \a plain under \a key (32 bytes) with a fresh random nonce, authenticating
//! \a associated too (not stored: open() needs the same). nonce | ciphertext | tag.
QByteArray aes256GcmSeal(QByteArrayView key, QByteArrayView plain, QByteArrayView associated);
//! The plain text of a box aes256GcmSeal() made; nullopt when the key, the associated data or
//! any byte of the box differs.
std::optional<QByteArray> aes256GcmOpen(QByteArrayView key, QByteArrayView box,
                                        QByteArrayView associated);

} // namespace latchkey::crypto
