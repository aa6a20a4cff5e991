// Formatting and appending auth events.
#include "loginlog.h"

#include <latchkey/privatefiles.h>
#include <latchkey/username.h>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace latchkey {

LoginLog::LoginLog(const QString &path, bool jsonLines) : m_json(jsonLines)
{
    if (path.isEmpty())
        return;
    privatefiles::makePath(QFileInfo(path).absolutePath());
    m_file.setFileName(path);
    privatefiles::open(m_file, QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered);
}

void LoginLog::write(const char *event, const QHostAddress &ip, const QList<Field> &fields)
{
    if (!m_file.isOpen())
        return;
    const QString time = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QString address = ip.toString();
    QByteArray line;
    if (m_json) {
        QJsonObject o{{QStringLiteral("time"), time},
                      {QStringLiteral("event"), QString::fromLatin1(event)},
                      {QStringLiteral("ip"), address}};
        for (const Field &f : fields)
            o.insert(QString::fromLatin1(f.first), f.second); // JSON escapes control characters
        line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    } else {
        QString text =
            time + QLatin1Char(' ') + QString::fromLatin1(event) + QStringLiteral(" ip=") + address;
        for (const Field &f : fields) {
            QString value = username::sanitizeForLog(f.second);
            value.replace(QLatin1Char('"'), QLatin1Char('\''));
            text += QLatin1Char(' ') + QString::fromLatin1(f.first) + QStringLiteral("=\"") +
                    value + QLatin1Char('"');
        }
        line = text.toUtf8();
    }
    line.append('\n');
    QMutexLocker lock(&m_mutex);
    m_file.write(line);
}

} // namespace latchkey
