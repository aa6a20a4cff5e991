// JSON mapping of User, the wire shape seed clients already read.
#include <latchkey/user.h>

#include <QJsonValue>

namespace latchkey {

namespace {
QJsonValue timeToJson(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}
} // namespace

QJsonObject User::toJson() const
{
    return QJsonObject{
        {QStringLiteral("id"), id},
        {QStringLiteral("email"), email},
        {QStringLiteral("name"), name},
        {QStringLiteral("picture"), picture.isEmpty() ? QJsonValue() : QJsonValue(picture)},
        {QStringLiteral("stars"), stars},
        {QStringLiteral("level"), level},
        {QStringLiteral("created_at"), timeToJson(createdAt)},
        {QStringLiteral("last_login"), timeToJson(lastLogin)},
        {QStringLiteral("is_guest"), isGuest},
        {QStringLiteral("role"), role},
        {QStringLiteral("status"), status},
    };
}

Result<User> User::fromJson(const QJsonObject &json)
{
    const QJsonValue id = json.value(QLatin1StringView("id"));
    const QJsonValue name = json.value(QLatin1StringView("name"));
    if (!id.isDouble() || !name.isString())
        return Error{ErrorCode::InvalidField,
                     QStringLiteral("user JSON needs a numeric id and a name")};
    User u;
    u.id = id.toInteger();
    u.name = name.toString();
    u.email = json.value(QLatin1StringView("email")).toString();
    u.picture = json.value(QLatin1StringView("picture")).toString();
    u.stars = json.value(QLatin1StringView("stars")).toInt();
    u.level = json.value(QLatin1StringView("level")).toInt();
    u.createdAt = QDateTime::fromString(json.value(QLatin1StringView("created_at")).toString(),
                                        Qt::ISODateWithMs);
    u.lastLogin = QDateTime::fromString(json.value(QLatin1StringView("last_login")).toString(),
                                        Qt::ISODateWithMs);
    u.isGuest = json.value(QLatin1StringView("is_guest")).toBool();
    u.role = json.value(QLatin1StringView("role")).toString(QStringLiteral("player"));
    u.status = json.value(QLatin1StringView("status")).toString(QStringLiteral("active"));
    return u;
}

} // namespace latchkey
