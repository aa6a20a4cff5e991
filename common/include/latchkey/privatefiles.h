// Files and folders only their owner may read: secrets, players' e-mails, the login log.
#pragma once

#include <QFile>
#include <QString>

namespace latchkey::privatefiles {

//! Creates \a path and its missing parents with mode 0700 from the start (folders that
//! exist keep their mode). False when one cannot be created.
bool makePath(const QString &path);

//! Opens \a file; when \a mode creates it, it is created with mode 0600 (never readable by
//! others, not even for a moment).
bool open(QFile &file, QIODevice::OpenMode mode);

//! Whether users other than the owner may read or write \a path.
bool isShared(const QString &path);

} // namespace latchkey::privatefiles
