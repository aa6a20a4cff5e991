// HTML and redirects of the development provider, every value escaped.
#include "devidppages.h"

#include <QUrl>

namespace latchkey::devidp {

using namespace Qt::Literals::StringLiterals;

namespace {
QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

} // namespace

HttpResponse page(int status, const QString &title, const QString &content)
{
    static const QString style =
        u"body{font-family:system-ui,sans-serif;margin:0;background:#f6f6f6;color:#222}"
        ".banner{background:#b00020;color:#fff;font-weight:bold;text-align:center;padding:.8em}"
        "main{max-width:32em;margin:2em auto;background:#fff;padding:1.5em 2em;border-radius:8px}"
        "label{display:block;margin:1em 0}input{display:block;width:100%;padding:.4em;"
        "box-sizing:border-box}button{padding:.5em 1.2em;margin-right:.5em}"
        ".small{color:#666;font-size:.85em;word-break:break-all}.error{color:#b00020}"_s;
    const QString html =
        u"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
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
    r.headers.emplaceBack("Content-Security-Policy",
                          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    r.headers.emplaceBack("X-Content-Type-Options", "nosniff");
    r.headers.emplaceBack("Referrer-Policy", "no-referrer");
    return r;
}

HttpResponse errorPage(const QString &message)
{
    return page(
        400, u"Development sign-in: error"_s,
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
        location +=
            separator + QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
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

HttpResponse signInForm(const AuthorizeRequest &request, const QString &name, const QString &email,
                        const QString &problem)
{
    QString hidden;
    for (const char *field : AuthorizeRequest::names) {
        hidden += u"<input type=\"hidden\" name=\"%1\" value=\"%2\">"_s.arg(
            QLatin1StringView(field), esc(request.value(field)));
    }
    const QString content =
        u"<h1>Sign in as…</h1>"
        "<p>The game <b>%1</b> asks who you are. This development provider checks no password: "
        "any name and e-mail address you enter are believed. The same e-mail address is always "
        "the same player.</p>%2"
        "<form method=\"post\" action=\"/dev-idp/approve\">%3"
        "<label>Name<input name=\"name\" value=\"%4\" maxlength=\"100\"></label>"
        "<label>E-mail<input name=\"email\" type=\"email\" value=\"%5\" maxlength=\"254\" "
        "required></label>"
        "<button type=\"submit\" name=\"action\" value=\"approve\">Sign in</button>"
        "<button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button>"
        "</form><p class=\"small\">Returns to %6</p>"_s.arg(
            esc(request.clientId()),
            problem.isEmpty() ? QString() : u"<p class=\"error\">%1</p>"_s.arg(esc(problem)),
            hidden, esc(name), esc(email), esc(request.redirectUri()));
    return page(problem.isEmpty() ? 200 : 400, u"Development sign-in"_s, content);
}

HttpResponse tokenError(QLatin1StringView error, const QString &description)
{
    HttpResponse r = HttpResponse::json(
        400, {{u"error"_s, QString(error)}, {u"error_description"_s, description}});
    r.headers.emplaceBack("Cache-Control", "no-store");
    return r;
}

} // namespace latchkey::devidp
