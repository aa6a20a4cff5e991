// Creates the PostgreSQL role and database as the superuser, then migrates as the app role.
#include "setupdb.h"

#include "db/database.h"
#include "db/migrator.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <utility>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

// PostgreSQL truncates longer identifiers silently (NAMEDATALEN - 1), so a longer name would
// create one role and then look for another.
constexpr qsizetype maxIdentifierBytes = 63;

QString quoteIdentifier(const QString &name)
{
    // Only plain identifiers get here (validate()); the quotes keep their case.
    return u'"' + name + u'"';
}

// CREATE ROLE takes no bind parameters, so the password goes in as a literal. With
// standard_conforming_strings on (set for the session below) only ' needs escaping.
QString quoteLiteral(const QString &text)
{
    QString escaped = text;
    escaped.replace(u'\'', "''"_L1);
    return u'\'' + escaped + u'\'';
}

// A driver message may quote part of a failing statement; the password must not leave.
QString withoutSecret(QString text, const QString &secret)
{
    if (!secret.isEmpty())
        text.replace(secret, "***"_L1);
    return text;
}

// One line on stderr: libpq's messages end in (and may contain) newlines.
Error failed(const QString &message)
{
    return Error{ErrorCode::Internal, message.simplified()};
}

// Session settings for our own connections: no NOTICE chatter ("relation ... already exists,
// skipping") on stderr. Failing to set it changes nothing that matters.
void quietNotices(QSqlDatabase &db)
{
    QSqlQuery query(db);
    query.exec(u"SET client_min_messages TO warning"_s);
}

} // namespace

SetupDb::SetupDb(Config::Database database, SetupOptions options, Reporter report)
    : m_database(std::move(database)), m_options(std::move(options)), m_report(std::move(report))
{
}

bool SetupDb::needsAdmin() const
{
    return m_database.driver == "postgres"_L1 && !m_options.statusOnly && m_options.createDatabase;
}

const QStringList &SetupDb::ownedTables()
{
    // Children before parents. A migration that adds a table must add it here, or --reset
    // leaves it behind (and CASCADE on PostgreSQL may empty it through a foreign key).
    static const QStringList tables{u"api_tokens"_s,       u"audit_events"_s,  u"preferences"_s,
                                    u"device_codes"_s,     u"oauth_pending"_s, u"auth_failures"_s,
                                    u"sessions"_s,         u"identities"_s,    u"users"_s,
                                    u"schema_migrations"_s};
    return tables;
}

bool SetupDb::isPlainIdentifier(const QString &name)
{
    static const QRegularExpression plain(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    return name.size() <= maxIdentifierBytes && plain.match(name).hasMatch();
}

Status SetupDb::validate() const
{
    if (!needsAdmin())
        return Done{};
    const std::pair<QLatin1StringView, const QString &> names[] = {{"DB_USER"_L1, m_database.user},
                                                                   {"DB_NAME"_L1, m_database.name}};
    for (const auto &[key, value] : names) {
        if (!isPlainIdentifier(value)) {
            return Error{
                ErrorCode::InvalidField,
                u"%1 \"%2\" is not a plain PostgreSQL name; use letters, digits and _ (not "
                "starting with a digit), at most 63 characters, or create the role and database "
                "yourself and run setup_db --skip-create"_s.arg(key, value)};
        }
    }
    if (m_database.password.contains(QChar(0)))
        return Error{ErrorCode::InvalidField,
                     u"DB_PASSWORD contains a NUL character, which PostgreSQL cannot store"_s};
    return Done{};
}

Status SetupDb::run()
{
    const bool postgres = m_database.driver == "postgres"_L1;
    if (needsAdmin()) {
        const Status created = createRoleAndDatabase();
        if (!created)
            return created;
    }
    if (!postgres && m_options.statusOnly && !QFileInfo::exists(m_database.sqlitePath))
        return reportMissingSqliteFile();

    const bool sqliteFileExisted = !postgres && QFileInfo::exists(m_database.sqlitePath);
    Result<std::unique_ptr<Database>> db = Database::open(m_database, u"setup_db-app"_s);
    if (!db) {
        QString message = db.error().message;
        if (postgres && !m_createdRole && !m_options.statusOnly)
            message +=
                u" (if role %1 existed before, check that DB_PASSWORD is its password)"_s.arg(
                    m_database.user);
        return failed(withoutSecret(message, m_database.password));
    }
    if (postgres)
        quietNotices((*db)->connection());
    else if (!sqliteFileExisted && !m_options.statusOnly)
        m_report(u"created SQLite database %1"_s.arg(m_database.sqlitePath));

    if (m_options.statusOnly)
        return reportStatus(**db);
    if (m_options.reset) {
        const Status reset = resetSchema(**db);
        if (!reset)
            return reset;
    }
    return migrate(**db);
}

Status SetupDb::createRoleAndDatabase()
{
    // A plain connection rather than a Database: nothing here needs its statement cache,
    // and its lifetime must end (removeDatabase) after every query made on it.
    struct AdminConnection
    {
        const QString name = u"setup_db-admin"_s;
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        ~AdminConnection()
        {
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
        }
    } admin;
    if (!admin.db.isValid())
        return failed(u"the Qt SQL driver for PostgreSQL (QPSQL) is not installed"_s);
    admin.db.setHostName(m_options.adminHost);
    admin.db.setPort(m_options.adminPort);
    admin.db.setDatabaseName(m_options.maintenanceDatabase);
    admin.db.setUserName(m_options.adminUser);
    admin.db.setPassword(m_options.adminPassword);
    admin.db.setConnectOptions(u"connect_timeout=5"_s);
    if (!admin.db.open()) {
        return failed(
            u"cannot connect to PostgreSQL at %1:%2 database %3 as %4: %5 (check "
            "--admin-user and the password in SETUP_DB_ADMIN_PASSWORD, or run with "
            "--skip-create when role and database exist)"_s.arg(m_options.adminHost)
                .arg(m_options.adminPort)
                .arg(m_options.maintenanceDatabase, m_options.adminUser,
                     withoutSecret(admin.db.lastError().databaseText(), m_options.adminPassword)));
    }
    return createRoleAndDatabase(admin.db);
}

Status SetupDb::createRoleAndDatabase(QSqlDatabase &db)
{
    quietNotices(db);
    {
        // The server would otherwise write CREATE ROLE ... PASSWORD '...' into its log when
        // statement logging is on or the statement fails. Only a superuser may change these.
        QSqlQuery query(db);
        const bool quiet = query.exec(u"SET log_statement TO 'none'"_s) &&
                           query.exec(u"SET log_min_error_statement TO 'panic'"_s) &&
                           query.exec(u"SET log_min_duration_statement TO -1"_s);
        if (!quiet) {
            m_report(u"note: %1 is not a superuser; the PostgreSQL server log may record the "
                     "CREATE ROLE statement"_s.arg(m_options.adminUser));
        }
        if (!query.exec(u"SET standard_conforming_strings TO on"_s))
            return failed(
                u"cannot turn on standard_conforming_strings: %1"_s.arg(query.lastError().text()));
    }

    const QString role = quoteIdentifier(m_database.user);
    const QString database = quoteIdentifier(m_database.name);

    QSqlQuery findRole(db);
    findRole.prepare(u"SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = ?"_s);
    findRole.addBindValue(m_database.user);
    if (!findRole.exec())
        return failed(
            u"cannot look up role %1: %2"_s.arg(m_database.user, findRole.lastError().text()));
    if (findRole.next()) {
        m_report(
            findRole.value(0).toBool()
                ? u"role %1 exists"_s.arg(m_database.user)
                : u"role %1 exists but cannot log in (ALTER ROLE %1 LOGIN)"_s.arg(m_database.user));
    } else {
        QSqlQuery create(db);
        if (!create.exec(u"CREATE ROLE %1 LOGIN PASSWORD %2"_s.arg(
                role, quoteLiteral(m_database.password)))) {
            return failed(u"cannot create role %1: %2"_s.arg(
                m_database.user,
                withoutSecret(create.lastError().databaseText(), m_database.password)));
        }
        m_createdRole = true;
        m_report(u"created role %1"_s.arg(m_database.user));
    }

    QSqlQuery findDatabase(db);
    findDatabase.prepare(
        u"SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = ?"_s);
    findDatabase.addBindValue(m_database.name);
    if (!findDatabase.exec())
        return failed(u"cannot look up database %1: %2"_s.arg(m_database.name,
                                                              findDatabase.lastError().text()));
    QString owner;
    if (findDatabase.next()) {
        owner = findDatabase.value(0).toString();
    } else {
        // CREATE DATABASE cannot run inside a transaction; QPSQL's exec() is autocommit.
        QSqlQuery create(db);
        if (!create.exec(u"CREATE DATABASE %1 OWNER %2"_s.arg(database, role)))
            return failed(u"cannot create database %1: %2"_s.arg(
                m_database.name, create.lastError().databaseText()));
        m_report(u"created database %1 owned by %2"_s.arg(m_database.name, m_database.user));
    }
    QSqlQuery grant(db);
    if (!grant.exec(u"GRANT ALL ON DATABASE %1 TO %2"_s.arg(database, role)))
        return failed(u"cannot grant privileges on database %1 to %2: %3"_s.arg(
            m_database.name, m_database.user, grant.lastError().databaseText()));
    if (!owner.isEmpty()) {
        // Owned by someone else, the app role may lack CREATE on the public schema
        // (PostgreSQL 15+), which the migrations need; say so rather than fail obscurely.
        m_report(owner == m_database.user
                     ? u"database %1 exists"_s.arg(m_database.name)
                     : u"database %1 exists (owner %2); granted all privileges on it to %3"_s.arg(
                           m_database.name, owner, m_database.user));
    }
    return Done{};
}

Status SetupDb::resetSchema(Database &db)
{
    const QStringList existing = db.connection().tables();
    QStringList dropped;
    if (!db.begin())
        return failed(u"cannot begin a transaction to drop the tables"_s);
    for (const QString &table : ownedTables()) {
        if (!existing.contains(table))
            continue;
        QSqlQuery drop(db.connection());
        const QString sql = db.isPostgres() ? u"DROP TABLE %1 CASCADE"_s.arg(quoteIdentifier(table))
                                            : u"DROP TABLE %1"_s.arg(quoteIdentifier(table));
        if (!drop.exec(sql)) {
            const QString text = drop.lastError().text();
            db.rollback();
            return failed(u"cannot drop table %1 (nothing was dropped): %2"_s.arg(table, text));
        }
        dropped.append(table);
    }
    if (!db.commit())
        return failed(u"cannot commit dropping the tables"_s);
    if (dropped.isEmpty())
        m_report(u"no Latchkey tables to drop"_s);
    for (const QString &table : std::as_const(dropped))
        m_report(u"dropped table %1"_s.arg(table));
    return Done{};
}

Status SetupDb::migrate(Database &db)
{
    Migrator migrator(db);
    const int latest = migrator.latestVersion();
    if (latest == 0)
        return failed(u"this setup_db has no migrations for %1 built in"_s.arg(m_database.driver));
    const Result<int> current = migrator.currentVersion();
    if (!current)
        return failed(u"cannot read the schema version: %1"_s.arg(current.error().message));
    if (*current > latest) {
        return failed(u"the database schema (version %1) is newer than this setup_db knows (%2); "
                      "use the setup_db of the release that wrote it"_s.arg(*current)
                          .arg(latest));
    }
    const Result<QStringList> applied = migrator.migrate();
    if (!applied)
        return failed(applied.error().message);
    if (applied->isEmpty()) {
        m_report(u"schema is up to date (version %1); nothing to do"_s.arg(*current));
        return Done{};
    }
    for (const QString &name : *applied)
        m_report(u"applied %1"_s.arg(name));
    m_report(u"schema is at version %1"_s.arg(latest));
    return Done{};
}

Status SetupDb::reportStatus(Database &db)
{
    Migrator migrator(db);
    const Result<int> current = migrator.currentVersion();
    if (!current)
        return failed(u"cannot read the schema version: %1"_s.arg(current.error().message));
    const int latest = migrator.latestVersion();
    m_report(u"current schema version: %1"_s.arg(*current));
    m_report(u"latest schema version: %1"_s.arg(latest));
    QStringList pending;
    for (const Migration &migration : migrator.available()) {
        if (migration.version > *current)
            pending.append(migration.name);
    }
    if (*current > latest)
        m_report(u"the database is newer than this setup_db"_s);
    else if (pending.isEmpty())
        m_report(u"schema is up to date"_s);
    else
        m_report(u"pending: %1 (run setup_db to apply)"_s.arg(pending.join(", "_L1)));
    return Done{};
}

Status SetupDb::reportMissingSqliteFile()
{
    // --status must not create the file, so a scratch database stands in to count the
    // migrations (Database::open would turn ":memory:" into a folder named ":").
    const QTemporaryDir scratch;
    if (!scratch.isValid())
        return failed(u"cannot create a temporary folder: %1"_s.arg(scratch.errorString()));
    Config::Database empty = m_database;
    empty.sqlitePath = scratch.filePath(u"status.db"_s);
    Result<std::unique_ptr<Database>> db = Database::open(empty, u"setup_db-status"_s);
    if (!db)
        return failed(db.error().message);
    m_report(u"no SQLite database at %1 yet"_s.arg(m_database.sqlitePath));
    return reportStatus(**db);
}

} // namespace latchkey
