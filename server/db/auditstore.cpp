// SQL of the activity log. details is jsonb on PostgreSQL and text on SQLite: both take and
// give the JSON text.
#include "auditstore.h"

#include "operatorstatements.h"

#include <QDateTime>
#include <QJsonDocument>

#include <array>
#include <limits>
#include <string>

namespace latchkey {

namespace {
QVariant nullableId(qint64 id)
{
    return id > 0 ? QVariant(id) : QVariant(QMetaType::fromType<qint64>());
}

QVariant nullableText(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}
} // namespace

std::optional<qint64> AuditFilter::parseTime(const QString &text)
{
    bool isNumber = false;
    const qint64 ms = text.toLongLong(&isNumber);
    if (isNumber)
        return ms >= 0 ? std::optional<qint64>(ms) : std::nullopt;
    const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    return t.isValid() ? std::optional<qint64>(t.toMSecsSinceEpoch()) : std::nullopt;
}

namespace {
//! One INSERT of \a Rows rows: a batch costs a round trip per 64 (then 8) events, not one per
//! event.
//! The texts are never destroyed: a worker may still flush its batch while exit() runs the
//! destructors of statics (a process that exits without stopping its server, as the fuzzers do).
template <int Rows> const Statement &insertRows()
{
    static const std::string &sql = *new std::string([] {
        std::string text = "INSERT INTO audit_events (at_ms, user_id, actor_id, event, address,"
                           " details) VALUES ";
        for (int i = 0; i < Rows; ++i)
            text += i == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)";
        return text;
    }());
    static const std::string &name =
        *new std::string("insert_audit_events_" + std::to_string(Rows));
    static const Statement statement{name, sql.c_str()};
    return statement;
}

//! \a e's six values in the order of the INSERT's columns.
std::array<QVariant, 6> valuesOf(const AuditEvent &e)
{
    return {e.atMs,
            nullableId(e.userId),
            nullableId(e.actorId),
            e.event,
            nullableText(e.address),
            e.details.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                : QVariant(QString::fromUtf8(
                                      QJsonDocument(e.details).toJson(QJsonDocument::Compact)))};
}
} // namespace

Status AuditStore::insert(const QList<AuditEvent> &events)
{
    if (events.isEmpty())
        return Done{};
    if (!m_db.begin())
        return m_db.prepareFailure();
    qsizetype next = 0;
    while (next < events.size()) {
        const qsizetype left = events.size() - next;
        const int rows = left >= 64 ? 64 : left >= 8 ? 8 : 1;
        QSqlQuery *q = m_db.prepared(rows == 64  ? insertRows<64>()
                                     : rows == 8 ? insertRows<8>()
                                                 : sql::insertAuditEvent);
        if (!q)
            return m_db.prepareFailure(); // rolls the transaction back
        for (int r = 0; r < rows; ++r) {
            const std::array<QVariant, 6> values = valuesOf(events[next + r]);
            for (int c = 0; c < 6; ++c)
                q->bindValue(r * 6 + c, values[c]);
        }
        if (!q->exec())
            return m_db.failure(*q, "writing audit events");
        next += rows;
    }
    if (!m_db.commit())
        return m_db.prepareFailure();
    return Done{};
}

Result<QList<AuditEvent>> AuditStore::find(const AuditFilter &f)
{
    constexpr qint64 end = std::numeric_limits<qint64>::max();
    qint64 cursorAt = end; // the page after event f.after: older than it, or as old with a lower id
    if (f.after > 0) {
        const Result<QSqlQuery *> at =
            m_db.run(sql::auditEventTime, {f.after}, "reading an audit event's time");
        if (!at)
            return at.error();
        if ((*at)->next())
            cursorAt = (*at)->value(0).toLongLong();
        (*at)->finish();
    }
    const Result<QSqlQuery *> q = m_db.run(
        sql::findAuditEvents,
        {f.userId, f.userId, f.event.isNull() ? QStringLiteral("") : f.event, f.event, f.sinceMs,
         f.untilMs > 0 ? f.untilMs : end, cursorAt, cursorAt, f.after > 0 ? f.after : end, f.limit},
        "reading audit events");
    if (!q)
        return q.error();
    QSqlQuery &row = **q;
    QList<AuditEvent> events;
    while (row.next()) {
        events.append({row.value(0).toLongLong(), row.value(1).toLongLong(),
                       row.value(2).toLongLong(), row.value(3).toLongLong(),
                       row.value(4).toString(), row.value(5).toString(),
                       QJsonDocument::fromJson(row.value(6).toString().toUtf8()).object()});
    }
    row.finish();
    return events;
}

Status AuditStore::forget(qint64 userId)
{
    const Result<QSqlQuery *> q =
        m_db.run(sql::forgetAuditEvents, {userId}, "clearing a deleted user's audit events");
    if (!q)
        return q.error();
    return Done{};
}

Result<int> AuditStore::prune(qint64 beforeMs)
{
    const Result<QSqlQuery *> q =
        m_db.run(sql::pruneAuditEvents, {beforeMs}, "pruning audit events");
    if (!q)
        return q.error();
    return (*q)->numRowsAffected();
}

QJsonObject AuditStore::toJson(const AuditEvent &e)
{
    const auto idOrNull = [](qint64 id) { return id > 0 ? QJsonValue(id) : QJsonValue(); };
    return {{QStringLiteral("id"), e.id},
            {QStringLiteral("at"),
             QDateTime::fromMSecsSinceEpoch(e.atMs, Qt::UTC).toString(Qt::ISODateWithMs)},
            {QStringLiteral("user_id"), idOrNull(e.userId)},
            {QStringLiteral("actor_id"), idOrNull(e.actorId)},
            {QStringLiteral("event"), e.event},
            {QStringLiteral("address"), e.address.isEmpty() ? QJsonValue() : QJsonValue(e.address)},
            {QStringLiteral("details"), e.details}};
}

} // namespace latchkey
