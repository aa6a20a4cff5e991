// setup_db's work: the PostgreSQL role and database, an optional reset, and the migrations.
#pragma once

#include "config/config.h"

#include <latchkey/error.h>

#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace latchkey {

class Database;

struct SetupOptions
{
    bool statusOnly = false;    //!< --status: report versions, change nothing
    bool createDatabase = true; //!< false with --skip-create: the DBA made role and database
    bool reset = false;         //!< --reset (main() only sets it with --yes-destroy-all-data)
    QString adminHost;          //!< PostgreSQL superuser connection, for role + database creation
    int adminPort = 5432;
    QString adminUser = QStringLiteral("postgres");
    QString adminPassword; //!< empty: peer/trust authentication
    QString maintenanceDatabase = QStringLiteral("postgres");
};

//! Runs once per invocation; every action is reported as one line through the reporter.
//! The database password and the admin password are never reported nor logged.
class SetupDb
{
public:
    using Reporter = std::function<void(const QString &line)>;

    SetupDb(Config::Database database, SetupOptions options, Reporter report);

    //! Whether this run connects as the superuser (and so needs its password).
    bool needsAdmin() const;
    //! Given after construction: it may have to be prompted for, once needsAdmin() says so.
    void setAdminPassword(const QString &password) { m_options.adminPassword = password; }

    //! Problems with the configuration that no connection attempt could fix (bad role or
    //! database names): InvalidField with the message for the operator.
    Status validate() const;

    Status run();

    //! Tables Latchkey owns, children first: the order DROP needs.
    static const QStringList &ownedTables();

    //! A PostgreSQL identifier we quote ourselves must be plain: [A-Za-z_][A-Za-z0-9_]*,
    //! at most 63 bytes (longer names are silently truncated by the server).
    static bool isPlainIdentifier(const QString &name);

private:
    Status createRoleAndDatabase();
    Status createRoleAndDatabase(QSqlDatabase &db);
    Status resetSchema(Database &db);
    Status migrate(Database &db);
    Status reportStatus(Database &db);
    Status reportMissingSqliteFile();

    Config::Database m_database;
    SetupOptions m_options;
    Reporter m_report;
    bool m_createdRole = false;
};

} // namespace latchkey
