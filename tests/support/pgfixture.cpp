// Talks to the test PostgreSQL as its superuser through QPSQL.
#include "pgfixture.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace latchkey::test {

std::optional<PgServer> pgServer()
{
    const QString path =
        QProcessEnvironment::systemEnvironment().value(QStringLiteral("LATCHKEY_TEST_PG_ENV"));
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return std::nullopt;
    PgServer pg;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const qsizetype eq = line.indexOf('=');
        const QByteArray key = line.left(eq);
        const QString value = QString::fromUtf8(line.mid(eq + 1));
        if (key == "PGHOST")
            pg.host = value;
        else if (key == "PGPORT")
            pg.port = value.toInt();
        else if (key == "PGUSER")
            pg.superuser = value;
        else if (key == "PGPASSWORD")
            pg.password = value;
    }
    if (pg.port == 0)
        return std::nullopt;
    return pg;
}

QString pgExec(const PgServer &pg, const QString &database, const QString &sql)
{
    const QString name =
        QStringLiteral("pgfixture-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(pg.host);
        db.setPort(pg.port);
        db.setUserName(pg.superuser);
        db.setPassword(pg.password);
        db.setDatabaseName(database);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            if (!query.exec(sql))
                error = query.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

QString createPgDatabase(const PgServer &pg, const QString &name, const QString &role,
                         const QString &password)
{
    const QString postgres = QStringLiteral("postgres");
    QString error = pgExec(pg, postgres,
                           QStringLiteral("DROP DATABASE IF EXISTS \"%1\" WITH (FORCE)").arg(name));
    if (error.isEmpty())
        error = pgExec(
            pg, postgres,
            QStringLiteral(
                "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%1') THEN "
                "CREATE ROLE \"%1\" LOGIN PASSWORD '%2'; END IF; END$$")
                .arg(role, QString(password).replace(QLatin1Char('\''), QStringLiteral("''"))));
    if (error.isEmpty())
        error = pgExec(pg, postgres,
                       QStringLiteral("CREATE DATABASE \"%1\" OWNER \"%2\"").arg(name, role));
    return error;
}

} // namespace latchkey::test
