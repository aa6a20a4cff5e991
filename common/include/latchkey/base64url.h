// base64url without padding (RFC 4648 §5), as JWTs and our refresh tokens use it.
#pragma once

#include <latchkey/error.h>

#include <QByteArray>
#include <QByteArrayView>

namespace latchkey::base64url {

QByteArray encode(QByteArrayView data);
//! Strict decoding: BadRequest on any character outside the alphabet, on padding, or on
//! unused bits that are not zero.
Result<QByteArray> decode(QByteArrayView text);

} // namespace latchkey::base64url
