// The page layout and the headers every page carries.
#include "htmlpage.h"

#include <QUrl>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

HttpResponse htmlPage(int status, const QString &title, const QString &content,
                      const QString &banner)
{
    static const QString style =
        u"body{font-family:system-ui,sans-serif;margin:0;background:#f6f6f6;color:#222}"
        ".banner{background:#b00020;color:#fff;font-weight:bold;text-align:center;padding:.8em}"
        "main{max-width:32em;margin:2em auto;background:#fff;padding:1.5em 2em;border-radius:8px}"
        "label{display:block;margin:1em 0}input{display:block;width:100%;padding:.4em;"
        "box-sizing:border-box}button{padding:.5em 1.2em;margin-right:.5em}"
        ".small{color:#666;font-size:.85em;word-break:break-all}.error{color:#b00020}"
        ".providers a{display:block;margin:.6em 0;padding:.7em 1em;border:1px solid #ccc;"
        "border-radius:6px;text-decoration:none;color:#222}.providers a:hover{background:#eef}"_s;
    const QString bannerHtml =
        banner.isEmpty()
            ? QString()
            : u"<div class=\"banner\" role=\"alert\">%1</div>"_s.arg(banner.toHtmlEscaped());
    const QString html =
        u"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>%1</title><style>%2</style></head><body>%3<main>%4</main></body></html>\n"_s.arg(
            title.toHtmlEscaped(), style, bannerHtml, content);
    HttpResponse r;
    r.status = status;
    r.contentType = QByteArrayLiteral("text/html; charset=utf-8");
    r.body = html.toUtf8();
    r.headers.emplaceBack("Cache-Control", "no-store");
    // Defence in depth behind the escaping: no script runs, no other site frames the page.
    // (No form-action: browsers apply it to the redirect back to the game's loopback port.)
    r.headers.emplaceBack("Content-Security-Policy",
                          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    r.headers.emplaceBack("X-Content-Type-Options", "nosniff");
    r.headers.emplaceBack("Referrer-Policy", "no-referrer");
    return r;
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

} // namespace latchkey
