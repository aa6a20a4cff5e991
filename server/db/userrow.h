// The mapping of a user row (the columns user-returning statements select) to User.
#pragma once

#include <latchkey/user.h>

#include <QSqlQuery>
#include <QVariant>

namespace latchkey {

//! Reads u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,
//! u.is_guest, u.role, u.status (the
//! select list of the user statements in statements.h) in this order, from column \a first.
inline User userFromRow(const QSqlQuery &q, int first = 0)
{
    const auto value = [&q, first](int column) { return q.value(first + column); };
    User u;
    u.id = value(0).toLongLong();
    u.email = value(1).toString();
    u.name = value(2).toString();
    u.picture = value(3).toString();
    u.stars = value(4).toInt();
    u.level = value(5).toInt();
    u.createdAt = value(6).toDateTime().toUTC();
    u.lastLogin = value(7).toDateTime().toUTC();
    u.isGuest = value(8).toBool();
    u.role = value(9).toString();
    u.status = value(10).toString();
    return u;
}

} // namespace latchkey
