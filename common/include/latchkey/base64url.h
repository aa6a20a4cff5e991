// base64url without padding (RFC 4648 §5), as JWTs and our refresh tokens use it.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace latchkey::base64url {

QByteArray encode(QByteArrayView data);
//! Strict decoding: std::nullopt on any character outside the alphabet or on padding.
std::optional<QByteArray> decode(QByteArrayView text);

} // namespace latchkey::base64url
