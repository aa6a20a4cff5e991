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

//! A Bearer call's session: the access token's claims and the user as just read; or, for
//! an API token ("lk_…"), that token's id and scopes (claims.sessionId is then 0).
struct AuthenticatedSession
{
    AccessClaims claims;
    User user;
    qint64 tokenId = 0;
    QStringList scopes; //!< an API token's: "api", "admin"

    //! Whether this caller may use routes of \a scope ("api" or "admin"): a session has
    //! every scope its user's role allows; an API token only those it was made with, and
    //! "admin" only while its user is an admin.
    bool allows(QLatin1StringView scope) const
    {
        const bool adminOnly = scope == QLatin1StringView("admin");
        if (adminOnly && user.role != QLatin1StringView("admin"))
            return false;
        return tokenId == 0 || scopes.contains(scope);
    }
};

} // namespace latchkey
