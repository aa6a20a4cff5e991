// latchkey-server: reads configuration, starts, and stops gracefully on SIGTERM/SIGINT.
#include "latchkeyserver.h"

#include <latchkey/version.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {
int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &c, 1); // async-signal-safe
}

void printError(const QString &message)
{
    std::fprintf(stderr, "latchkey-server: %s\n", qPrintable(message));
}

// LOG_JSON / server.json_logs: one JSON object per stderr line, for log shippers.
void jsonMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    static const char *const levels[] = {"debug", "warning", "critical", "fatal", "info"};
    const QJsonObject line{
        {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("level"), QLatin1StringView(levels[type])},
        {QStringLiteral("category"), QLatin1StringView(context.category)},
        {QStringLiteral("message"), message}};
    std::fprintf(stderr, "%s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
}

// What --check-config prints: the database, the address and the directories the server would
// use, paths made absolute against the current directory as the server resolves them.
QString describe(const latchkey::Config &config)
{
    const auto absolute = [](const QString &path) {
        return QDir::cleanPath(QDir::current().absoluteFilePath(path));
    };
    // One arg() call each, so that a % in a path is never taken for a placeholder.
    const latchkey::Config::Database &db = config.database;
    const QString database =
        db.driver == QLatin1StringView("postgres")
            ? QStringLiteral("postgres database %1 on %2:%3")
                  .arg(db.name, db.host, QString::number(db.port))
            : QStringLiteral("sqlite database %1").arg(absolute(db.sqlitePath));
    return QStringLiteral("configuration OK (%1; address %2:%3; data_dir %4; log_dir %5)")
        .arg(database, config.server.host, QString::number(config.server.port),
             absolute(config.server.dataDir), absolute(config.server.logDir));
}

void applyLogLevel(const QString &level)
{
    QString rules = QStringLiteral("latchkey.*.debug=false\n");
    if (level == QLatin1StringView("DEBUG"))
        rules = QStringLiteral("latchkey.*.debug=true\n");
    else if (level == QLatin1StringView("WARNING"))
        rules += QStringLiteral("latchkey.*.info=false\n");
    else if (level == QLatin1StringView("ERROR"))
        rules += QStringLiteral("latchkey.*.info=false\nlatchkey.*.warning=false\n");
    QLoggingCategory::setFilterRules(rules);
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("latchkey-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LATCHKEY_VERSION));
    qSetMessagePattern(
        QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} %{category}: %{message}"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Latchkey account server"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(
        QStringLiteral("config"),
        QStringLiteral("Configuration file (default: config.yml when present)."),
        QStringLiteral("file"));
    const QCommandLineOption envOption(
        QStringLiteral("env-file"),
        QStringLiteral("Environment file (default: .env when present)."), QStringLiteral("file"),
        QStringLiteral(".env"));
    const QCommandLineOption checkOption(QStringLiteral("check-config"),
                                         QStringLiteral("Validate the configuration and exit."));
    parser.addOptions({configOption, envOption, checkOption});
    parser.process(app);

    const latchkey::Result<latchkey::Config> config = latchkey::loadConfig(
        latchkey::ConfigSources::standard(parser.value(configOption), parser.value(envOption),
                                          QProcessEnvironment::systemEnvironment()));
    if (!config) {
        printError(config.error().message);
        return 2;
    }
    if (parser.isSet(checkOption)) {
        std::printf("%s\n", qPrintable(describe(*config)));
        return 0;
    }
    applyLogLevel(config->server.debug ? QStringLiteral("DEBUG") : config->server.logLevel);
    if (config->server.jsonLogs)
        qInstallMessageHandler(jsonMessageHandler);

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0) {
        printError(QStringLiteral("cannot create the signal pipe"));
        return 1;
    }
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    latchkey::LatchkeyServer server(*config);
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &server, [&] {
        char c;
        [[maybe_unused]] const ssize_t n = ::read(signalPipe[0], &c, 1);
        notifier.setEnabled(false);
        qInfo("shutting down: finishing requests in flight");
        server.shutdown();
    });
    QObject::connect(&server, &latchkey::LatchkeyServer::stopped, &app, [] {
        qInfo("stopped");
        QCoreApplication::quit();
    });
    if (const latchkey::Status started = server.start(); !started) {
        printError(started.error().message);
        return 1;
    }
    return app.exec();
}
