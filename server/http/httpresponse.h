// An HTTP response, and the JSON error body every Latchkey error has.
#pragma once

#include <latchkey/error.h>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace latchkey {

struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers; //!< besides Content-Length/Type, Connection, Date
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray body;

    static HttpResponse json(int status, const QJsonObject &object);
    //! {"status":"error","message","code"} with the code's status; 401s carry
    //! WWW-Authenticate: Bearer error="invalid_token" where RFC 6750 asks for it.
    static HttpResponse error(const Error &error);
};

//! "Not Found" etc. for the status line.
QByteArray reasonPhrase(int status);

} // namespace latchkey
