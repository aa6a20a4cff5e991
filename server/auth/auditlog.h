// The activity log of one worker: every event goes to logs/login.log at once (the shared
// LoginLog) and to the audit_events table in batches, so the request that caused it never
// waits for the insert.
#pragma once

#include "loginlog.h"

#include "db/storage.h"

#include <latchkey/clock.h>

#include <QTimer>

namespace latchkey {

//! Create, use and destroy on one thread (it uses that thread's Storage and timers). A
//! field "user_id" fills the row's user id, "admin_id" its actor id; the other fields are
//! its details. Rows wait at most flushMs; the batch is written in one transaction.
class AuditLog
{
public:
    using Field = LoginLog::Field;
    static constexpr int flushMs = 100;
    //! Rows kept while the database cannot be reached; beyond it the oldest are dropped
    //! (logs/login.log still has them).
    static constexpr int maxPending = 10000;
    static constexpr qint64 pruneEveryMs = 3600 * 1000;

    AuditLog(LoginLog &file, Storage &storage, int retentionDays, Clock clock);
    ~AuditLog(); //!< writes what is pending
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;

    void write(const char *event, const QHostAddress &ip, const QList<Field> &fields);
    //! Writes the pending rows now (also from the timer); then prunes when it is time.
    void flush();
    //! The user was deleted: their rows keep only the user id and the event. Runs again
    //! after the other workers' batches of that moment were written.
    void forget(qint64 userId);

private:
    void pruneWhenDue();

    LoginLog &m_file;
    Storage &m_storage;
    const int m_retentionDays;
    const Clock m_clock;
    QList<AuditEvent> m_pending;
    QTimer m_timer;
    qint64 m_nextPruneMs = 0;
    quint64 m_dropped = 0; //!< rows dropped past maxPending, for the warning
};

} // namespace latchkey
