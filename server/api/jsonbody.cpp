// JSON request fields and the success bodies of the wire API.
#include "jsonbody.h"

#include <cmath>

namespace latchkey::json {

Result<QString> stringField(const QJsonObject &body, const char *name)
{
    const QJsonValue v = body.value(QLatin1StringView(name));
    if (v.isUndefined() || v.isNull())
        return Error{ErrorCode::MissingField,
                     QStringLiteral("missing field: %1").arg(QLatin1StringView(name))};
    if (!v.isString())
        return Error{ErrorCode::InvalidField,
                     QStringLiteral("%1 must be a string").arg(QLatin1StringView(name))};
    return v.toString();
}

Result<std::optional<qint64>> optionalInteger(const QJsonObject &body, const char *name, qint64 min,
                                              qint64 max)
{
    const QJsonValue v = body.value(QLatin1StringView(name));
    if (v.isUndefined())
        return std::optional<qint64>();
    const double d = v.toDouble(-1.5);
    if (!v.isDouble() || d != std::floor(d) || d < double(min) || d > double(max))
        return Error{ErrorCode::InvalidField,
                     QStringLiteral("%1 must be a whole number from %2 to %3")
                         .arg(QLatin1StringView(name))
                         .arg(min)
                         .arg(max)};
    return std::optional<qint64>(qint64(d));
}

QJsonValue time(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonArray identities(const QList<LinkedIdentity> &identities)
{
    QJsonArray array;
    for (const LinkedIdentity &identity : identities) {
        array.append(QJsonObject{{QStringLiteral("provider"), identity.provider},
                                 {QStringLiteral("subject"), identity.subject},
                                 {QStringLiteral("email"), identity.email},
                                 {QStringLiteral("created_at"), time(identity.createdAt)},
                                 {QStringLiteral("token_kept"), identity.tokenKept}});
    }
    return array;
}

QJsonObject success(const User &user)
{
    return {{QStringLiteral("status"), QStringLiteral("success")},
            {QStringLiteral("user"), user.toJson()}};
}

HttpResponse session(const IssuedSession &session)
{
    QJsonObject body = success(session.user);
    body.insert(QStringLiteral("access_token"), QString::fromLatin1(session.accessToken));
    body.insert(QStringLiteral("refresh_token"), QString::fromLatin1(session.refreshToken));
    body.insert(QStringLiteral("token_type"), QStringLiteral("Bearer"));
    body.insert(QStringLiteral("expires_in"), session.expiresIn);
    return HttpResponse::json(200, body);
}

} // namespace latchkey::json
