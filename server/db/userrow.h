// The mapping of a user row (the columns user-returning statements select) to User.
#pragma once

#include <latchkey/user.h>

#include <QSqlQuery>
#include <QVariant>

namespace latchkey {

//! Reads u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,
//! u.is_guest, u.role (the
//! select list of the user statements in statements.h) in this order.
inline User userFromRow(const QSqlQuery &q)
{
    User u;
    u.id = q.value(0).toLongLong();
    u.email = q.value(1).toString();
    u.name = q.value(2).toString();
    u.picture = q.value(3).toString();
    u.stars = q.value(4).toInt();
    u.level = q.value(5).toInt();
    u.createdAt = q.value(6).toDateTime().toUTC();
    u.lastLogin = q.value(7).toDateTime().toUTC();
    u.isGuest = q.value(8).toBool();
    u.role = q.value(9).toString();
    return u;
}

} // namespace latchkey
