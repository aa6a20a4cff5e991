// latchkey-admin: reads the server's configuration, runs one command on its database, prints
// the result. How the first admin is made: latchkey-admin grant-admin <user>.
#include "commands.h"

#include "db/migrator.h"

#include <latchkey/version.h>

#include <QCoreApplication>
#include <QProcessEnvironment>

#include <cstdio>

namespace {

using namespace Qt::Literals::StringLiterals;

// Exit codes: 0 done, 1 the command failed, 2 bad usage or configuration (nothing changed).
constexpr int exitFailed = 1;
constexpr int exitUsage = 2;

int fail(int code, const QString &message)
{
    std::fprintf(stderr, "latchkey-admin: %s\n", qPrintable(message));
    return code;
}

QString logPath(const latchkey::Config::Server &server)
{
    return server.logDir.isEmpty() ? QString() : server.logDir + u"/login.log"_s;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"latchkey-admin"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(LATCHKEY_VERSION));
    qSetMessagePattern(u"latchkey-admin: %{if-category}%{category}: %{endif}%{message}"_s);

    using namespace latchkey;
    const Result<AdminInvocation> inv = parseAdminCommandLine(
        QCoreApplication::arguments(), QProcessEnvironment::systemEnvironment());
    if (!inv)
        return fail(exitUsage, inv.error().message);
    const Config &config = inv->config;
    if (const Status schema = Migrator::prepare(config.database, u"latchkey-admin"_s); !schema)
        return fail(exitFailed, schema.error().message);

    const Clock clock = systemClock();
    Storage storage(config.database, u"latchkey-admin"_s, clock);
    if (!storage.isAvailable())
        return fail(exitFailed, u"cannot reach the database (see the line above)"_s);
    LoginLog file(logPath(config.server), config.server.jsonLogs);
    AuditLog audit(file, storage, config.audit.retentionDays, clock);
    AccountAdmin admin(storage, audit, clock);
    ApiTokens tokens(storage, audit, clock);
    const Result<AdminOutput> output = AdminCommands(storage, admin, tokens).run(*inv);
    audit.flush();
    if (!output)
        return fail(exitFailed, output.error().message);
    printAdminOutput(*output, inv->json);
    return 0;
}
