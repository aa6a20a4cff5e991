// The .env file: KEY=VALUE lines as python-dotenv and compose files write them.
#pragma once

#include <latchkey/error.h>

#include <QHash>
#include <QString>

namespace latchkey {

//! Every variable the file at \a path sets; none if it does not exist (a .env is optional).
//! Errors name the line and variable but never quote a value: it may be a secret.
Result<QHash<QString, QString>> readEnvFile(const QString &path);

} // namespace latchkey
