// setup_db: reads the server's configuration, prepares the database and applies migrations.
#include "commandline.h"
#include "passwordprompt.h"
#include "setupdb.h"

#include <latchkey/version.h>

#include <QCoreApplication>
#include <QProcessEnvironment>

#include <cstdio>
#include <optional>
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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"setup_db"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(LATCHKEY_VERSION));
    // Library warnings (latchkey.db) go to stderr in the same voice as our own errors.
    qSetMessagePattern(u"setup_db: %{if-category}%{category}: %{endif}%{message}"_s);

    const latchkey::Result<latchkey::Invocation> invocation = latchkey::parseCommandLine(
        QCoreApplication::arguments(), QProcessEnvironment::systemEnvironment());
    if (!invocation)
        return fail(exitUsage, invocation.error().message);

    const auto report = [](const QString &line) {
        std::printf("%s\n", qPrintable(line));
        std::fflush(stdout); // keep the lines in order with stderr when both go to one log
    };
    latchkey::SetupDb setup(invocation->config.database, invocation->options, report);
    if (const latchkey::Status valid = setup.validate(); !valid)
        return fail(exitUsage, valid.error().message);

    if (setup.needsAdmin()) {
        std::optional<QString> password = invocation->adminPassword;
        const latchkey::SetupOptions &options = invocation->options;
        if (!password && ::isatty(STDIN_FILENO)) {
            const latchkey::Result<QString> typed =
                latchkey::promptHidden(u"Password for PostgreSQL user %1 at %2:%3: "_s
                                           .arg(options.adminUser, options.adminHost)
                                           .arg(options.adminPort));
            if (typed)
                password = *typed;
        }
        if (!password) {
            return fail(
                exitUsage,
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
