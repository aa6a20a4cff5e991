// DATABASE_URL: one variable for the whole database connection, as hosting platforms set it.
#pragma once

#include <latchkey/error.h>

#include <QString>

namespace latchkey {

//! What a DATABASE_URL names. A part it leaves out is empty (port: -1) and keeps the value
//! an earlier layer gave it.
struct DatabaseUrl
{
    QString driver;     //!< "sqlite" or "postgres"
    QString sqlitePath; //!< sqlite only
    QString host;
    int port = -1;
    QString name;
    QString user;
    QString password;
};

//! Parses postgres://user:password@host:5432/dbname, postgresql://… or sqlite:path. The error
//! says what is wrong and names no variable; it never quotes the URL, which usually holds the
//! password.
Result<DatabaseUrl> parseDatabaseUrl(const QString &text);

} // namespace latchkey
