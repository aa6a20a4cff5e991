// ApiService's /dev-idp/ routes: the development identity provider's pages and endpoints
// (discovery, authorize form, approve, token, JWKS), for a clone that has no Google project.
#include "apiservice.h"

#include "http/httprequest.h"

#include <QHash>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrl>

#include <optional>

Q_LOGGING_CATEGORY(lcDevIdp, "latchkey.devidp")

namespace latchkey {

namespace {
using namespace Qt::Literals::StringLiterals;

using Fields = QHash<QString, QString>;

//! application/x-www-form-urlencoded (a query or a form body); std::nullopt when a name
//! appears twice (RFC 6749 §3.1: parameters must not be repeated).
std::optional<Fields> parseForm(QByteArrayView text)
{
    Fields fields;
    if (text.isEmpty())
        return fields;
    const QList<QByteArray> pairs = text.toByteArray().split('&');
    for (QByteArrayView pair : pairs) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        const auto decode = [](QByteArrayView part) {
            QByteArray bytes = part.toByteArray();
            bytes.replace('+', ' ');
            return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
        };
        const QString name = decode(equals < 0 ? pair : pair.first(equals));
        if (fields.contains(name))
            return std::nullopt;
        fields.insert(name, equals < 0 ? QString() : decode(pair.sliced(equals + 1)));
    }
    return fields;
}

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

HttpResponse page(int status, const QString &title, const QString &content)
{
    static const QString style = u"body{font-family:system-ui,sans-serif;margin:0;background:#f6f6f6;color:#222}"
                                 ".banner{background:#b00020;color:#fff;font-weight:bold;text-align:center;padding:.8em}"
                                 "main{max-width:32em;margin:2em auto;background:#fff;padding:1.5em 2em;border-radius:8px}"
                                 "label{display:block;margin:1em 0}input{display:block;width:100%;padding:.4em;"
                                 "box-sizing:border-box}button{padding:.5em 1.2em;margin-right:.5em}"
                                 ".small{color:#666;font-size:.85em;word-break:break-all}.error{color:#b00020}"_s;
    const QString html = u"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                         "<title>%1</title><style>%2</style></head><body>"
                         "<div class=\"banner\" role=\"alert\">Development sign-in — not for production</div>"
                         "<main>%3</main></body></html>\n"_s.arg(esc(title), style, content);
    HttpResponse r;
    r.status = status;
    r.contentType = QByteArrayLiteral("text/html; charset=utf-8");
    r.body = html.toUtf8();
    r.headers.emplaceBack("Cache-Control", "no-store");
    // Defence in depth behind the escaping: no script runs, no other site frames the form.
    r.headers.emplaceBack("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    r.headers.emplaceBack("X-Content-Type-Options", "nosniff");
    r.headers.emplaceBack("Referrer-Policy", "no-referrer");
    return r;
}

HttpResponse errorPage(const QString &message)
{
    return page(400, u"Development sign-in: error"_s,
                u"<h1>This sign-in request cannot be used</h1><p class=\"error\">%1</p>"
                "<p>Fix the game's configuration (client ID, redirect URI) and start the login again.</p>"_s
                    .arg(esc(message)));
}

HttpResponse redirect(const QString &redirectUri, const QList<QPair<QString, QString>> &parameters)
{
    // The redirect URI was validated (http, loopback, no fragment); toEncoded() keeps CR/LF
    // and other bytes out of the header.
    QByteArray location = QUrl(redirectUri, QUrl::StrictMode).toEncoded();
    char separator = location.contains('?') ? '&' : '?';
    for (const auto &[name, value] : parameters) {
        location += separator + QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
        separator = '&';
    }
    HttpResponse r;
    r.status = 302;
    r.contentType = QByteArrayLiteral("text/plain; charset=utf-8");
    r.body = "Redirecting to the game.\n";
    r.headers.emplaceBack("Location", location);
    r.headers.emplaceBack("Cache-Control", "no-store");
    return r;
}

//! RFC 8252 §7.3: http on a loopback IP literal with a port; any port, any path.
bool isLoopbackRedirect(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != "http"_L1 || url.port() < 1 || url.hasFragment()
        || !url.userInfo().isEmpty())
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
        const bool ok = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-'
                        || u == '.' || u == '_' || u == '~';
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

//! An e-mail address the form accepts: one '@' with text on both sides, no blanks.
bool isPlausibleEmail(const QString &email)
{
    const qsizetype at = email.indexOf(u'@');
    if (email.size() < 3 || email.size() > 254 || at <= 0 || at != email.lastIndexOf(u'@') || at == email.size() - 1)
        return false;
    for (const QChar c : email) {
        if (c.isSpace())
            return false;
    }
    return !hasControl(email);
}

//! The authorization request's parameters, as /authorize received them and the form carries them.
struct AuthorizeRequest
{
    static constexpr const char *names[] = {"response_type", "client_id", "redirect_uri", "scope", "state",
                                            "nonce", "code_challenge", "code_challenge_method"};
    Fields fields;

    QString value(const char *name) const { return fields.value(QLatin1StringView(name)); }
    QString clientId() const { return value("client_id"); }
    QString redirectUri() const { return value("redirect_uri"); }
    QString state() const { return value("state"); }
};

//! What is wrong with a request that must not be sent back to its redirect URI (an unknown
//! client or a non-loopback redirect could hand the answer to someone else).
std::optional<QString> unredirectableProblem(const AuthorizeRequest &request, const QStringList &clientIds)
{
    if (request.clientId().isEmpty())
        return u"client_id is missing."_s;
    if (!clientIds.contains(request.clientId()))
        return u"client_id \"%1\" is not one of this server's development client IDs (%2; set them in "
               "providers.dev.client_ids)."_s.arg(request.clientId(), clientIds.join(", "_L1));
    if (request.redirectUri().isEmpty())
        return u"redirect_uri is missing."_s;
    if (!isLoopbackRedirect(request.redirectUri()))
        return u"redirect_uri \"%1\" is not a loopback redirect: it must be http://127.0.0.1:<port>/... or "
               "http://[::1]:<port>/... (RFC 8252)."_s.arg(request.redirectUri());
    return std::nullopt;
}

//! RFC 6749 §4.1.2.1 error (and description) for a request whose redirect URI is trusted.
std::optional<QPair<QString, QString>> redirectableProblem(const AuthorizeRequest &request)
{
    if (request.value("response_type") != "code"_L1)
        return qMakePair(u"unsupported_response_type"_s, u"only response_type=code is supported"_s);
    if (request.value("code_challenge").isEmpty())
        return qMakePair(u"invalid_request"_s, u"PKCE is required: send code_challenge with code_challenge_method=S256"_s);
    if (request.value("code_challenge_method") != "S256"_L1)
        return qMakePair(u"invalid_request"_s, u"code_challenge_method must be S256"_s);
    if (!isPkceValue(request.value("code_challenge")))
        return qMakePair(u"invalid_request"_s, u"code_challenge must be 43 to 128 base64url characters"_s);
    if (request.state().size() > 1024 || request.value("nonce").size() > 1024 || request.value("scope").size() > 1024)
        return qMakePair(u"invalid_request"_s, u"state, nonce and scope are limited to 1024 characters"_s);
    return std::nullopt;
}

HttpResponse signInForm(const AuthorizeRequest &request, const QString &name, const QString &email,
                        const QString &problem = {})
{
    QString hidden;
    for (const char *field : AuthorizeRequest::names) {
        hidden += u"<input type=\"hidden\" name=\"%1\" value=\"%2\">"_s.arg(QLatin1StringView(field),
                                                                            esc(request.value(field)));
    }
    const QString content =
        u"<h1>Sign in as…</h1>"
        "<p>The game <b>%1</b> asks who you are. This development provider checks no password: "
        "any name and e-mail address you enter are believed. The same e-mail address is always "
        "the same player.</p>%2"
        "<form method=\"post\" action=\"/dev-idp/approve\">%3"
        "<label>Name<input name=\"name\" value=\"%4\" maxlength=\"100\"></label>"
        "<label>E-mail<input name=\"email\" type=\"email\" value=\"%5\" maxlength=\"254\" required></label>"
        "<button type=\"submit\" name=\"action\" value=\"approve\">Sign in</button>"
        "<button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button>"
        "</form><p class=\"small\">Returns to %6</p>"_s.arg(
            esc(request.clientId()),
            problem.isEmpty() ? QString() : u"<p class=\"error\">%1</p>"_s.arg(esc(problem)), hidden, esc(name),
            esc(email), esc(request.redirectUri()));
    return page(problem.isEmpty() ? 200 : 400, u"Development sign-in"_s, content);
}

HttpResponse tokenError(QLatin1StringView error, const QString &description)
{
    HttpResponse r = HttpResponse::json(400, {{u"error"_s, QString(error)}, {u"error_description"_s, description}});
    r.headers.emplaceBack("Cache-Control", "no-store");
    return r;
}
} // namespace

void ApiService::devDiscovery(Call &call)
{
    call.responder.send(HttpResponse::json(200, m_context.devIdp->discovery()));
}

void ApiService::devJwks(Call &call)
{
    call.responder.send(HttpResponse::json(200, m_context.devIdp->jwks()));
}

namespace {
//! The authorization request in \a form, checked; std::nullopt when it was refused (the
//! refusal, an error page or a redirect with error=, has been sent).
std::optional<AuthorizeRequest> checkedRequest(const ApiService::Call &call, const QByteArray &form,
                                               const QStringList &clientIds)
{
    std::optional<Fields> fields = parseForm(form);
    if (!fields) {
        call.responder.send(errorPage(u"A parameter appears more than once in the request."_s));
        return std::nullopt;
    }
    AuthorizeRequest request{*fields};
    if (const auto problem = unredirectableProblem(request, clientIds)) {
        call.responder.send(errorPage(*problem));
        return std::nullopt;
    }
    if (const auto problem = redirectableProblem(request)) {
        call.responder.send(redirect(request.redirectUri(), {{u"error"_s, problem->first},
                                                             {u"error_description"_s, problem->second},
                                                             {u"state"_s, request.state()}}));
        return std::nullopt;
    }
    return request;
}
} // namespace

void ApiService::devAuthorize(Call &call)
{
    if (const auto request = checkedRequest(call, call.http.query, m_context.devIdp->clientIds()))
        call.responder.send(signInForm(*request, u"Dev Player"_s, u"player@example.com"_s));
}

void ApiService::devApprove(Call &call)
{
    const auto checked = checkedRequest(call, call.http.method == "GET" ? call.http.query : call.http.body,
                                        m_context.devIdp->clientIds());
    if (!checked)
        return;
    const AuthorizeRequest &request = *checked;
    const Fields *fields = &request.fields;
    if (fields->value(u"action"_s) == "cancel"_L1) {
        call.responder.send(redirect(request.redirectUri(), {{u"error"_s, u"access_denied"_s},
                                                             {u"state"_s, request.state()}}));
        return;
    }
    const QString email = fields->value(u"email"_s).trimmed();
    QString name = fields->value(u"name"_s).trimmed();
    if (!isPlausibleEmail(email)) {
        call.responder.send(signInForm(request, name, email, u"Enter an e-mail address, such as player@example.com."_s));
        return;
    }
    if (name.size() > 100 || hasControl(name)) {
        call.responder.send(signInForm(request, name.left(100), email, u"Enter a name of at most 100 characters."_s));
        return;
    }
    if (name.isEmpty())
        name = email.left(email.indexOf(u'@'));
    const QByteArray code = m_context.devIdp->issueCode({request.clientId(), request.redirectUri(),
                                                         request.value("code_challenge"), request.value("nonce"),
                                                         name, email, 0});
    if (code.isEmpty()) {
        qCWarning(lcDevIdp) << "too many unused authorization codes; refusing a sign-in";
        call.responder.send(redirect(request.redirectUri(), {{u"error"_s, u"temporarily_unavailable"_s},
                                                             {u"state"_s, request.state()}}));
        return;
    }
    qCInfo(lcDevIdp).noquote() << "development sign-in approved for" << email << "by client" << request.clientId();
    call.responder.send(redirect(request.redirectUri(), {{u"code"_s, QString::fromLatin1(code)},
                                                         {u"state"_s, request.state()}}));
}

void ApiService::devToken(Call &call)
{
    const std::optional<Fields> fields = parseForm(call.http.body);
    if (!fields) {
        call.responder.send(tokenError("invalid_request"_L1, u"a parameter appears more than once"_s));
        return;
    }
    const QString grantType = fields->value(u"grant_type"_s);
    if (grantType.isEmpty()) {
        call.responder.send(tokenError("invalid_request"_L1, u"grant_type is missing"_s));
        return;
    }
    if (grantType != "authorization_code"_L1) {
        call.responder.send(tokenError("unsupported_grant_type"_L1, u"only authorization_code is supported"_s));
        return;
    }
    for (const QString &required : {u"code"_s, u"redirect_uri"_s, u"client_id"_s, u"code_verifier"_s}) {
        if (fields->value(required).isEmpty()) {
            call.responder.send(tokenError("invalid_request"_L1, u"%1 is missing"_s.arg(required)));
            return;
        }
    }
    auto result = m_context.devIdp->redeem(fields->value(u"code"_s), fields->value(u"client_id"_s),
                                           fields->value(u"redirect_uri"_s), fields->value(u"code_verifier"_s));
    if (const auto *error = std::get_if<DevIdentityProvider::TokenError>(&result)) {
        call.responder.send(tokenError(error->error, error->description));
        return;
    }
    HttpResponse r = HttpResponse::json(200, std::get<QJsonObject>(result));
    r.headers.emplaceBack("Cache-Control", "no-store");
    r.headers.emplaceBack("Pragma", "no-cache");
    call.responder.send(std::move(r));
}

} // namespace latchkey
