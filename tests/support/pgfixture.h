// Reads the PostgreSQL that tests/fixtures/postgres.sh started (CTest fixture "postgres").
#pragma once

#include <QString>

#include <optional>

namespace latchkey::test {

struct PgServer
{
    QString host;
    int port = 0;
    QString superuser;
    QString password;
};

//! From the file named by LATCHKEY_TEST_PG_ENV; std::nullopt when the suite runs without it.
std::optional<PgServer> pgServer();

//! Creates (dropping first if present) database \a name owned by role \a role with
//! \a password (created when missing). Returns an empty string or the error text.
QString createPgDatabase(const PgServer &pg, const QString &name, const QString &role,
                         const QString &password);

//! Runs \a sql as the superuser in database \a database; empty string or the error text.
QString pgExec(const PgServer &pg, const QString &database, const QString &sql);

} // namespace latchkey::test
