// The Config every in-process test server starts from (for suites that link the server).
#pragma once

#include "config/config.h"
#include "pgfixture.h"

#include <QTemporaryDir>

#include <optional>

namespace latchkey::test {

//! A server of its own named \a name: a fresh PostgreSQL database on the fixture when \a pg
//! is given, else the SQLite file <dir>/<name>.db; logs in <dir>/<name>-logs; a fixed secret;
//! any free port; 2 workers; the failed-auth limit and the request limits off. Suites change
//! what they test.
inline Config testServerConfig(const QTemporaryDir &dir, const QString &name,
                               const std::optional<PgServer> &pg = std::nullopt)
{
    Config c;
    c.database.autoMigrate = true;
    if (pg) {
        const QString role = QStringLiteral("latchkey_test");
        const QString password = QStringLiteral("test-password");
        const QString error = createPgDatabase(*pg, name, role, password);
        if (!error.isEmpty())
            qWarning() << "cannot create test database:" << error;
        c.database.driver = QStringLiteral("postgres");
        c.database.host = pg->host;
        c.database.port = pg->port;
        c.database.name = name;
        c.database.user = role;
        c.database.password = password;
    } else {
        c.database.driver = QStringLiteral("sqlite");
        c.database.sqlitePath = dir.filePath(name + QStringLiteral(".db"));
    }
    c.security.jwtSecret = QByteArray("a-test-secret-that-is-long-enough-for-hs256!");
    c.security.failedAuthPerMinute = 0;
    c.security.rateLimits = false;
    c.server.port = 0;
    c.server.workers = 2;
    c.server.logDir = dir.filePath(name + QStringLiteral("-logs"));
    c.server.dataDir = dir.filePath(QStringLiteral("data"));
    return c;
}

} // namespace latchkey::test
