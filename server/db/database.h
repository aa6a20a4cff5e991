// One thread's database connection (PostgreSQL or SQLite) and its prepared statements.
#pragma once

#include "changefeed.h"
#include "statements.h"

#include "config/config.h"

#include <latchkey/error.h>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <unordered_map>

namespace latchkey {

//! A QSqlDatabase belongs to the thread that opened it: create, use and destroy a Database
//! on one thread. Statements are prepared once per connection and reused.
class Database
{
public:
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    //! Opens a connection whose name starts with \a namePrefix. For SQLite the
    //! folder of the file is created and WAL, foreign keys and a busy timeout are set.
    static Result<std::unique_ptr<Database>> open(const Config::Database &config,
                                                  const QString &namePrefix);

    bool isPostgres() const { return m_postgres; }
    QSqlDatabase &connection() { return m_db; }

    //! The prepared statement \a statement (one of sql::…, cached by its name), or nullptr
    //! when preparing failed (logged). Bound values are reset by the caller.
    QSqlQuery *prepared(const Statement &statement);
    //! prepared(), \a values bound in order, executed: the query to read rows from (finish()
    //! it after), or the error (logged with \a what).
    Result<QSqlQuery *> run(const Statement &statement, std::initializer_list<QVariant> values,
                            const char *what);

    //! \a change was just written: published to the process's ChangeFeed (when there is one)
    //! at once, or at commit() inside a transaction (a rollback drops it). Stores call it
    //! after every write that ends a session or changes a user row, so this process's
    //! cached sessions are stale before the request that made the change is answered.
    void changed(Change change);
    //! Where changed() publishes: the server's feed (nullptr: nowhere, e.g. latchkey-admin,
    //! whose changes reach servers through PostgreSQL's notifications).
    void setChangeFeed(ChangeFeed *feed) { m_feed = feed; }

    //! Runs \a sql without parameters; false on failure (logged with \a what).
    bool exec(const QString &sql, const char *what);
    //! Write transaction: BEGIN IMMEDIATE on SQLite (no busy upgrade deadlocks), BEGIN on
    //! PostgreSQL.
    bool begin();
    bool commit();
    void rollback();

    //! SELECT 1 (readiness); a connection that does not answer is marked lost.
    bool ping();

    //! The connection went away under a statement: Storage reopens it (at its own pace)
    //! before the next request uses it.
    bool isLost() const { return m_lost; }
    //! Closes and opens the connection again; false while that fails.
    bool reopen();

    //! Logs the driver's error for operators and returns what a client may see (no SQL,
    //! no driver text): DatabaseUnavailable when the connection is gone, else Internal.
    Error failure(const QSqlQuery &query, const char *what);

    //! For a prepared() that returned nullptr (or a failed BEGIN/COMMIT): DatabaseUnavailable
    //! when the connection does not answer at once (it is then marked lost), else Internal.
    Error prepareFailure();

    //! Statements and connections that failed, in all (latchkey_database_errors_total).
    static quint64 errorCount() { return s_errors.load(std::memory_order_relaxed); }

    static bool isUniqueViolation(const QSqlQuery &query);
    //! The connection, not the statement, failed (PostgreSQL restarting, network gone).
    static bool isConnectionError(const QSqlError &error);

private:
    Database(QSqlDatabase db, bool postgres);
    //! SELECT 1 on the connection as it is, without reconnecting.
    bool isAlive();
    Error statementFailed(bool connectionLost);

    static inline std::atomic<quint64> s_errors{0};
    void publishPending();

    QSqlDatabase m_db;
    bool m_postgres;
    bool m_inTransaction = false;
    std::vector<Change> m_pending; //!< changed() inside the open transaction
    ChangeFeed *m_feed = nullptr;
    bool m_lost = false;
    struct Prepared
    {
        QSqlQuery query;
        const char *sql; //!< to catch one name given two texts
    };
    // Node-based: a QSqlQuery* handed out stays valid while later statements are added.
    std::unordered_map<std::string_view, Prepared> m_statements;
};

} // namespace latchkey
