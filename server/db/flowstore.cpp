// SQL for the broker's pending steps: insert, the single-use UPDATE, the reuse lookup, prune.
#include "flowstore.h"

#include <QJsonDocument>

namespace latchkey {

Status FlowStore::put(QLatin1StringView kind, const QString &hash, const QJsonObject &data,
                      qint64 expiresAt)
{
    QSqlQuery *q = m_db.prepared(sql::insertPending);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, hash);
    q->bindValue(1, QString(kind));
    q->bindValue(2, QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact)));
    q->bindValue(3, expiresAt);
    if (!q->exec())
        return m_db.failure(*q, "storing a sign-in step");
    return Done{};
}

Result<QJsonObject> FlowStore::take(QLatin1StringView kind, const QString &hash, qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::consumePending);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, nowSecs);
    q->bindValue(1, hash);
    q->bindValue(2, QString(kind));
    q->bindValue(3, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "using a sign-in step");
    if (!q->next()) {
        q->finish();
        return Error::notFound(QStringLiteral("no such sign-in step"));
    }
    const QJsonObject data = QJsonDocument::fromJson(q->value(0).toString().toUtf8()).object();
    q->finish();
    return data;
}

Result<qint64> FlowStore::usedBy(QLatin1StringView kind, const QString &hash)
{
    QSqlQuery *q = m_db.prepared(sql::consumedPending);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, hash);
    q->bindValue(1, QString(kind));
    if (!q->exec())
        return m_db.failure(*q, "looking up a used sign-in step");
    if (!q->next()) {
        q->finish();
        return Error::notFound(QStringLiteral("the sign-in step was never used"));
    }
    const qint64 session = q->value(0).toLongLong();
    q->finish();
    return session;
}

Status FlowStore::setSession(const QString &hash, qint64 sessionId)
{
    QSqlQuery *q = m_db.prepared(sql::setPendingSession);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, sessionId);
    q->bindValue(1, hash);
    if (!q->exec())
        return m_db.failure(*q, "recording a code's session");
    return Done{};
}

Status FlowStore::prune(qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::prunePending);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "deleting expired sign-in steps");
    return Done{};
}

} // namespace latchkey
