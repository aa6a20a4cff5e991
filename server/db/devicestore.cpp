// SQL of the device codes: insert, the player's lookup, polls, the decision, the single claim.
#include "devicestore.h"

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

Result<bool> DeviceStore::insert(const QString &hash, const QString &userCode,
                                 const QString &clientId, int intervalSecs, qint64 expiresAt)
{
    QSqlQuery *q = m_db.prepared(sql::insertDeviceCode);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, hash);
    q->bindValue(1, userCode);
    q->bindValue(2, clientId);
    q->bindValue(3, intervalSecs);
    q->bindValue(4, expiresAt);
    if (!q->exec())
        return m_db.failure(*q, "storing a device code");
    return q->numRowsAffected() == 1;
}

Result<QPair<QString, QString>> DeviceStore::pending(const QString &userCode, qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::pendingDeviceCode);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, userCode);
    q->bindValue(1, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "looking up a user code");
    if (!q->next()) {
        q->finish();
        return Error::notFound(u"no such code"_s);
    }
    QPair<QString, QString> found{q->value(0).toString(), q->value(1).toString()};
    q->finish();
    return found;
}

Result<DeviceCodeRow> DeviceStore::byHash(const QString &hash)
{
    QSqlQuery *q = m_db.prepared(sql::deviceCode);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, hash);
    if (!q->exec())
        return m_db.failure(*q, "looking up a device code");
    if (!q->next()) {
        q->finish();
        return Error::notFound(u"no such device code"_s);
    }
    DeviceCodeRow row{q->value(0).toString(), q->value(1).toString(),   q->value(2).toLongLong(),
                      q->value(3).toInt(),    q->value(4).toLongLong(), q->value(5).toLongLong()};
    q->finish();
    return row;
}

Status DeviceStore::polled(const QString &hash, qint64 nowMs, int intervalSecs)
{
    QSqlQuery *q = m_db.prepared(sql::pollDeviceCode);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, nowMs);
    q->bindValue(1, intervalSecs);
    q->bindValue(2, hash);
    if (!q->exec())
        return m_db.failure(*q, "recording a device poll");
    return Done{};
}

Result<bool> DeviceStore::decide(const QString &hash, bool approve, qint64 userId, qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::decideDeviceCode);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, approve ? u"approved"_s : u"denied"_s);
    q->bindValue(1, approve ? QVariant(userId) : QVariant(QMetaType::fromType<qint64>()));
    q->bindValue(2, hash);
    q->bindValue(3, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "deciding a device code");
    return q->numRowsAffected() == 1;
}

Result<qint64> DeviceStore::claim(const QString &hash)
{
    QSqlQuery *q = m_db.prepared(sql::claimDeviceCode);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, hash);
    if (!q->exec())
        return m_db.failure(*q, "claiming a device code");
    if (!q->next()) {
        q->finish();
        return Error::notFound(u"the device code was claimed already"_s);
    }
    const qint64 userId = q->value(0).toLongLong();
    q->finish();
    return userId;
}

Status DeviceStore::prune(qint64 nowSecs)
{
    QSqlQuery *q = m_db.prepared(sql::pruneDeviceCodes);
    if (!q)
        return m_db.prepareFailure();
    q->bindValue(0, nowSecs);
    if (!q->exec())
        return m_db.failure(*q, "deleting expired device codes");
    return Done{};
}

} // namespace latchkey
