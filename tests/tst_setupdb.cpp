// Runs the real setup_db binary against PostgreSQL and SQLite, and the server's schema check.
#include "app/latchkeyserver.h"
#include "db/database.h"
#include "db/migrator.h"
#include "pgfixture.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::Literals::StringLiterals;
using latchkey::test::PgServer;

namespace {

struct RunResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

// A quote, a backslash, a double quote and a space: the literal quoting must survive all.
const QString appPassword = u"it's a \"secret\" \\ 1"_s;
const QString adminUserVariable = u"SETUP_DB_ADMIN_USER"_s;
const QString adminPasswordVariable = u"SETUP_DB_ADMIN_PASSWORD"_s;

} // namespace

class TestSetupDb : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void firstRunCreatesAndMigrates();
    void secondRunIsNoOpAndKeepsRows();
    void existingRoleAndDatabaseAreReported();
    void skipCreateOnlyMigrates();
    void resetWithoutConfirmationIsRefused();
    void resetWithConfirmationRecreatesSchema();
    void statusChangesNothing();
    void missingAdminPasswordWithoutTerminal();
    void invalidNamesAreRefused_data();
    void invalidNamesAreRefused();
    void wrongAdminPasswordFails();
    void badUsageExitsWithTwo_data();
    void badUsageExitsWithTwo();
    void serverRefusesOldSchemaUntilSetupDb();
    void upgradeFillsNameSkeletons();

private:
    bool isPostgres() const { return m_driver == "postgres"_L1; }
    RunResult runSetupDb(const QStringList &arguments) const;
    RunResult runSetupDb(const QStringList &arguments,
                         const QProcessEnvironment &environment) const;
    latchkey::Config::Database databaseConfig() const;
    //! Runs \a sql as the app role (PostgreSQL) or on the file (SQLite): the first column of
    //! the first row; the driver's error text goes to \a error (empty on success).
    QVariant appQuery(const QString &sql, QString *error = nullptr) const;
    int userCount() const;
    QString insertUser(const QString &name) const;
    int latestVersion() const;
    QString createDbaDatabase() const;

    QString m_driver;
    std::optional<PgServer> m_pg;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_name; // database and role name (PostgreSQL), unique per test function
    QProcessEnvironment m_environment;
};

void TestSetupDb::initTestCase()
{
    m_driver = qEnvironmentVariable("LATCHKEY_TEST_DRIVER", u"sqlite"_s);
    QVERIFY2(m_driver == "sqlite"_L1 || m_driver == "postgres"_L1, qPrintable(m_driver));
    if (isPostgres()) {
        m_pg = latchkey::test::pgServer();
        if (!m_pg)
            QSKIP("LATCHKEY_TEST_PG_ENV names no running PostgreSQL (run through ctest)");
        // libpq of this process only (setup_db's environment drops PG*): no NOTICE lines
        // from the DROP ... IF EXISTS in cleanup().
        qputenv("PGOPTIONS", "-c client_min_messages=warning");
    }
    QVERIFY2(QFile::exists(QStringLiteral(SETUP_DB_PATH)), SETUP_DB_PATH);
}

void TestSetupDb::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_name = u"lk_setup_"_s + QUuid::createUuid().toString(QUuid::Id128).left(12);

    // Start from the real environment (Qt plugins, locale) without anything that
    // loadConfig or libpq would read, so only what this test sets configures the run.
    m_environment = QProcessEnvironment::systemEnvironment();
    for (const QString &key : m_environment.keys()) {
        if (key.startsWith("DB_"_L1) || key.startsWith("PG"_L1) || key.startsWith("JWT_"_L1) ||
            key.startsWith("SETUP_DB_"_L1) || key.startsWith("LATCHKEY_"_L1) ||
            key == "DATABASE_URL"_L1 || key == "SQLITE_PATH"_L1)
            m_environment.remove(key);
    }
    m_environment.insert(u"DB_DRIVER"_s, m_driver);
    m_environment.insert(u"JWT_SECRET"_s, u"0123456789abcdefghijklmnopqrstuvwxyzABCD"_s);
    if (isPostgres()) {
        m_environment.insert(u"DB_HOST"_s, m_pg->host);
        m_environment.insert(u"DB_PORT"_s, QString::number(m_pg->port));
        m_environment.insert(u"DB_NAME"_s, m_name);
        m_environment.insert(u"DB_USER"_s, m_name);
        m_environment.insert(u"DB_PASSWORD"_s, appPassword);
        m_environment.insert(adminUserVariable, m_pg->superuser);
        m_environment.insert(adminPasswordVariable, m_pg->password);
    } else {
        // A folder that does not exist yet: setup_db must create it.
        m_environment.insert(u"SQLITE_PATH"_s, m_dir->filePath(u"var/db/latchkey.db"_s));
    }
}

void TestSetupDb::cleanup()
{
    if (isPostgres() && m_pg) {
        latchkey::test::pgExec(*m_pg, u"postgres"_s,
                               u"DROP DATABASE IF EXISTS \"%1\" WITH (FORCE)"_s.arg(m_name));
        latchkey::test::pgExec(*m_pg, u"postgres"_s, u"DROP ROLE IF EXISTS \"%1\""_s.arg(m_name));
    }
    m_dir.reset();
}

RunResult TestSetupDb::runSetupDb(const QStringList &arguments) const
{
    return runSetupDb(arguments, m_environment);
}

RunResult TestSetupDb::runSetupDb(const QStringList &arguments,
                                  const QProcessEnvironment &environment) const
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(m_dir->path()); // no config.yml or .env to pick up
    process.start(QStringLiteral(SETUP_DB_PATH), arguments);
    RunResult result;
    if (!process.waitForStarted(10000)) {
        result.err = process.errorString();
        return result;
    }
    process.closeWriteChannel(); // stdin is a pipe at EOF: never a terminal, never a hang
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        result.err = u"setup_db did not finish in 60 s"_s;
        return result;
    }
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    // Whatever happened, neither password may appear in what setup_db prints.
    if (result.out.contains(appPassword) || result.err.contains(appPassword) ||
        (m_pg && (result.out.contains(m_pg->password) || result.err.contains(m_pg->password)))) {
        result.exitCode = -2;
        result.err.prepend(u"A PASSWORD WAS PRINTED\n"_s);
    }
    return result;
}

latchkey::Config::Database TestSetupDb::databaseConfig() const
{
    latchkey::Config::Database config;
    config.driver = m_driver;
    config.autoMigrate = false;
    if (isPostgres()) {
        config.host = m_pg->host;
        config.port = m_pg->port;
        config.name = m_name;
        config.user = m_name;
        config.password = appPassword;
    } else {
        config.sqlitePath = m_environment.value(u"SQLITE_PATH"_s);
    }
    return config;
}

QVariant TestSetupDb::appQuery(const QString &sql, QString *error) const
{
    const QString connection = u"tst_setupdb-"_s + QUuid::createUuid().toString(QUuid::Id128);
    QVariant value;
    {
        const latchkey::Config::Database config = databaseConfig();
        QSqlDatabase db =
            QSqlDatabase::addDatabase(isPostgres() ? u"QPSQL"_s : u"QSQLITE"_s, connection);
        if (isPostgres()) {
            db.setHostName(config.host);
            db.setPort(config.port);
            db.setUserName(config.user);
            db.setPassword(config.password);
        }
        db.setDatabaseName(isPostgres() ? config.name : config.sqlitePath);
        QString problem;
        if (!db.open()) {
            problem = db.lastError().text();
        } else {
            QSqlQuery query(db);
            if (!query.exec(sql))
                problem = query.lastError().text();
            else if (query.next())
                value = query.value(0);
        }
        if (error)
            *error = problem;
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return value;
}

int TestSetupDb::userCount() const
{
    QString error;
    const QVariant count = appQuery(u"SELECT COUNT(*) FROM users"_s, &error);
    return error.isEmpty() ? count.toInt() : -1;
}

QString TestSetupDb::insertUser(const QString &name) const
{
    QString error;
    appQuery(u"INSERT INTO users (email, name, name_key, picture, stars, level, created_at, "
             "last_login) VALUES ('%1@example.com', '%1', '%2', NULL, 3, 2, "
             "'2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z')"_s.arg(name, name.toLower()),
             &error);
    return error;
}

int TestSetupDb::latestVersion() const
{
    // Asked of the library setup_db is built from, so a new migration needs no test change.
    QTemporaryDir scratch;
    latchkey::Config::Database config;
    config.sqlitePath = scratch.filePath(u"latest.db"_s);
    if (isPostgres()) {
        config = databaseConfig();
        config.name = u"postgres"_s;
        config.user = m_pg->superuser;
        config.password = m_pg->password;
    }
    auto db = latchkey::Database::open(config, u"tst_setupdb-latest"_s);
    return db ? latchkey::Migrator(**db).latestVersion() : -1;
}

QString TestSetupDb::createDbaDatabase() const
{
    // What a DBA does by hand: the role and an empty database it owns. (createPgDatabase()
    // puts the password into SQL unescaped, which appPassword's quote would break.)
    QString password = appPassword;
    password.replace(u'\'', "''"_L1);
    QString error = latchkey::test::pgExec(
        *m_pg, u"postgres"_s, u"CREATE ROLE \"%1\" LOGIN PASSWORD '%2'"_s.arg(m_name, password));
    if (error.isEmpty())
        error = latchkey::test::pgExec(*m_pg, u"postgres"_s,
                                       u"CREATE DATABASE \"%1\" OWNER \"%1\""_s.arg(m_name));
    return error;
}

void TestSetupDb::firstRunCreatesAndMigrates()
{
    const RunResult run = runSetupDb({});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    if (isPostgres()) {
        QVERIFY2(run.out.contains(u"created role %1\n"_s.arg(m_name)), qPrintable(run.out));
        QVERIFY2(run.out.contains(u"created database %1"_s.arg(m_name)), qPrintable(run.out));
        // Tables belong to the app role, not to the superuser that created the database.
        QString error;
        const QVariant owner =
            appQuery(u"SELECT tableowner FROM pg_tables WHERE tablename = 'users'"_s, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(owner.toString(), m_name);
    } else {
        QVERIFY(QFileInfo::exists(m_environment.value(u"SQLITE_PATH"_s)));
        QVERIFY2(run.out.contains(u"created SQLite database"_s), qPrintable(run.out));
    }
    QVERIFY2(run.out.contains(u"applied 001_initial.sql\n"_s), qPrintable(run.out));
    QVERIFY(run.err.isEmpty());
    QCOMPARE(userCount(), 0);
    QCOMPARE(appQuery(u"SELECT MAX(version) FROM schema_migrations"_s).toInt(), latestVersion());
}

void TestSetupDb::secondRunIsNoOpAndKeepsRows()
{
    QCOMPARE(runSetupDb({}).exitCode, 0);
    QCOMPARE(insertUser(u"Keeper"_s), QString());
    QCOMPARE(userCount(), 1);

    const RunResult again = runSetupDb({});
    QVERIFY2(again.exitCode == 0, qPrintable(again.err));
    QVERIFY2(again.out.contains(
                 u"schema is up to date (version %1); nothing to do"_s.arg(latestVersion())),
             qPrintable(again.out));
    QVERIFY2(!again.out.contains(u"applied"_s), qPrintable(again.out));
    QCOMPARE(userCount(), 1);
    QCOMPARE(appQuery(u"SELECT name FROM users"_s).toString(), u"Keeper"_s);
}

void TestSetupDb::existingRoleAndDatabaseAreReported()
{
    if (!isPostgres())
        QSKIP("roles and databases are PostgreSQL's");
    QCOMPARE(runSetupDb({}).exitCode, 0);
    const RunResult again = runSetupDb({});
    QVERIFY2(again.exitCode == 0, qPrintable(again.err));
    QVERIFY2(again.out.contains(u"role %1 exists\n"_s.arg(m_name)), qPrintable(again.out));
    QVERIFY2(again.out.contains(u"database %1 exists\n"_s.arg(m_name)), qPrintable(again.out));
    QVERIFY2(!again.out.contains(u"created"_s), qPrintable(again.out));
}

void TestSetupDb::skipCreateOnlyMigrates()
{
    if (isPostgres()) {
        // Role and database exist; setup_db gets no admin credentials.
        const QString error = createDbaDatabase();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    QProcessEnvironment environment = m_environment;
    environment.remove(adminUserVariable);
    environment.remove(adminPasswordVariable);
    const RunResult run = runSetupDb({u"--skip-create"_s}, environment);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(!run.out.contains(u"role"_s), qPrintable(run.out));
    QVERIFY2(run.out.contains(u"applied 001_initial.sql"_s), qPrintable(run.out));
    QCOMPARE(userCount(), 0);
}

void TestSetupDb::resetWithoutConfirmationIsRefused()
{
    QCOMPARE(runSetupDb({}).exitCode, 0);
    QCOMPARE(insertUser(u"Survivor"_s), QString());

    const RunResult run = runSetupDb({u"--reset"_s});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith(u"setup_db: "_s), qPrintable(run.err));
    for (const QString &table :
         {u"users"_s, u"identities"_s, u"sessions"_s, u"schema_migrations"_s})
        QVERIFY2(run.err.contains(table), qPrintable(run.err));
    QVERIFY2(run.err.contains(u"--yes-destroy-all-data"_s), qPrintable(run.err));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.out));
    QCOMPARE(userCount(), 1);

    // The confirmation alone confirms nothing.
    const RunResult confirmOnly = runSetupDb({u"--yes-destroy-all-data"_s});
    QCOMPARE(confirmOnly.exitCode, 2);
    QCOMPARE(userCount(), 1);
}

void TestSetupDb::resetWithConfirmationRecreatesSchema()
{
    QCOMPARE(runSetupDb({}).exitCode, 0);
    QCOMPARE(insertUser(u"Doomed"_s), QString());
    QCOMPARE(insertUser(u"AlsoDoomed"_s), QString());
    QCOMPARE(userCount(), 2);

    const RunResult run = runSetupDb({u"--reset"_s, u"--yes-destroy-all-data"_s});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(u"dropped table users\n"_s), qPrintable(run.out));
    QVERIFY2(run.out.contains(u"dropped table schema_migrations\n"_s), qPrintable(run.out));
    QVERIFY2(run.out.contains(u"applied 001_initial.sql\n"_s), qPrintable(run.out));
    QCOMPARE(userCount(), 0);
    QCOMPARE(appQuery(u"SELECT MAX(version) FROM schema_migrations"_s).toInt(), latestVersion());

    const RunResult status = runSetupDb({u"--status"_s});
    QVERIFY2(status.out.contains(u"current schema version: %1\n"_s.arg(latestVersion())),
             qPrintable(status.out));
}

void TestSetupDb::statusChangesNothing()
{
    if (isPostgres()) {
        const QString error = createDbaDatabase();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    const RunResult before = runSetupDb({u"--status"_s});
    QVERIFY2(before.exitCode == 0, qPrintable(before.err));
    QVERIFY2(before.out.contains(u"current schema version: 0\n"_s), qPrintable(before.out));
    QVERIFY2(before.out.contains(u"latest schema version: %1\n"_s.arg(latestVersion())),
             qPrintable(before.out));
    QVERIFY2(before.out.contains(u"pending: 001_initial.sql"_s), qPrintable(before.out));
    QVERIFY2(!before.out.contains(u"applied"_s), qPrintable(before.out));
    if (isPostgres())
        QCOMPARE(userCount(), -1); // no users table: nothing was applied
    else
        QVERIFY(!QFileInfo::exists(m_environment.value(u"SQLITE_PATH"_s))); // nor created

    QCOMPARE(runSetupDb({}).exitCode, 0);
    const RunResult after = runSetupDb({u"--status"_s});
    QVERIFY2(after.exitCode == 0, qPrintable(after.err));
    QVERIFY2(after.out.contains(u"current schema version: %1\n"_s.arg(latestVersion())),
             qPrintable(after.out));
    QVERIFY2(after.out.contains(u"schema is up to date\n"_s), qPrintable(after.out));
}

void TestSetupDb::missingAdminPasswordWithoutTerminal()
{
    if (!isPostgres())
        QSKIP("only PostgreSQL needs a superuser");
    QProcessEnvironment environment = m_environment;
    environment.remove(adminPasswordVariable);
    const RunResult run = runSetupDb({}, environment);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith(u"setup_db: "_s), qPrintable(run.err));
    QVERIFY2(run.err.contains(adminPasswordVariable), qPrintable(run.err));
    QVERIFY2(run.err.contains(u"--admin-password"_s), qPrintable(run.err));
    QVERIFY2(!run.err.contains(u"Password for"_s), qPrintable(run.err)); // no prompt on a pipe
    QCOMPARE(
        latchkey::test::pgExec(*m_pg, u"postgres"_s,
                               u"DO $$BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '%1') "
                               "THEN RAISE 'role created'; END IF; END$$"_s.arg(m_name)),
        QString());
}

void TestSetupDb::invalidNamesAreRefused_data()
{
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("value");
    QTest::newRow("dash") << u"DB_USER"_s << u"bad-name"_s;
    QTest::newRow("leading digit") << u"DB_USER"_s << u"1latchkey"_s;
    QTest::newRow("quote injection") << u"DB_USER"_s << u"x\"; DROP ROLE postgres; --"_s;
    QTest::newRow("space") << u"DB_USER"_s << u"lat chkey"_s;
    QTest::newRow("too long") << u"DB_USER"_s << QString(64, u'a');
    QTest::newRow("database name") << u"DB_NAME"_s << u"latchkey.prod"_s;
}

void TestSetupDb::invalidNamesAreRefused()
{
    if (!isPostgres())
        QSKIP("only PostgreSQL names are quoted into statements");
    QFETCH(QString, variable);
    QFETCH(QString, value);
    QProcessEnvironment environment = m_environment;
    environment.insert(variable, value);
    const RunResult run = runSetupDb({}, environment);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(variable), qPrintable(run.err));
    QVERIFY2(run.err.contains(u"letters, digits and _"_s), qPrintable(run.err));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.out));
}

void TestSetupDb::wrongAdminPasswordFails()
{
    if (!isPostgres())
        QSKIP("only PostgreSQL needs a superuser");
    QProcessEnvironment environment = m_environment;
    environment.insert(adminPasswordVariable, u"not-the-password"_s);
    const RunResult run = runSetupDb({}, environment);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.startsWith(u"setup_db: cannot connect"_s), qPrintable(run.err));
    QVERIFY2(run.err.contains(m_pg->superuser), qPrintable(run.err));
    QVERIFY2(run.err.contains(u"--admin-user"_s), qPrintable(run.err));
    QVERIFY2(!run.err.contains(u"not-the-password"_s), qPrintable(run.err));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.out));
}

void TestSetupDb::badUsageExitsWithTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown option") << QStringList{u"--frobnicate"_s};
    QTest::newRow("positional") << QStringList{u"now"_s};
    QTest::newRow("status with reset") << QStringList{u"--status"_s, u"--reset"_s};
    QTest::newRow("missing config file") << QStringList{u"--config"_s, u"nowhere.yml"_s};
}

void TestSetupDb::badUsageExitsWithTwo()
{
    QFETCH(QStringList, arguments);
    const RunResult run = runSetupDb(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith(u"setup_db: "_s), qPrintable(run.err));
}

void TestSetupDb::serverRefusesOldSchemaUntilSetupDb()
{
    if (isPostgres()) {
        const QString error = createDbaDatabase();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    const latchkey::Config::Database config = databaseConfig(); // autoMigrate off
    const latchkey::Status refused = latchkey::LatchkeyServer::prepareSchema(config);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(u"run setup_db"_s),
             qPrintable(refused.error().message));

    const RunResult run = runSetupDb({u"--skip-create"_s});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const latchkey::Status accepted = latchkey::LatchkeyServer::prepareSchema(config);
    QVERIFY2(accepted.ok(), accepted.ok() ? "" : qPrintable(accepted.error().message));
}

// Schema 2 adds users.name_skeleton, which only ICU computes: the users of a schema-1
// database get theirs from the migrator, the oldest first; a later account whose name looks
// like an earlier one's keeps its name without one, and new names can take neither.
void TestSetupDb::upgradeFillsNameSkeletons()
{
    if (isPostgres()) {
        const QString error = createDbaDatabase();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    {
        auto db = latchkey::Database::open(databaseConfig(), u"tst_setupdb-schema1"_s);
        QVERIFY(db);
        const latchkey::Migration first = latchkey::Migrator(**db).available().constFirst();
        QCOMPARE(first.version, 1);
        QStringList statements = latchkey::Migrator::splitStatements(first.sql);
        statements << u"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
                      "NOT NULL, applied_at TEXT NOT NULL)"_s
                   << u"INSERT INTO schema_migrations VALUES (1, '%1', 'then')"_s.arg(first.name);
        for (const QString &statement : std::as_const(statements)) {
            QSqlQuery query((*db)->connection());
            QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
        }
    }
    // "copy" and Cyrillic "сору" look the same; the older one keeps the skeleton.
    for (const QString &name : {u"copy"_s, u"\u0441\u043E\u0440\u0443"_s, u"Alice"_s})
        QCOMPARE(insertUser(name), QString());

    const RunResult run = runSetupDb({u"--skip-create"_s});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(u"applied 002_name_skeleton.sql"_s), qPrintable(run.out));
    const auto skeletonOf = [this](const QString &name) {
        return appQuery(
                   u"SELECT COALESCE(name_skeleton, '-') FROM users WHERE name = '%1'"_s.arg(name))
            .toString();
    };
    QCOMPARE(skeletonOf(u"copy"_s), u"copy"_s);
    QCOMPARE(skeletonOf(u"\u0441\u043E\u0440\u0443"_s), u"-"_s);
    QCOMPARE(skeletonOf(u"Alice"_s), u"alice"_s);
    // A new look-alike of either is refused by the unique index.
    QString error;
    appQuery(u"INSERT INTO users (email, name, name_key, name_skeleton, created_at, last_login) "
             "VALUES ('x@example.com', 'c0py', 'c0py', 'copy', 'now', 'now')"_s,
             &error);
    QVERIFY2(error.contains(u"name_skeleton"_s), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestSetupDb)
#include "tst_setupdb.moc"
