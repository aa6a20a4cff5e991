// What the sign-in and session services take and give: the caller, an opened session's
// tokens, an authenticated call's session.
#pragma once

#include "tokenissuer.h"

#include <latchkey/user.h>

#include <QHostAddress>
#include <QString>

namespace latchkey {

//! Who is calling, as the audit log and the failure limiter see it.
struct ClientInfo
{
    QHostAddress address;
    QString userAgent;
};

//! A session just opened or refreshed, and the tokens that carry it.
struct IssuedSession
{
    User user;
    qint64 sessionId = 0;
    QByteArray accessToken;
    QByteArray refreshToken;
    int expiresIn = 0; //!< the access token's lifetime in seconds
};

//! A Bearer call's session: the access token's claims and the user as just read.
struct AuthenticatedSession
{
    AccessClaims claims;
    User user;
};

} // namespace latchkey
