// SQL for sessions; the rotation is a single conditional row update.
#include "sessionstore.h"

#include "userrow.h"

namespace latchkey {

namespace {
Error notAdvanced()
{
    return Error::notFound(QStringLiteral("no live session at that counter"));
}
} // namespace

Result<SessionRecord> SessionStore::create(qint64 userId, qint64 nowSecs, qint64 expiresAt,
                                           const QString &clientIp, const QString &userAgent,
                                           int maxSessions)
{
    QSqlQuery *insert = m_db.prepared(sql::insertSession);
    QSqlQuery *trim = m_db.prepared(sql::trimSessions);
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
    if (trim->numRowsAffected() > 0)
        m_db.changed({Change::Kind::User, userId});
    if (!m_db.commit())
        return m_db.prepareFailure();
    return record;
}

Result<User> SessionStore::advance(qint64 sessionId, qint64 counter, qint64 nowSecs,
                                   qint64 newExpiresAt)
{
    const bool oneTrip = m_db.isPostgres();
    QSqlQuery *q = m_db.prepared(oneTrip ? sql::rotateSessionReadingUser : sql::rotateSession);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, nowSecs);
    q->bindValue(1, newExpiresAt);
    q->bindValue(2, sessionId);
    q->bindValue(3, counter);
    q->bindValue(4, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "rotating a refresh token");
    if (!q->next()) {
        q->finish();
        return notAdvanced();
    }
    if (oneTrip) {
        User user = userFromRow(*q);
        q->finish();
        return user;
    }
    const qint64 userId = q->value(0).toLongLong();
    q->finish();
    // SQLite has no data-modifying CTE: read the user in a second statement.
    QSqlQuery *read = m_db.prepared(sql::userById);
    if (!read)
        return m_db.prepareFailure();
    read->bindValue(0, userId);
    if (!read->exec())
        return m_db.failure(*read, "reading a user");
    if (!read->next()) {
        read->finish();
        return notAdvanced();
    }
    User user = userFromRow(*read);
    read->finish();
    return user;
}

Result<SessionRecord> SessionStore::find(qint64 sessionId)
{
    QSqlQuery *q = m_db.prepared(sql::findSession);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, sessionId);
    if (!q->exec())
        return m_db.failure(*q, "reading a session");
    if (!q->next()) {
        q->finish();
        return Error::notFound(QStringLiteral("no such session"));
    }
    const SessionRecord record{q->value(0).toLongLong(), q->value(1).toLongLong(),
                               q->value(2).toLongLong(), q->value(3).toLongLong(),
                               q->value(4).toLongLong(), !q->value(5).isNull()};
    q->finish();
    return record;
}

Result<QString> SessionStore::endReason(qint64 sessionId, qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::sessionEnd);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, sessionId);
    if (!q->exec())
        return m_db.failure(*q, "reading why a session ended");
    QString reason;
    if (!q->next())
        reason = QStringLiteral("deleted");
    else if (!q->value(0).isNull())
        reason = q->value(1).toString();
    else if (q->value(2).toLongLong() <= nowSecs)
        reason = QStringLiteral("expired");
    q->finish();
    return reason;
}

Status SessionStore::revoke(qint64 sessionId, qint64 nowSecs, const QString &reason)
{
    QSqlQuery *q = m_db.prepared(sql::revokeSession);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, nowSecs);
    q->bindValue(1, reason);
    q->bindValue(2, sessionId);
    if (!q->exec())
        return m_db.failure(*q, "revoking a session");
    m_db.changed({Change::Kind::Session, sessionId});
    return Done{};
}

Result<QList<DeviceSession>> SessionStore::live(qint64 userId, qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::liveSessionsOfUser);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userId);
    q->bindValue(1, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "listing sessions");
    QList<DeviceSession> sessions;
    while (q->next()) {
        sessions.append({q->value(0).toLongLong(), q->value(1).toLongLong(),
                         q->value(2).toLongLong(), q->value(3).toString(), q->value(4).toString()});
    }
    q->finish();
    return sessions;
}

Result<QJsonArray> SessionStore::exportAll(qint64 userId)
{
    QSqlQuery *q = m_db.prepared(sql::allSessionsOfUser);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userId);
    if (!q->exec())
        return m_db.failure(*q, "exporting sessions");
    QJsonArray sessions;
    const auto number = [&](int column) {
        return q->isNull(column) ? QJsonValue() : QJsonValue(q->value(column).toLongLong());
    };
    const auto text = [&](int column) {
        return q->isNull(column) ? QJsonValue() : QJsonValue(q->value(column).toString());
    };
    while (q->next()) {
        sessions.append(QJsonObject{{QStringLiteral("id"), number(0)},
                                    {QStringLiteral("created_at"), number(1)},
                                    {QStringLiteral("refreshed_at"), number(2)},
                                    {QStringLiteral("expires_at"), number(3)},
                                    {QStringLiteral("revoked_at"), number(4)},
                                    {QStringLiteral("revoke_reason"), text(5)},
                                    {QStringLiteral("address"), text(6)},
                                    {QStringLiteral("user_agent"), text(7)}});
    }
    q->finish();
    return sessions;
}

} // namespace latchkey
