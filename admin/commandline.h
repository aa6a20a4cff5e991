// latchkey-admin's command line: the command, the user it names, its options, and the
// server's configuration loaded the way latchkey-server loads it.
#pragma once

#include "config/config.h"

#include <QProcessEnvironment>
#include <QStringList>

namespace latchkey {

//! One invocation: `latchkey-admin [options] <command> [<user>]`.
struct AdminInvocation
{
    Config config;
    QString command;    //!< "ban", "find", …
    QString user;       //!< id, username or e-mail (commands that take a user; find: the query)
    bool json = false;  //!< --json: JSON instead of a table
    QString reason;     //!< ban --reason
    QString tokenName;  //!< create-token --name
    QStringList scopes; //!< create-token --scope (repeatable; default api)
    int expiresInDays = 0;
    QString auditUser; //!< audit --user
    QString event;     //!< audit --event
    QString since;     //!< audit --since / --until: ISO-8601 or Unix milliseconds
    QString until;
    qint64 after = 0;       //!< find / audit --after
    int limit = 50;         //!< find / audit --limit
    bool confirmed = false; //!< delete-user --yes
};

//! The commands and what each takes, for --help and the checks.
struct AdminCommand
{
    const char *name;
    bool takesUser;
    const char *summary;
};
const QList<AdminCommand> &adminCommands();

//! Parses \a arguments (--help and --version print and exit here) and loads the
//! configuration. A usage or configuration problem is InvalidField with the message for the
//! operator (exit status 2: nothing was touched).
Result<AdminInvocation> parseAdminCommandLine(const QStringList &arguments,
                                              const QProcessEnvironment &environment);

} // namespace latchkey
