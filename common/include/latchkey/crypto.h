// Small wrappers over OpenSSL: randomness, SHA-256, HMAC, constant-time comparison.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace latchkey::crypto {

//! \a size bytes from the operating system's CSPRNG (OpenSSL RAND_bytes); aborts if it fails.
QByteArray randomBytes(int size);
QByteArray sha256(QByteArrayView data);
QByteArray hmacSha256(QByteArrayView key, QByteArrayView data);
//! Comparison whose time does not depend on where the inputs differ (CRYPTO_memcmp).
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

} // namespace latchkey::crypto
