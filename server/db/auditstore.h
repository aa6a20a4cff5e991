// The activity log (table audit_events, migration 007): written in batches by the auth
// layer's AuditLog, read by /admin/audit, latchkey-admin audit and the player's export.
#pragma once

#include "database.h"

#include <QJsonObject>

#include <optional>

namespace latchkey {

struct AuditEvent
{
    qint64 id = 0;      //!< set by the database
    qint64 atMs = 0;    //!< Unix milliseconds
    qint64 userId = 0;  //!< 0: none (an event about an address only)
    qint64 actorId = 0; //!< the admin who did it; 0: the user or the system
    QString event;      //!< "login", "user_banned", …
    QString address;    //!< the client's address as seen ("" when none)
    QJsonObject details;
};

//! Every bound is optional: 0 / empty means "any".
struct AuditFilter
{
    qint64 userId = 0;
    QString event;
    qint64 sinceMs = 0;
    qint64 untilMs = 0; //!< exclusive
    qint64 after = 0;   //!< the last id of the previous page (the list runs newest first)
    int limit = 100;

    //! A filter's time as Unix milliseconds: ISO-8601 ("2026-12-04T10:00:00Z") or a number
    //! of milliseconds; std::nullopt for anything else.
    static std::optional<qint64> parseTime(const QString &text);
};

class AuditStore
{
public:
    explicit AuditStore(Database &db) : m_db(db) {}

    //! Inserts \a events in one transaction.
    Status insert(const QList<AuditEvent> &events);
    //! Newest first (by time, then id).
    Result<QList<AuditEvent>> find(const AuditFilter &filter);
    //! Clears the address and details of \a userId's rows (the user was deleted).
    Status forget(qint64 userId);
    //! Deletes the events older than \a beforeMs; how many.
    Result<int> prune(qint64 beforeMs);

    static QJsonObject toJson(const AuditEvent &event);

private:
    Database &m_db;
};

} // namespace latchkey
