// Reads one configuration file (config.yml or .env) with the checks both share.
#include "config/configsource_p.h"

#include <QFile>
#include <QFileInfo>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

// A larger file is a mistake (a log, a dump), not a configuration; refuse before parsing it.
constexpr qint64 maxFileSize = 1024 * 1024;

} // namespace

Result<QByteArray> readSourceFile(const QString &path, SourceFileKind kind)
{
    if (QFileInfo(path).isDir())
        return invalidConfig(u"%1: is a directory; name the %2 itself"_s.arg(path, kind.itself));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return invalidConfig(u"%1: cannot be read (%2); make it readable by the user the server "
                             "runs as"_s.arg(path, file.errorString()));
    if (file.size() > maxFileSize)
        return invalidConfig(u"%1: is larger than 1 MiB; name the %2"_s.arg(path, kind.whole));
    return file.readAll();
}

} // namespace latchkey
