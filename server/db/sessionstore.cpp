// SQL for sessions; the rotation is a single conditional row update.
#include "sessionstore.h"

#include "userrow.h"

namespace latchkey {

Result<SessionRecord> SessionStore::create(qint64 userId, qint64 nowSecs, qint64 expiresAt,
                                           const QString &clientIp, const QString &userAgent,
                                           int maxSessions)
{
    QSqlQuery *insert = m_db.prepared(
        "INSERT INTO sessions (user_id, counter, created_at, refreshed_at, expires_at, client_ip,"
        " user_agent) VALUES (?, 0, ?, ?, ?, ?, ?) RETURNING id");
    QSqlQuery *trim = m_db.prepared(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = 'session_limit'"
        " WHERE user_id = ? AND revoked_at IS NULL AND id NOT IN"
        " (SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC LIMIT ?)");
    if (!insert || !trim)
        return m_db.prepareFailure();
    // One transaction: a session that could not be bounded must not stay live.
    if (!m_db.begin())
        return m_db.prepareFailure();
    insert->bindValue(0, userId);
    insert->bindValue(1, nowSecs);
    insert->bindValue(2, nowSecs);
    insert->bindValue(3, expiresAt);
    insert->bindValue(4, clientIp);
    insert->bindValue(5, userAgent.left(256));
    if (!insert->exec() || !insert->next())
        return m_db.failure(*insert, "creating a session");
    SessionRecord record{insert->value(0).toLongLong(), userId, 0, nowSecs, expiresAt, false};
    insert->finish();

    trim->bindValue(0, nowSecs);
    trim->bindValue(1, userId);
    trim->bindValue(2, userId);
    trim->bindValue(3, maxSessions);
    if (!trim->exec())
        return m_db.failure(*trim, "bounding sessions per user");
    if (!m_db.commit())
        return m_db.prepareFailure();
    return record;
}

Result<std::optional<User>> SessionStore::advance(qint64 sessionId, qint64 counter,
                                                  qint64 nowSecs, qint64 newExpiresAt)
{
#define LATCHKEY_ROTATE                                                                            \
    "UPDATE sessions SET counter = counter + 1, refreshed_at = ?, expires_at = ?"                  \
    " WHERE id = ? AND counter = ? AND revoked_at IS NULL AND expires_at > ? RETURNING user_id"
    QSqlQuery *q = m_db.isPostgres()
                       ? m_db.prepared("WITH s AS (" LATCHKEY_ROTATE ") SELECT " LATCHKEY_USER_COLUMNS
                                       " FROM users u JOIN s ON u.id = s.user_id")
                       : m_db.prepared(LATCHKEY_ROTATE);
#undef LATCHKEY_ROTATE
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, nowSecs);
    q->bindValue(1, newExpiresAt);
    q->bindValue(2, sessionId);
    q->bindValue(3, counter);
    q->bindValue(4, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "rotating a refresh token");
    std::optional<User> user;
    qint64 userId = 0;
    if (q->next()) {
        if (m_db.isPostgres())
            user = userFromRow(*q);
        else
            userId = q->value(0).toLongLong();
    }
    q->finish();
    if (userId == 0)
        return user;
    // SQLite has no data-modifying CTE: read the user in a second statement.
    QSqlQuery *read = m_db.prepared("SELECT " LATCHKEY_USER_COLUMNS " FROM users u WHERE u.id = ?");
    if (!read)
        return m_db.prepareFailure();
    read->bindValue(0, userId);
    if (!read->exec())
        return m_db.failure(*read, "reading a user");
    if (read->next())
        user = userFromRow(*read);
    read->finish();
    return user;
}

Result<std::optional<SessionRecord>> SessionStore::find(qint64 sessionId)
{
    QSqlQuery *q = m_db.prepared(
        "SELECT id, user_id, counter, refreshed_at, expires_at, revoked_at"
        " FROM sessions WHERE id = ?");
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, sessionId);
    if (!q->exec())
        return m_db.failure(*q, "reading a session");
    std::optional<SessionRecord> record;
    if (q->next()) {
        record = SessionRecord{q->value(0).toLongLong(), q->value(1).toLongLong(),
                               q->value(2).toLongLong(), q->value(3).toLongLong(),
                               q->value(4).toLongLong(), !q->value(5).isNull()};
    }
    q->finish();
    return record;
}

Status SessionStore::revoke(qint64 sessionId, qint64 nowSecs, const QString &reason)
{
    QSqlQuery *q = m_db.prepared(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL");
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, nowSecs);
    q->bindValue(1, reason);
    q->bindValue(2, sessionId);
    if (!q->exec())
        return m_db.failure(*q, "revoking a session");
    return Done{};
}

} // namespace latchkey
