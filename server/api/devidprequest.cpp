// Validation of the development provider's authorization requests.
#include "devidprequest.h"

#include <QUrl>

namespace latchkey::devidp {

using namespace Qt::Literals::StringLiterals;

namespace {
Error invalid(const QString &message)
{
    return {ErrorCode::InvalidField, message};
}
} // namespace

bool isLoopbackRedirect(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != "http"_L1 || url.port() < 1 || url.hasFragment() ||
        !url.userInfo().isEmpty())
        return false;
    return url.host() == "127.0.0.1"_L1 || url.host() == "::1"_L1;
}

bool isPkceValue(const QString &text)
{
    // RFC 7636 §4.1/§4.2: 43..128 unreserved characters (base64url of SHA-256 is 43).
    if (text.size() < 43 || text.size() > 128)
        return false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                        (u >= '0' && u <= '9') || u == '-' || u == '.' || u == '_' || u == '~';
        if (!ok)
            return false;
    }
    return true;
}

bool hasControl(const QString &text)
{
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return true;
    }
    return false;
}

bool isPlausibleEmail(const QString &email)
{
    const qsizetype at = email.indexOf(u'@');
    if (email.size() < 3 || email.size() > 254 || at <= 0 || at != email.lastIndexOf(u'@') ||
        at == email.size() - 1)
        return false;
    for (const QChar c : email) {
        if (c.isSpace())
            return false;
    }
    return !hasControl(email);
}

Status unredirectableProblem(const AuthorizeRequest &request, const QStringList &clientIds)
{
    if (request.clientId().isEmpty())
        return invalid(u"client_id is missing."_s);
    if (!clientIds.contains(request.clientId()))
        return invalid(
            u"client_id \"%1\" is not one of this server's development client IDs (%2; set "
            "them in providers.dev.client_ids)."_s.arg(request.clientId(),
                                                       clientIds.join(", "_L1)));
    if (request.redirectUri().isEmpty())
        return invalid(u"redirect_uri is missing."_s);
    if (!isLoopbackRedirect(request.redirectUri()))
        return invalid(u"redirect_uri \"%1\" is not a loopback redirect: it must be "
                       u"http://127.0.0.1:<port>/... or "
                       "http://[::1]:<port>/... (RFC 8252)."_s.arg(request.redirectUri()));
    return Done{};
}

Result<Done, OAuthError> redirectableProblem(const AuthorizeRequest &request)
{
    if (request.value("response_type") != "code"_L1)
        return OAuthError(u"unsupported_response_type"_s,
                          u"only response_type=code is supported"_s);
    if (request.value("code_challenge").isEmpty())
        return OAuthError(
            u"invalid_request"_s,
            u"PKCE is required: send code_challenge with code_challenge_method=S256"_s);
    if (request.value("code_challenge_method") != "S256"_L1)
        return OAuthError(u"invalid_request"_s, u"code_challenge_method must be S256"_s);
    if (!isPkceValue(request.value("code_challenge")))
        return OAuthError(u"invalid_request"_s,
                          u"code_challenge must be 43 to 128 base64url characters"_s);
    if (request.state().size() > 1024 || request.value("nonce").size() > 1024 ||
        request.value("scope").size() > 1024)
        return OAuthError(u"invalid_request"_s,
                          u"state, nonce and scope are limited to 1024 characters"_s);
    return Done{};
}

} // namespace latchkey::devidp
