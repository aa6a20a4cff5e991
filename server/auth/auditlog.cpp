// Batching of audit rows and their retention.
#include "auditlog.h"

#include "logging.h"

namespace latchkey {

AuditLog::AuditLog(LoginLog &file, Storage &storage, int retentionDays, Clock clock)
    : m_file(file), m_storage(storage), m_retentionDays(retentionDays), m_clock(std::move(clock))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(flushMs);
    m_timer.callOnTimeout([this] { flush(); });
}

AuditLog::~AuditLog()
{
    flush();
}

void AuditLog::write(const char *event, const QHostAddress &ip, const QList<Field> &fields)
{
    m_file.write(event, ip, fields);
    AuditEvent row{
        0, m_clock(), 0, 0, QString::fromLatin1(event), ip.isNull() ? QString() : ip.toString(),
        {}};
    for (const Field &f : fields) {
        if (qstrcmp(f.first, "user_id") == 0)
            row.userId = f.second.toLongLong();
        else if (qstrcmp(f.first, "admin_id") == 0)
            row.actorId = f.second.toLongLong();
        else
            row.details.insert(QString::fromLatin1(f.first), f.second);
    }
    if (m_pending.size() >= maxPending) {
        if (m_dropped++ % 1000 == 0)
            qCWarning(lcAudit) << "the database takes no audit events:" << m_dropped
                               << "dropped so far (logs/login.log has them)";
        m_pending.removeFirst();
    }
    m_pending.append(std::move(row));
    if (!m_timer.isActive())
        m_timer.start();
}

void AuditLog::flush()
{
    m_timer.stop();
    if (m_pending.isEmpty() || !m_storage.isAvailable()) {
        if (!m_pending.isEmpty())
            m_timer.start(); // try again
        return;
    }
    if (const Status written = m_storage.audit().insert(m_pending); !written) {
        qCWarning(lcAudit) << m_pending.size()
                           << "audit events not written yet:" << written.error().message;
        m_timer.start();
        return;
    }
    m_pending.clear();
    pruneWhenDue();
}

void AuditLog::pruneWhenDue()
{
    const qint64 now = m_clock();
    if (m_retentionDays == 0 || now < m_nextPruneMs)
        return;
    m_nextPruneMs = now + pruneEveryMs;
    const Result<int> pruned =
        m_storage.audit().prune(now - qint64(m_retentionDays) * 24 * 3600 * 1000);
    if (pruned && *pruned > 0)
        qCInfo(lcAudit) << "pruned" << *pruned << "audit events older than" << m_retentionDays
                        << "days";
}

void AuditLog::forget(qint64 userId)
{
    flush();
    if (m_storage.isAvailable())
        m_storage.audit().forget(userId);
    // Another worker may hold rows of this user for up to flushMs.
    QTimer::singleShot(3 * flushMs, &m_timer, [this, userId] {
        if (m_storage.isAvailable())
            m_storage.audit().forget(userId);
    });
}

} // namespace latchkey
