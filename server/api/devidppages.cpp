// HTML and redirects of the development provider, every value escaped.
#include "devidppages.h"

#include "htmlpage.h"

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
    return htmlPage(status, title, content, u"Development sign-in — not for production"_s);
}

HttpResponse errorPage(const QString &message)
{
    return page(
        400, u"Development sign-in: error"_s,
        u"<h1>This sign-in request cannot be used</h1><p class=\"error\">%1</p>"
        "<p>Fix the game's configuration (client ID, redirect URI) and start the login again.</p>"_s
            .arg(esc(message)));
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
