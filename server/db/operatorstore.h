// What operators change about users (migration 007): role, ban, progress, every session at
// once; and the search behind /admin/users and latchkey-admin find.
#pragma once

#include "database.h"

#include <latchkey/user.h>

namespace latchkey {

//! A user's standing as operators see it.
struct Standing
{
    QString status;      //!< "active" or "banned"
    QString banReason;   //!< empty when none was given (or not banned)
    qint64 bannedAt = 0; //!< Unix seconds; 0 when not banned
};

class OperatorStore
{
public:
    explicit OperatorStore(Database &db) : m_db(db) {}

    //! Users whose id is \a query or whose name or e-mail holds it (case-insensitively),
    //! with ids above \a after, by id, at most \a limit. An empty query finds everyone.
    Result<QList<User>> find(const QString &query, qint64 after, int limit);
    //! The user an operator names: a decimal id, an e-mail address (with "@"; InvalidField
    //! when several users share it), or a username (any case). NotFound when none.
    Result<User> named(const QString &who);
    //! NotFound when there is no such user.
    Result<Standing> standing(qint64 userId);
    //! NotFound when there is no such user (for the setters below too).
    Status setRole(qint64 userId, const QString &role);
    Status setProgress(qint64 userId, int stars, int level);
    //! Bans the user and ends every live session in one transaction.
    Status ban(qint64 userId, const QString &reason, qint64 nowSecs);
    Status unban(qint64 userId);
    //! Ends every live session of \a userId for \a reason; how many there were.
    Result<int> revokeSessions(qint64 userId, const QString &reason, qint64 nowSecs);

private:
    Result<QList<User>> users(const Statement &statement, const QVariant &key, const char *what);
    //! Runs an UPDATE of one user row; NotFound when it changed none.
    Status updateUser(qint64 userId, const Statement &statement,
                      std::initializer_list<QVariant> values, const char *what);

    Database &m_db;
};

} // namespace latchkey
