// What every configuration source shares: the error a bad value becomes, and reading a file.
#pragma once

#include <latchkey/error.h>

#include <QByteArray>
#include <QLatin1StringView>
#include <QString>

namespace latchkey {

//! Every configuration failure is an InvalidField whose message names the key and the fix.
inline Error invalidConfig(const QString &message)
{
    return Error{ErrorCode::InvalidField, message};
}

//! \a problem (which names no key) said of \a where, e.g. ".env: SERVER_PORT: <problem>".
inline Error invalidConfig(const QString &where, const Error &problem)
{
    return invalidConfig(QStringLiteral("%1: %2").arg(where, problem.message));
}

//! How the messages about one kind of file name it.
struct SourceFileKind
{
    QLatin1StringView itself; //!< "is a directory; name the <itself> itself"
    QLatin1StringView whole;  //!< "is larger than 1 MiB; name the <whole>"
};

//! The bytes of the existing file \a path, refused if it is a directory, unreadable or too big.
Result<QByteArray> readSourceFile(const QString &path, SourceFileKind kind);

} // namespace latchkey
