// Versioned schema migrations from resources/migrations/<driver>/NNN_name.sql.
#pragma once

#include "database.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace latchkey {

struct Migration
{
    int version = 0;
    QString name; //!< file name, e.g. "001_initial.sql"
    QString sql;
};

class Migrator
{
public:
    explicit Migrator(Database &db) : m_db(db) {}

    //! Migrations shipped for this driver, ordered by version.
    QList<Migration> available() const;
    int latestVersion() const;
    //! What is wrong with the shipped migrations (two files of one version), or empty.
    QString problem() const;
    //! Highest applied version; 0 on an empty database (no schema_migrations table).
    Result<int> currentVersion();
    //! Applies every pending migration, each in its own transaction, recording it in
    //! schema_migrations. Returns the names applied (empty: already up to date).
    Result<QStringList> migrate();

    //! What a program does before it uses the database: with database.auto_migrate, applies
    //! what is pending; otherwise checks the schema is the one \a program was built for
    //! ("… run setup_db" / "… upgrade it" when not).
    static Status prepare(const Config::Database &database, const QString &program);

    //! Splits a migration file into statements (SQLite runs one per call): on ';' at the
    //! end of a line, outside '--' comments. Our migration files keep to that form.
    static QStringList splitStatements(const QString &sql);

private:
    //! What migration \a version adds that SQL cannot compute, in its transaction.
    Status fillIn(int version);

    Database &m_db;
};

} // namespace latchkey
