// The programs' configuration sources and the listen addresses in the configuration.
#include "config/config.h"

#include <QFile>
#include <QHostAddress>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

ConfigSources ConfigSources::standard(const QString &configFile, const QString &envFile,
                                      const QProcessEnvironment &environment)
{
    const QString fallback = QStringLiteral("config.yml");
    return {!configFile.isEmpty()     ? configFile
            : QFile::exists(fallback) ? fallback
                                      : QString(),
            envFile, environment};
}

bool parseListenAddress(const QString &text, QString *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    else if (host.contains(u':'))
        return false; // an IPv6 address needs its brackets: [::1]:9464
    bool ok = false;
    const uint number = QStringView(text).sliced(colon + 1).toUInt(&ok);
    const QHostAddress parsed(host == "localhost"_L1 ? u"127.0.0.1"_s : host);
    if (!ok || number > 65535 || parsed.isNull()) // 0: any free port
        return false;
    *address = parsed.toString();
    *port = quint16(number);
    return true;
}

} // namespace latchkey
