// What a player's picture URL may be: other players' clients fetch it, so it must be an
// https address that says what it is.
#pragma once

#include <latchkey/error.h>

#include <QString>

namespace latchkey {

//! InvalidPicture unless \a url is an https URL of at most 2048 characters with a host, no
//! user info ("https://google.com@evil.example/" is evil.example) and no control or format
//! characters (bidi overrides, zero-width characters).
Status checkPictureUrl(const QString &url);

} // namespace latchkey
