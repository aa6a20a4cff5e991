// Reading JSON request fields and writing the JSON answers the account routes share.
#pragma once

#include "auth/session.h"
#include "db/userstore.h"
#include "http/httpresponse.h"

#include <latchkey/error.h>
#include <latchkey/user.h>

#include <QJsonArray>
#include <QJsonObject>

#include <functional>
#include <optional>

namespace latchkey::json {

//! The string field \a name: MissingField when absent (or null), InvalidField when not a string.
Result<QString> stringField(const QJsonObject &body, const char *name);

//! ISO-8601 UTC with milliseconds, as every answer writes times; null when \a t is invalid.
QJsonValue time(const QDateTime &t);

//! [toJson(item), …] for \a items, e.g. list(tokens, &ApiTokenRow::toJson).
template <typename T, typename F> QJsonArray list(const QList<T> &items, F toJson)
{
    QJsonArray out;
    for (const T &item : items)
        out.append(std::invoke(toJson, item));
    return out;
}

//! {"status":"success", "<name>": items}: the answer of every collection route.
inline QJsonObject collection(const char *name, const QJsonArray &items)
{
    return {{QStringLiteral("status"), QStringLiteral("success")},
            {QString::fromLatin1(name), items}};
}

//! The integer field \a name when present: InvalidField when not a whole number in
//! [\a min, \a max]; std::nullopt when absent.
Result<std::optional<qint64>> optionalInteger(const QJsonObject &body, const char *name, qint64 min,
                                              qint64 max);

//! [{"provider","subject","email","created_at"}]: GET /api/identities and the data export.
QJsonArray identities(const QList<LinkedIdentity> &identities);

//! {"status":"success","user":U}
QJsonObject success(const User &user);

//! 200 {"status":"success","user","access_token","refresh_token","token_type","expires_in"}
HttpResponse session(const IssuedSession &session);

} // namespace latchkey::json
