// Applies numbered SQL files in order, one transaction each, never dropping anything.
#include "migrator.h"

#include "logging.h"

#include <latchkey/username.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlError>

namespace latchkey {

QList<Migration> Migrator::available() const
{
    const QString folder = m_db.isPostgres() ? QStringLiteral(":/migrations/postgres")
                                             : QStringLiteral(":/migrations/sqlite");
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)_[A-Za-z0-9_]+\\.sql$"));
    QList<Migration> result;
    const QStringList files =
        QDir(folder).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        const auto match = pattern.match(name);
        if (!match.hasMatch())
            continue;
        QFile file(folder + QLatin1Char('/') + name);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        result.append({match.captured(1).toInt(), name, QString::fromUtf8(file.readAll())});
    }
    std::sort(result.begin(), result.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return result;
}

QString Migrator::problem() const
{
    const QList<Migration> all = available();
    for (qsizetype i = 1; i < all.size(); ++i) {
        if (all[i].version == all[i - 1].version)
            return QStringLiteral("migrations %1 and %2 share version %3")
                .arg(all[i - 1].name, all[i].name)
                .arg(all[i].version);
    }
    return {};
}

int Migrator::latestVersion() const
{
    const QList<Migration> all = available();
    return all.isEmpty() ? 0 : all.last().version;
}

Result<int> Migrator::currentVersion()
{
    if (!m_db.connection().tables().contains(QStringLiteral("schema_migrations")))
        return 0;
    QSqlQuery query(m_db.connection());
    if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) ||
        !query.next())
        return m_db.failure(query, "reading the schema version");
    return query.value(0).toInt();
}

Result<QStringList> Migrator::migrate()
{
    QSqlQuery create(m_db.connection());
    if (!create.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                    "applied_at TEXT NOT NULL)")))
        return m_db.failure(create, "creating schema_migrations");
    if (const QString bad = problem(); !bad.isEmpty())
        return Error{ErrorCode::Internal, bad};
    QStringList applied;
    for (const Migration &m : available()) {
        if (!m_db.begin())
            return Error{ErrorCode::DatabaseUnavailable,
                         QStringLiteral("cannot begin a transaction")};
        // Inside the transaction: another setup_db (or an auto-migrating server) may be
        // migrating too. PostgreSQL serialises on an advisory lock, SQLite on BEGIN IMMEDIATE;
        // then the version is read again and a migration already applied is skipped.
        if (m_db.isPostgres())
            m_db.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7214620391)"),
                      "lock migrations");
        QSqlQuery version(m_db.connection());
        if (!version.exec(
                QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) ||
            !version.next())
            return m_db.failure(version, "reading the schema version");
        if (m.version <= version.value(0).toInt()) {
            m_db.rollback();
            continue;
        }
        for (const QString &statement : splitStatements(m.sql)) {
            QSqlQuery query(m_db.connection());
            if (!query.exec(statement)) {
                const QString text = query.lastError().text();
                m_db.rollback();
                return Error{ErrorCode::Internal,
                             QStringLiteral("migration %1 failed and was rolled back: %2")
                                 .arg(m.name, text)};
            }
        }
        if (const Status filled = fillIn(m.version); !filled) {
            m_db.rollback();
            return Error{ErrorCode::Internal, QStringLiteral("migration %1 failed and was rolled "
                                                             "back: %2")
                                                  .arg(m.name, filled.error().message)};
        }
        QSqlQuery record(m_db.connection());
        record.prepare(QStringLiteral(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"));
        record.addBindValue(m.version);
        record.addBindValue(m.name);
        record.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
        if (!record.exec()) {
            const QString text = record.lastError().text();
            m_db.rollback();
            return Error{ErrorCode::Internal,
                         QStringLiteral("cannot record migration %1: %2").arg(m.name, text)};
        }
        if (!m_db.commit())
            return Error{ErrorCode::Internal,
                         QStringLiteral("cannot commit migration %1").arg(m.name)};
        applied.append(m.name);
    }
    return applied;
}

QStringList Migrator::splitStatements(const QString &sql)
{
    QStringList statements;
    QString current;
    bool inBody = false; // between the $$ of a function body, whose ';' end nothing
    for (const QString &rawLine : sql.split(QLatin1Char('\n'))) {
        const qsizetype comment = rawLine.indexOf(QLatin1StringView("--"));
        const QString line = (comment < 0 ? rawLine : rawLine.left(comment)).trimmed();
        if (line.isEmpty())
            continue;
        current += line + QLatin1Char('\n');
        if (line.count(QLatin1StringView("$$")) % 2 == 1)
            inBody = !inBody;
        if (!inBody && line.endsWith(QLatin1Char(';'))) {
            statements.append(current.trimmed());
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements.append(current.trimmed());
    return statements;
}

Status Migrator::fillIn(int version)
{
    if (version != 2)
        return Done{};
    // 002_name_skeleton.sql: each existing user's username::skeletonKey(), which only ICU
    // computes, the oldest account first. A later account whose name looks like an earlier
    // one's keeps its name and no skeleton: renaming is the player's choice, not ours.
    QSqlQuery users(m_db.connection());
    users.setForwardOnly(true);
    if (!users.exec(QStringLiteral("SELECT id, name FROM users ORDER BY id")))
        return m_db.failure(users, "reading usernames");
    // Read to the end first: a forward-only PostgreSQL result is lost to the next statement.
    QList<std::pair<qint64, QString>> rows;
    while (users.next())
        rows.append({users.value(0).toLongLong(), users.value(1).toString()});
    QSqlQuery set(m_db.connection());
    if (!set.prepare(QStringLiteral("UPDATE users SET name_skeleton = ? WHERE id = ? AND NOT "
                                    "EXISTS (SELECT 1 FROM users WHERE name_skeleton = ?)")))
        return m_db.failure(set, "preparing the skeleton update");
    for (const auto &[id, name] : std::as_const(rows)) {
        const QString key = username::skeletonKey(name);
        set.bindValue(0, key);
        set.bindValue(1, id);
        set.bindValue(2, key);
        if (!set.exec())
            return m_db.failure(set, "storing a username's skeleton");
    }
    return Done{};
}

Status Migrator::prepare(const Config::Database &database, const QString &program)
{
    Result<std::unique_ptr<Database>> db =
        Database::open(database, program + QStringLiteral("-schema"));
    if (!db)
        return db.error();
    Migrator migrator(**db);
    if (database.autoMigrate) {
        const Result<QStringList> applied = migrator.migrate();
        if (!applied)
            return applied.error();
        for (const QString &name : *applied)
            qCInfo(lcDb) << "applied migration" << name;
        return Done{};
    }
    const Result<int> current = migrator.currentVersion();
    if (!current)
        return current.error();
    const int needed = migrator.latestVersion();
    if (*current < needed) {
        return Error{ErrorCode::DatabaseUnavailable,
                     QStringLiteral(
                         "the database schema is at version %1 and this %2 needs %3: run setup_db")
                         .arg(*current)
                         .arg(program)
                         .arg(needed)};
    }
    if (*current > needed) {
        return Error{ErrorCode::DatabaseUnavailable,
                     QStringLiteral("the database schema (version %1) is newer than this %2 "
                                    "(%3): upgrade it")
                         .arg(*current)
                         .arg(program)
                         .arg(needed)};
    }
    return Done{};
}

} // namespace latchkey
