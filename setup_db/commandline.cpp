// The options of setup_db and the checks of their combinations.
#include "commandline.h"

#include <QCommandLineParser>
#include <QFile>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

Error usage(const QString &message)
{
    return {ErrorCode::InvalidField, message};
}

QString describeTarget(const Config::Database &database)
{
    if (database.driver == "postgres"_L1)
        return u"PostgreSQL database %1 on %2:%3"_s.arg(database.name, database.host)
            .arg(database.port);
    return u"SQLite database %1"_s.arg(database.sqlitePath);
}

//! The parser and its options (a plain aggregate: the steps below read it).
struct CommandLine
{
    explicit CommandLine(const QProcessEnvironment &environment);

    Status parse(const QStringList &arguments);
    Result<Config> loadConfig() const;
    Status checkReset(const Config::Database &database) const;
    Result<SetupOptions> setupOptions(const Config::Database &database) const;
    //! A flag beats its environment variable; an empty variable still counts as given, so
    //! SETUP_DB_ADMIN_PASSWORD= selects peer/trust authentication without a prompt.
    std::optional<QString> setting(const QCommandLineOption &option,
                                   QLatin1StringView variable) const;

    QCommandLineOption adminPasswordOption{
        u"admin-password"_s,
        u"Its password (empty for peer/trust authentication; prompted for on a terminal)."_s,
        u"password"_s};
    const QProcessEnvironment m_environment;
    QCommandLineParser parser;
    QCommandLineOption helpOption;
    QCommandLineOption versionOption;
    QCommandLineOption configOption{
        u"config"_s, u"Configuration file (default: config.yml when present)."_s, u"file"_s};
    QCommandLineOption envOption{u"env-file"_s, u"Environment file (default: .env when present)."_s,
                                 u"file"_s, u".env"_s};
    QCommandLineOption adminUserOption{
        u"admin-user"_s,
        u"PostgreSQL superuser that creates role and database (default: postgres)."_s, u"name"_s};
    QCommandLineOption adminHostOption{
        u"admin-host"_s, u"Host or socket folder for the superuser (default: DB_HOST)."_s,
        u"host"_s};
    QCommandLineOption adminPortOption{u"admin-port"_s,
                                       u"Port for the superuser (default: DB_PORT)."_s, u"port"_s};
    QCommandLineOption skipCreateOption{
        u"skip-create"_s, u"Only apply migrations: role and database exist already."_s};
    QCommandLineOption statusOption{
        u"status"_s, u"Print the current and latest schema versions; change nothing."_s};
    QCommandLineOption resetOption{
        u"reset"_s,
        u"Drop all Latchkey tables and re-create them (needs --yes-destroy-all-data)."_s};
    QCommandLineOption confirmOption{u"yes-destroy-all-data"_s,
                                     u"Confirms --reset: every account and session is lost."_s};
};

CommandLine::CommandLine(const QProcessEnvironment &environment)
    : m_environment(environment), helpOption(parser.addHelpOption()),
      versionOption(parser.addVersionOption())
{
    parser.setApplicationDescription(
        u"Prepares Latchkey's database: on PostgreSQL creates the role DB_USER and the database "
        "DB_NAME (as a superuser) when missing, then applies the schema migrations as DB_USER. "
        "On SQLite creates the file and applies the migrations. Never drops data unless "
        "--reset is confirmed with --yes-destroy-all-data.\n\n"
        "Environment: SETUP_DB_ADMIN_USER, SETUP_DB_ADMIN_PASSWORD (preferred to the flag, "
        "which other local users can see in the process list), SETUP_DB_ADMIN_HOST, "
        "SETUP_DB_ADMIN_PORT; and the server's own variables (DB_DRIVER, DB_HOST, DB_PORT, "
        "DB_NAME, DB_USER, DB_PASSWORD, DATABASE_URL, SQLITE_PATH, ...).\n\n"
        "Exit status: 0 done, 1 failed, 2 bad usage or configuration."_s);
    parser.addOptions({configOption, envOption, adminUserOption, adminPasswordOption,
                       adminHostOption, adminPortOption, skipCreateOption, statusOption,
                       resetOption, confirmOption});
}

Status CommandLine::parse(const QStringList &arguments)
{
    if (!parser.parse(arguments))
        return usage(parser.errorText() + u" (see setup_db --help)"_s);
    if (parser.isSet(helpOption))
        parser.showHelp(0);
    if (parser.isSet(versionOption))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return usage(u"unexpected argument %1 (see setup_db --help)"_s.arg(
            parser.positionalArguments().constFirst()));
    if (parser.isSet(statusOption) && parser.isSet(resetOption))
        return usage(u"--status and --reset cannot be combined"_s);
    if (parser.isSet(confirmOption) && !parser.isSet(resetOption))
        return usage(u"--yes-destroy-all-data only confirms --reset; nothing to confirm"_s);
    return Done{};
}

Result<Config> CommandLine::loadConfig() const
{
    Result<Config> config = latchkey::loadConfig(ConfigSources::standard(
        parser.value(configOption), parser.value(envOption), m_environment));
    if (!config)
        return usage(config.error().message);
    return config;
}

Status CommandLine::checkReset(const Config::Database &database) const
{
    if (parser.isSet(resetOption) && !parser.isSet(confirmOption)) {
        QStringList tables = SetupDb::ownedTables();
        const QString last = tables.takeLast();
        return usage(u"--reset would drop the tables %1 and %2 of the %3, destroying every account "
                     "and session in it; nothing was changed. Add --yes-destroy-all-data to "
                     "confirm"_s.arg(tables.join(", "_L1), last, describeTarget(database)));
    }
    return Done{};
}

std::optional<QString> CommandLine::setting(const QCommandLineOption &option,
                                            QLatin1StringView variable) const
{
    if (parser.isSet(option))
        return parser.value(option);
    if (m_environment.contains(variable))
        return m_environment.value(variable);
    return std::nullopt;
}

Result<SetupOptions> CommandLine::setupOptions(const Config::Database &database) const
{
    SetupOptions options;
    options.statusOnly = parser.isSet(statusOption);
    options.createDatabase = !parser.isSet(skipCreateOption);
    options.reset = parser.isSet(resetOption);
    options.adminUser = setting(adminUserOption, "SETUP_DB_ADMIN_USER"_L1).value_or(u"postgres"_s);
    options.adminHost = setting(adminHostOption, "SETUP_DB_ADMIN_HOST"_L1).value_or(database.host);
    options.adminPort = database.port;
    if (const auto port = setting(adminPortOption, "SETUP_DB_ADMIN_PORT"_L1)) {
        bool ok = false;
        options.adminPort = port->toInt(&ok);
        if (!ok || options.adminPort < 1 || options.adminPort > 65535)
            return usage(u"--admin-port / SETUP_DB_ADMIN_PORT: \"%1\" is not a port; use "
                         "1..65535"_s.arg(*port));
    }
    if (options.adminUser.isEmpty())
        return usage(u"--admin-user / SETUP_DB_ADMIN_USER is empty; name a PostgreSQL "
                     "superuser, e.g. postgres"_s);
    return options;
}

} // namespace

Result<Invocation> parseCommandLine(const QStringList &arguments,
                                    const QProcessEnvironment &environment)
{
    CommandLine commandLine(environment);
    if (const Status parsed = commandLine.parse(arguments); !parsed)
        return parsed.error();
    Result<Config> config = commandLine.loadConfig();
    if (!config)
        return config.error();
    if (const Status reset = commandLine.checkReset(config->database); !reset)
        return reset.error();
    Result<SetupOptions> options = commandLine.setupOptions(config->database);
    if (!options)
        return options.error();
    return Invocation{
        *config, *options,
        commandLine.setting(commandLine.adminPasswordOption, "SETUP_DB_ADMIN_PASSWORD"_L1)};
}

} // namespace latchkey
