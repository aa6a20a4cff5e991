// setup_db: reads the server's configuration, prepares the database and applies migrations.
#include "setupdb.h"

#include <latchkey/version.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QProcessEnvironment>

#include <csignal>
#include <cstdio>
#include <optional>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace {

using namespace Qt::Literals::StringLiterals;

// Exit codes: 0 done, 1 the work failed, 2 bad usage or configuration (nothing was touched).
constexpr int exitFailed = 1;
constexpr int exitUsage = 2;

int fail(int code, const QString &message)
{
    std::fprintf(stderr, "setup_db: %s\n", qPrintable(message));
    return code;
}

// The terminal state to restore if the operator interrupts the password prompt; without
// it an interrupted prompt would leave the shell with echo off.
termios savedTerminal;

void restoreTerminalAndExit(int signal)
{
    ::tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal); // async-signal-safe
    ::_exit(128 + signal);
}

//! Reads one line from the terminal on stdin without echoing it; nullopt on end of input.
std::optional<QString> promptHidden(const QString &prompt)
{
    std::fprintf(stderr, "%s", qPrintable(prompt));
    std::fflush(stderr);
    const bool terminal = ::tcgetattr(STDIN_FILENO, &savedTerminal) == 0;
    struct sigaction previousInt = {}, previousTerm = {};
    if (terminal) {
        struct sigaction action = {};
        action.sa_handler = restoreTerminalAndExit;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previousInt);
        sigaction(SIGTERM, &action, &previousTerm);
        termios quiet = savedTerminal;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    bool gotAny = false;
    for (int c = std::fgetc(stdin); c != EOF; c = std::fgetc(stdin)) {
        gotAny = true;
        if (c == '\n')
            break;
        line.push_back(char(c));
    }
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTerminal);
        sigaction(SIGINT, &previousInt, nullptr);
        sigaction(SIGTERM, &previousTerm, nullptr);
    }
    std::fprintf(stderr, "\n");
    if (!gotAny)
        return std::nullopt;
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QString::fromLocal8Bit(line);
}

QString describeTarget(const latchkey::Config::Database &database)
{
    if (database.driver == "postgres"_L1)
        return u"PostgreSQL database %1 on %2:%3"_s.arg(database.name, database.host).arg(database.port);
    return u"SQLite database %1"_s.arg(database.sqlitePath);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"setup_db"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(LATCHKEY_VERSION));
    // Library warnings (latchkey.db) go to stderr in the same voice as our own errors.
    qSetMessagePattern(u"setup_db: %{if-category}%{category}: %{endif}%{message}"_s);

    QCommandLineParser parser;
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
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption configOption(u"config"_s,
                                          u"Configuration file (default: config.yml when present)."_s,
                                          u"file"_s);
    const QCommandLineOption envOption(u"env-file"_s,
                                       u"Environment file (default: .env when present)."_s,
                                       u"file"_s, u".env"_s);
    const QCommandLineOption adminUserOption(
        u"admin-user"_s, u"PostgreSQL superuser that creates role and database (default: postgres)."_s,
        u"name"_s);
    const QCommandLineOption adminPasswordOption(
        u"admin-password"_s,
        u"Its password (empty for peer/trust authentication; prompted for on a terminal)."_s,
        u"password"_s);
    const QCommandLineOption adminHostOption(
        u"admin-host"_s, u"Host or socket folder for the superuser (default: DB_HOST)."_s, u"host"_s);
    const QCommandLineOption adminPortOption(u"admin-port"_s,
                                             u"Port for the superuser (default: DB_PORT)."_s, u"port"_s);
    const QCommandLineOption skipCreateOption(
        u"skip-create"_s, u"Only apply migrations: role and database exist already."_s);
    const QCommandLineOption statusOption(
        u"status"_s, u"Print the current and latest schema versions; change nothing."_s);
    const QCommandLineOption resetOption(
        u"reset"_s, u"Drop all Latchkey tables and re-create them (needs --yes-destroy-all-data)."_s);
    const QCommandLineOption confirmOption(u"yes-destroy-all-data"_s,
                                           u"Confirms --reset: every account and session is lost."_s);
    parser.addOptions({configOption, envOption, adminUserOption, adminPasswordOption,
                       adminHostOption, adminPortOption, skipCreateOption, statusOption,
                       resetOption, confirmOption});

    // parse(), not process(): process() exits with 1 on a bad option, and 1 means "failed".
    if (!parser.parse(QCoreApplication::arguments()))
        return fail(exitUsage, parser.errorText() + u" (see setup_db --help)"_s);
    if (parser.isSet(helpOption))
        parser.showHelp(0);
    if (parser.isSet(versionOption))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return fail(exitUsage, u"unexpected argument %1 (see setup_db --help)"_s.arg(
                                   parser.positionalArguments().constFirst()));
    if (parser.isSet(statusOption) && parser.isSet(resetOption))
        return fail(exitUsage, u"--status and --reset cannot be combined"_s);
    if (parser.isSet(confirmOption) && !parser.isSet(resetOption))
        return fail(exitUsage, u"--yes-destroy-all-data only confirms --reset; nothing to confirm"_s);

    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    latchkey::ConfigSources sources;
    sources.configFile = parser.isSet(configOption) ? parser.value(configOption)
                         : QFile::exists(u"config.yml"_s) ? u"config.yml"_s
                                                          : QString();
    sources.envFile = parser.value(envOption);
    sources.environment = environment;
    const latchkey::Result<latchkey::Config> config = latchkey::loadConfig(sources);
    if (!config)
        return fail(exitUsage, config.error().message);
    const latchkey::Config::Database &database = config->database;

    if (parser.isSet(resetOption) && !parser.isSet(confirmOption)) {
        QStringList tables = latchkey::SetupDb::ownedTables();
        const QString last = tables.takeLast();
        return fail(exitUsage,
                    u"--reset would drop the tables %1 and %2 of the %3, destroying every account "
                    "and session in it; nothing was changed. Add --yes-destroy-all-data to "
                    "confirm"_s.arg(tables.join(", "_L1), last, describeTarget(database)));
    }

    // A flag beats its environment variable; an empty variable still counts as given, so
    // SETUP_DB_ADMIN_PASSWORD= selects peer/trust authentication without a prompt.
    const auto setting = [&](const QCommandLineOption &option,
                             QLatin1StringView variable) -> std::optional<QString> {
        if (parser.isSet(option))
            return parser.value(option);
        if (environment.contains(variable))
            return environment.value(variable);
        return std::nullopt;
    };

    latchkey::SetupOptions options;
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
            return fail(exitUsage, u"--admin-port / SETUP_DB_ADMIN_PORT: \"%1\" is not a port; use "
                                   "1..65535"_s.arg(*port));
    }
    if (options.adminUser.isEmpty())
        return fail(exitUsage, u"--admin-user / SETUP_DB_ADMIN_USER is empty; name a PostgreSQL "
                               "superuser, e.g. postgres"_s);

    const auto report = [](const QString &line) {
        std::printf("%s\n", qPrintable(line));
        std::fflush(stdout); // keep the lines in order with stderr when both go to one log
    };
    latchkey::SetupDb setup(database, options, report);
    if (const auto problem = setup.validate())
        return fail(exitUsage, *problem);

    if (setup.needsAdmin()) {
        std::optional<QString> password = setting(adminPasswordOption, "SETUP_DB_ADMIN_PASSWORD"_L1);
        if (!password && ::isatty(STDIN_FILENO))
            password = promptHidden(u"Password for PostgreSQL user %1 at %2:%3: "_s.arg(
                options.adminUser, options.adminHost).arg(options.adminPort));
        if (!password) {
            return fail(exitUsage,
                        u"the password of PostgreSQL superuser %1 is needed to create role and "
                        "database: set SETUP_DB_ADMIN_PASSWORD (or pass --admin-password; empty for "
                        "peer/trust authentication), or run with --skip-create when role and "
                        "database exist"_s.arg(options.adminUser));
        }
        setup.setAdminPassword(*password);
    }

    if (const latchkey::Status done = setup.run(); !done)
        return fail(exitFailed, done.error().message);
    return 0;
}
