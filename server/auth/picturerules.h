// What a player's picture URL may be: other players' clients fetch it, so it must be an
// https address that says what it is.
#pragma once

#include <latchkey/error.h>

#include <QString>

namespace latchkey {

//! InvalidPicture unless \a url is an https URL of at most 2048 characters with a host, no
//! user info ("https://google.com@evil.example/" is evil.example) and no control or format
//! characters (bidi overrides, zero-width characters), whose host is not an IP address that
//! is loopback, link-local, private, shared (CGNAT), unspecified or multicast — the other
//! players' clients would fetch it from inside their own network — unless
//! \a allowPrivateHosts (security.allow_private_picture_hosts, for development).
Status checkPictureUrl(const QString &url, bool allowPrivateHosts = false);

} // namespace latchkey
