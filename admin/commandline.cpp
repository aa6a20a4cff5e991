// The options of latchkey-admin and the checks of which command takes which.
#include "commandline.h"

#include <QCommandLineParser>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

Error usage(const QString &message)
{
    return {ErrorCode::InvalidField, message + u" (see latchkey-admin --help)"_s};
}

QString commandList()
{
    QString text;
    for (const AdminCommand &c : adminCommands())
        text += u"  %1%2\n"_s.arg(QString::fromLatin1(c.name).leftJustified(18),
                                  QLatin1StringView(c.summary));
    return text;
}

struct Options
{
    QCommandLineOption config{
        u"config"_s, u"Configuration file (default: config.yml when present)."_s, u"file"_s};
    QCommandLineOption envFile{u"env-file"_s, u"Environment file (default: .env when present)."_s,
                               u"file"_s, u".env"_s};
    QCommandLineOption json{u"json"_s, u"Print JSON instead of a table."_s};
    QCommandLineOption reason{u"reason"_s, u"ban: the reason the player is shown."_s, u"text"_s};
    QCommandLineOption name{u"name"_s, u"create-token: the token's name."_s, u"name"_s};
    QCommandLineOption scope{u"scope"_s, u"create-token: api or admin (repeatable; default api)."_s,
                             u"scope"_s};
    QCommandLineOption expires{u"expires-in-days"_s,
                               u"create-token: days until it expires (default 0: never)."_s,
                               u"days"_s};
    QCommandLineOption user{u"user"_s, u"audit: only this user's events."_s, u"user"_s};
    QCommandLineOption event{u"event"_s, u"audit: only this event (e.g. user_banned)."_s,
                             u"event"_s};
    QCommandLineOption since{u"since"_s, u"audit: from this time (ISO-8601 or Unix ms)."_s,
                             u"time"_s};
    QCommandLineOption until{u"until"_s, u"audit: before this time."_s, u"time"_s};
    QCommandLineOption after{u"after"_s, u"find, audit: continue after this id."_s, u"id"_s};
    QCommandLineOption limit{u"limit"_s, u"find, audit: at most this many rows (default 50)."_s,
                             u"n"_s};
    QCommandLineOption yes{u"yes"_s, u"delete-user: confirms the deletion."_s};
};

//! \a option's value as a whole number in [min, max]; \a fallback when it is not given.
Result<qint64> number(const QCommandLineParser &parser, const QCommandLineOption &option,
                      qint64 fallback, qint64 min, qint64 max)
{
    if (!parser.isSet(option))
        return fallback;
    bool ok = false;
    const qint64 value = parser.value(option).toLongLong(&ok);
    if (!ok || value < min || value > max)
        return usage(u"--%1 must be a whole number from %2 to %3"_s.arg(option.names().constFirst())
                         .arg(min)
                         .arg(max));
    return value;
}

//! Options that belong to one command only, and that command.
Status checkOptionsFit(const QCommandLineParser &parser, const Options &o, const QString &command)
{
    const std::pair<const QCommandLineOption *, QStringList> owners[] = {
        {&o.reason, {u"ban"_s}},
        {&o.name, {u"create-token"_s}},
        {&o.scope, {u"create-token"_s}},
        {&o.expires, {u"create-token"_s}},
        {&o.user, {u"audit"_s}},
        {&o.event, {u"audit"_s}},
        {&o.since, {u"audit"_s}},
        {&o.until, {u"audit"_s}},
        {&o.after, {u"find"_s, u"audit"_s}},
        {&o.limit, {u"find"_s, u"audit"_s}},
        {&o.yes, {u"delete-user"_s}},
    };
    for (const auto &[option, commands] : owners) {
        if (parser.isSet(*option) && !commands.contains(command))
            return usage(u"--%1 does not go with %2"_s.arg(option->names().constFirst(), command));
    }
    return Done{};
}
} // namespace

const QList<AdminCommand> &adminCommands()
{
    static const QList<AdminCommand> commands{
        {"find", false, "[QUERY] users by id, or name or e-mail containing QUERY"},
        {"show", true, "USER: one user, with the reason of a ban"},
        {"grant-admin", true, "USER: make USER an admin"},
        {"revoke-admin", true, "USER: make USER a player again"},
        {"ban", true, "USER [--reason TEXT]: ban USER and end every session"},
        {"unban", true, "USER: lift the ban (the player signs in again)"},
        {"revoke-sessions", true, "USER: end every session of USER"},
        {"delete-user", true, "USER --yes: delete USER and everything tied to it"},
        {"create-token", true, "USER --name N [--scope api|admin]: a new API token"},
        {"audit", false, "[--user U] [--event E] [--since T] [--until T]: the activity log"},
    };
    return commands;
}

Result<AdminInvocation> parseAdminCommandLine(const QStringList &arguments,
                                              const QProcessEnvironment &environment)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Operates Latchkey's accounts on the server's own configuration and database (the "
        "same config.yml, .env and environment as latchkey-server). A USER is named by id, "
        "username or e-mail address. Changes reach running servers at once.\n\nCommands:\n"_s +
        commandList() + u"\nExit status: 0 done, 1 failed, 2 bad usage or configuration."_s);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const Options o;
    parser.addOptions({o.config, o.envFile, o.json, o.reason, o.name, o.scope, o.expires, o.user,
                       o.event, o.since, o.until, o.after, o.limit, o.yes});
    parser.addPositionalArgument(u"command"_s, u"What to do (see Commands)."_s);
    parser.addPositionalArgument(u"user"_s, u"The user it is about."_s, u"[user]"_s);
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(help))
        parser.showHelp(0);
    if (parser.isSet(version))
        parser.showVersion();

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usage(u"name a command"_s);
    AdminInvocation inv;
    inv.command = positional.constFirst();
    const auto known =
        std::find_if(adminCommands().begin(), adminCommands().end(), [&inv](const AdminCommand &c) {
            return inv.command == QLatin1StringView(c.name);
        });
    if (known == adminCommands().end())
        return usage(u"unknown command %1"_s.arg(inv.command));
    const int expected = known->takesUser ? 2 : (inv.command == "find"_L1 ? 2 : 1);
    if (known->takesUser && positional.size() < 2)
        return usage(u"%1 needs a user (an id, username or e-mail address)"_s.arg(inv.command));
    if (positional.size() > expected)
        return usage(u"unexpected argument %1"_s.arg(positional.at(expected)));
    inv.user = positional.value(1);
    if (const Status fits = checkOptionsFit(parser, o, inv.command); !fits)
        return fits.error();
    if (inv.command == "delete-user"_L1 && !parser.isSet(o.yes))
        return usage(u"delete-user deletes %1 and everything tied to it for good; add --yes to "
                     "confirm"_s.arg(inv.user));
    if (inv.command == "create-token"_L1 && parser.value(o.name).isEmpty())
        return usage(u"create-token needs --name (what the token is for)"_s);

    const Result<qint64> days = number(parser, o.expires, 0, 0, 3650);
    const Result<qint64> after = number(parser, o.after, 0, 0, INT64_MAX);
    const Result<qint64> limit = number(parser, o.limit, 50, 1, 500);
    for (const Result<qint64> *n : {&days, &after, &limit}) {
        if (!*n)
            return n->error();
    }
    inv.json = parser.isSet(o.json);
    inv.reason = parser.value(o.reason);
    inv.tokenName = parser.value(o.name);
    inv.scopes = parser.isSet(o.scope) ? parser.values(o.scope) : QStringList{u"api"_s};
    inv.expiresInDays = int(*days);
    inv.auditUser = parser.value(o.user);
    inv.event = parser.value(o.event);
    inv.since = parser.value(o.since);
    inv.until = parser.value(o.until);
    inv.after = *after;
    inv.limit = int(*limit);
    inv.confirmed = parser.isSet(o.yes);

    Result<Config> config = loadConfig(
        ConfigSources::standard(parser.value(o.config), parser.value(o.envFile), environment));
    if (!config)
        return Error{ErrorCode::InvalidField, config.error().message};
    inv.config = std::move(*config);
    return inv;
}

} // namespace latchkey
