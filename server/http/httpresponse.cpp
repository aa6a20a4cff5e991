// JSON responses and the shared error shape.
#include "httpresponse.h"

#include <QJsonDocument>

namespace latchkey {

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse HttpResponse::error(const Error &error)
{
    HttpResponse r = json(httpStatus(error.code),
                          QJsonObject{{QStringLiteral("status"), QStringLiteral("error")},
                                      {QStringLiteral("message"), error.message},
                                      {QStringLiteral("code"), QString(wireName(error.code))}});
    if (error.code == ErrorCode::InvalidToken)
        r.headers.emplaceBack("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    if (error.retryAfterSecs > 0)
        r.headers.emplaceBack("Retry-After", QByteArray::number(error.retryAfterSecs));
    return r;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

} // namespace latchkey
