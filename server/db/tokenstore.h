// API tokens (table api_tokens, migration 007): long-lived Bearer credentials for tools and
// game back ends, stored as the SHA-256 of the token only.
#pragma once

#include "database.h"

#include <latchkey/user.h>

namespace latchkey {

struct ApiTokenRow
{
    qint64 id = 0;
    qint64 userId = 0;
    QString name;
    QStringList scopes;    //!< "api", "admin"
    qint64 createdAt = 0;  //!< Unix seconds
    qint64 expiresAt = 0;  //!< 0: never
    qint64 lastUsedAt = 0; //!< 0: never used

    //! {"id","name","scopes","created_at","expires_at","last_used_at"}: ISO-8601 times or null.
    QJsonObject toJson() const;
};

class TokenStore
{
public:
    explicit TokenStore(Database &db) : m_db(db) {}

    //! The new token's id.
    Result<qint64> insert(const ApiTokenRow &token, const QString &hash);
    Result<QList<ApiTokenRow>> ofUser(qint64 userId);
    //! NotFound when \a userId has no token \a id.
    Status remove(qint64 userId, qint64 id);
    //! The token whose SHA-256 is \a hash and its user; NotFound when there is none.
    Result<std::pair<ApiTokenRow, User>> byHash(const QString &hash);
    Status touch(qint64 id, qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace latchkey
