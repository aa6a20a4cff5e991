// The development provider's authorization request (RFC 6749 §4.1.1 + PKCE) and its checks.
#pragma once

#include "http/formdata.h"

#include <latchkey/error.h>

#include <QPair>
#include <QStringList>

namespace latchkey::devidp {

//! The authorization request's parameters, as /authorize received them and the form carries them.
struct AuthorizeRequest
{
    static constexpr const char *names[] = {
        "response_type", "client_id", "redirect_uri",   "scope",
        "state",         "nonce",     "code_challenge", "code_challenge_method"};
    FormFields fields;

    QString value(const char *name) const { return fields.value(QLatin1StringView(name)); }
    QString clientId() const { return value("client_id"); }
    QString redirectUri() const { return value("redirect_uri"); }
    QString state() const { return value("state"); }
};

//! An OAuth error code and its description (RFC 6749 §4.1.2.1, §5.2).
using OAuthError = QPair<QString, QString>;

//! RFC 8252 §7.3: http on a loopback IP literal with a port; any port, any path.
bool isLoopbackRedirect(const QString &text);
//! RFC 7636 §4.1/§4.2: 43..128 unreserved characters.
bool isPkceValue(const QString &text);
bool hasControl(const QString &text);
//! An e-mail address the form accepts: one '@' with text on both sides, no blanks.
bool isPlausibleEmail(const QString &email);

//! What is wrong with a request that must not be sent back to its redirect URI (an unknown
//! client or a non-loopback redirect could hand the answer to someone else): InvalidField
//! with a message for the error page.
Status unredirectableProblem(const AuthorizeRequest &request, const QStringList &clientIds);
//! The RFC 6749 §4.1.2.1 error for a request whose redirect URI is trusted.
Result<Done, OAuthError> redirectableProblem(const AuthorizeRequest &request);

} // namespace latchkey::devidp
