// The player as the account server sends it: the `user` object of every success answer.
#pragma once

#include <latchkey/error.h>
#include <latchkey/latchkey_common_export.h>

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace latchkey {

struct LATCHKEY_COMMON_EXPORT User
{
    qint64 id = 0;
    QString email;
    QString name; //!< the username, unique without regard to case
    QString picture;
    int stars = 0;
    int level = 0;
    QDateTime createdAt;
    QDateTime lastLogin;
    bool isGuest = false;                      //!< a guest account (no provider identity yet)
    QString role = QStringLiteral("player");   //!< "player" or "admin"
    QString status = QStringLiteral("active"); //!< "active" or "banned" (by an operator)

    //! {"id","email","name","picture","stars","level","created_at","last_login","is_guest",
    //! "role","status"} with ISO-8601 UTC times; an absent picture is null. fromJson() takes
    //! answers of seed-generation servers too (no is_guest: false; no role: "player"; no
    //! status: "active").
    QJsonObject toJson() const;
    static Result<User> fromJson(const QJsonObject &json);

    bool operator==(const User &) const = default;
};

} // namespace latchkey
