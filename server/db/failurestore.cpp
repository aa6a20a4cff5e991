// SQL for the shared failure counts: a read, an upsert that returns the new count, a prune.
#include "failurestore.h"

namespace latchkey {

Result<int> FailureStore::count(const QString &clientKey, qint64 windowStartMs)
{
    QSqlQuery *q = m_db.prepared(sql::countFailures);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, clientKey);
    q->bindValue(1, windowStartMs);
    if (!q->exec())
        return m_db.failure(*q, "reading failed sign-ins");
    const int failures = q->next() ? q->value(0).toInt() : 0;
    q->finish();
    return failures;
}

Result<int> FailureStore::add(const QString &clientKey, qint64 windowStartMs)
{
    QSqlQuery *q = m_db.prepared(sql::addFailure);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, clientKey);
    q->bindValue(1, windowStartMs);
    if (!q->exec() || !q->next())
        return m_db.failure(*q, "counting a failed sign-in");
    const int failures = q->value(0).toInt();
    q->finish();
    return failures;
}

Status FailureStore::prune(qint64 windowStartMs)
{
    QSqlQuery *q = m_db.prepared(sql::pruneFailures);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, windowStartMs);
    if (!q->exec())
        return m_db.failure(*q, "deleting old failure counts");
    return Done{};
}

} // namespace latchkey
