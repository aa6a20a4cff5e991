// Connection set-up per driver, the statement cache and error mapping.
#include "database.h"

#include "logging.h"

#include <latchkey/privatefiles.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>

#include <atomic>

namespace latchkey {

Database::Database(QSqlDatabase db, bool postgres) : m_db(std::move(db)), m_postgres(postgres) {}

Database::~Database()
{
    const QString name = m_db.connectionName();
    m_statements.clear();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(name);
}

Result<std::unique_ptr<Database>> Database::open(const Config::Database &config,
                                                 const QString &namePrefix)
{
    // Qt replaces a connection whose name is reused, even one owned by another thread, so
    // every connection gets a name of its own (two servers may share a process in tests).
    static std::atomic<int> serial{0};
    const QString connectionName = namePrefix + QLatin1Char('-') + QString::number(++serial);
    const bool postgres = config.driver == QLatin1StringView("postgres");
    QSqlDatabase db = QSqlDatabase::addDatabase(
        postgres ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE"), connectionName);
    if (!db.isValid()) {
        QSqlDatabase::removeDatabase(connectionName);
        return Error{
            ErrorCode::DatabaseUnavailable,
            QStringLiteral("the Qt SQL driver for %1 is not installed").arg(config.driver)};
    }
    if (postgres) {
        db.setHostName(config.host);
        db.setPort(config.port);
        db.setDatabaseName(config.name);
        db.setUserName(config.user);
        db.setPassword(config.password);
        // The prefix names the connection in pg_stat_activity (latchkey-worker-0, …-listen).
        db.setConnectOptions(QStringLiteral("connect_timeout=5;application_name=") + namePrefix);
    } else {
        // Players' e-mails: the folder and the file are the owner's from the start (SQLite
        // gives its -wal and -shm files the database file's mode).
        privatefiles::makePath(QFileInfo(config.sqlitePath).absolutePath());
        if (QFile file(config.sqlitePath); !file.exists())
            privatefiles::open(file, QIODevice::WriteOnly | QIODevice::NewOnly);
        db.setDatabaseName(config.sqlitePath);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    }
    std::unique_ptr<Database> result(new Database(db, postgres));
    if (!result->reopen()) {
        const QString text =
            postgres ? QStringLiteral("cannot connect to PostgreSQL at %1:%2 database %3 as %4: %5")
                           .arg(config.host)
                           .arg(config.port)
                           .arg(config.name, config.user, db.lastError().databaseText())
                     : QStringLiteral("cannot open SQLite file %1: %2")
                           .arg(config.sqlitePath, db.lastError().text());
        db = QSqlDatabase(); // let go of our handle before the connection is removed
        return Error{ErrorCode::DatabaseUnavailable, text};
    }
    return result;
}

bool Database::reopen()
{
    m_statements.clear();
    m_inTransaction = false;
    m_db.close();
    m_lost = !m_db.open();
    if (m_lost)
        return false;
    if (!m_postgres) {
        // Players' e-mails live in this file (and its -wal/-shm): only the owner may read it.
        const QString path = m_db.databaseName();
        for (const QString &file :
             {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")}) {
            if (QFile::exists(file))
                QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
        // WAL lets readers and one writer work at once; NORMAL sync is durable in WAL mode
        // except for the last transactions on power loss, which the embedded default accepts.
        exec(QStringLiteral("PRAGMA journal_mode=WAL"), "set WAL mode");
        exec(QStringLiteral("PRAGMA synchronous=NORMAL"), "set synchronous");
        exec(QStringLiteral("PRAGMA foreign_keys=ON"), "enable foreign keys");
    }
    return true;
}

QSqlQuery *Database::prepared(const Statement &statement)
{
    auto it = m_statements.find(statement.name);
    if (it != m_statements.end()) {
        Q_ASSERT_X(qstrcmp(it->second.sql, statement.sql) == 0, "Database::prepared",
                   "two statements share one name");
        return &it->second.query;
    }
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.prepare(QString::fromUtf8(statement.sql))) {
        qCCritical(lcDb) << "cannot prepare statement" << statement.name.data() << ":"
                         << query.lastError().text();
        return nullptr;
    }
    Prepared &entry =
        m_statements.emplace(statement.name, Prepared{std::move(query), statement.sql})
            .first->second;
    return &entry.query;
}

Result<QSqlQuery *> Database::run(const Statement &statement,
                                  std::initializer_list<QVariant> values, const char *what)
{
    QSqlQuery *q = prepared(statement);
    if (!q)
        return prepareFailure();
    int i = 0;
    for (const QVariant &value : values)
        q->bindValue(i++, value);
    if (!q->exec())
        return failure(*q, what);
    return q;
}

bool Database::exec(const QString &sql, const char *what)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql)) {
        qCWarning(lcDb) << "cannot" << what << ":" << query.lastError().text();
        return false;
    }
    return true;
}

bool Database::begin()
{
    m_inTransaction = exec(m_postgres ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE"),
                           "begin a transaction");
    return m_inTransaction;
}

bool Database::commit()
{
    m_inTransaction = false;
    const bool committed = exec(QStringLiteral("COMMIT"), "commit");
    // Published even when COMMIT failed: it may have committed before the connection broke,
    // and a change published in vain only costs a cache miss.
    publishPending();
    return committed;
}

void Database::rollback()
{
    m_inTransaction = false;
    m_pending.clear();
    exec(QStringLiteral("ROLLBACK"), "roll back");
}

void Database::changed(Change change)
{
    m_pending.push_back(change);
    if (!m_inTransaction)
        publishPending();
}

void Database::publishPending()
{
    if (m_feed) {
        for (const Change &change : m_pending)
            m_feed->publish(change);
    }
    m_pending.clear();
}

bool Database::isAlive()
{
    QSqlQuery query(m_db);
    return m_db.isOpen() && query.exec(QStringLiteral("SELECT 1")) && query.next();
}

bool Database::ping()
{
    m_lost = m_lost || !isAlive();
    return !m_lost;
}

Error Database::failure(const QSqlQuery &query, const char *what)
{
    const QSqlError error = query.lastError();
    qCCritical(lcDb) << "database error while" << what << ":" << error.text();
    return statementFailed(isConnectionError(error));
}

Error Database::prepareFailure()
{
    return statementFailed(false);
}

Error Database::statementFailed(bool connectionLost)
{
    s_errors.fetch_add(1, std::memory_order_relaxed); // rare: a locked add is fine
    if (m_inTransaction)
        rollback();
    // A statement that failed on a connection which still answers at once failed on its own
    // (a bug, a constraint): 500. One whose connection went away lost the statement with it,
    // even when a reconnect succeeds right after (the server restarting): 503, which a
    // client may retry. Storage reconnects before the next request, not every failing one
    // (a connect can wait for connect_timeout).
    if (!connectionLost && isAlive())
        return Error::internal();
    m_lost = true;
    return Error::databaseUnavailable();
}

bool Database::isConnectionError(const QSqlError &error)
{
    // PostgreSQL's SQLSTATE class 08 (connection exception), 57P01..57P03 (the server shutting
    // down, crashed, or not accepting connections yet), 53300 (too many connections). Not
    // QSqlError::ConnectionError: the SQLite driver reports failed statements with it too.
    // A connection that simply vanished has no SQLSTATE; statementFailed() finds it dead.
    const QString code = error.nativeErrorCode();
    return code.startsWith(QLatin1StringView("08")) || code.startsWith(QLatin1StringView("57P")) ||
           code == QLatin1StringView("53300");
}

bool Database::isUniqueViolation(const QSqlQuery &query)
{
    const QString code = query.lastError().nativeErrorCode();
    // PostgreSQL SQLSTATE 23505; SQLite SQLITE_CONSTRAINT (19) / SQLITE_CONSTRAINT_UNIQUE (2067).
    return code == QLatin1StringView("23505") || code == QLatin1StringView("2067") ||
           code == QLatin1StringView("19") || code == QLatin1StringView("1555");
}

} // namespace latchkey
