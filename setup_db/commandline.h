// setup_db's command line: its options, their environment variables, and the checks that
// need no database.
#pragma once

#include "setupdb.h"

#include "config/config.h"

#include <QProcessEnvironment>
#include <QStringList>

#include <optional>

namespace latchkey {

//! What one invocation of setup_db asks for.
struct Invocation
{
    Config config;
    SetupOptions options;
    //! The superuser's password when a flag or SETUP_DB_ADMIN_PASSWORD gave one (empty is
    //! given: peer/trust authentication); absent, the operator is asked on a terminal.
    std::optional<QString> adminPassword;
};

//! Parses \a arguments (--help and --version print and exit here) and loads the server's
//! configuration. A usage or configuration problem is InvalidField with the message for the
//! operator (exit status 2: nothing was touched).
Result<Invocation> parseCommandLine(const QStringList &arguments,
                                    const QProcessEnvironment &environment);

} // namespace latchkey
