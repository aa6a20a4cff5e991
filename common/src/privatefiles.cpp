// Owner-only creation: the mode is given when the file or folder is made, not set after.
#include <latchkey/privatefiles.h>

#include <QDir>
#include <QFileInfo>

namespace latchkey::privatefiles {

bool makePath(const QString &path)
{
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (QFileInfo(absolute).isDir())
        return true;
    const QString parent = QFileInfo(absolute).path();
    if (parent != absolute && !makePath(parent))
        return false;
    return QDir().mkdir(absolute, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner) ||
           QFileInfo(absolute).isDir(); // made meanwhile by someone else
}

bool open(QFile &file, QIODevice::OpenMode mode)
{
    return file.open(mode, QFile::ReadOwner | QFile::WriteOwner);
}

bool isShared(const QString &path)
{
    const QFile::Permissions others =
        QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther;
    return (QFile::permissions(path) & others) != 0;
}

} // namespace latchkey::privatefiles
