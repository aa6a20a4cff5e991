// Parses DATABASE_URL (postgres:// or sqlite:) into the parts of Config::Database it names.
#include "config/databaseurl_p.h"

#include "config/configsource_p.h"

#include <QUrl>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

Result<DatabaseUrl> parseSqliteUrl(const QString &text)
{
    QString path = text.mid(7);
    if (path.startsWith("///"_L1))
        path = path.mid(2);
    else if (path.startsWith("//"_L1))
        return invalidConfig(u"sqlite://host/... is not supported; use sqlite:///absolute/path.db "
                             "or sqlite:relative/path.db"_s);
    path = QUrl::fromPercentEncoding(path.toUtf8());
    if (path.isEmpty())
        return invalidConfig(u"names no database file; use sqlite:///absolute/path.db or "
                             "sqlite:relative/path.db"_s);
    DatabaseUrl parsed;
    parsed.driver = u"sqlite"_s;
    parsed.sqlitePath = path;
    return parsed;
}

Result<DatabaseUrl> parsePostgresUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return invalidConfig(u"is not a valid URL; use postgres://user:password@host:5432/dbname "
                             "and percent-encode special characters in the password (e.g. @ as "
                             "%40)"_s);
    // Options such as sslmode have no place in Config; dropping them silently could
    // weaken the connection, so refuse them.
    if (url.hasQuery() || url.hasFragment())
        return invalidConfig(u"options after ? or # are not supported; use "
                             "postgres://user:password@host:5432/dbname and percent-encode # in "
                             "the password as %23"_s);
    QString name = url.path();
    if (name.startsWith(u'/'))
        name.remove(0, 1);
    if (name.contains(u'/'))
        return invalidConfig(
            u"the path must be just the database name, as in postgres://host:5432/dbname"_s);

    DatabaseUrl parsed;
    parsed.driver = u"postgres"_s;
    parsed.host = url.host();
    parsed.port = url.port();
    parsed.name = name;
    parsed.user = url.userName();
    parsed.password = url.password();
    return parsed;
}

} // namespace

Result<DatabaseUrl> parseDatabaseUrl(const QString &text)
{
    if (text.startsWith("sqlite:"_L1, Qt::CaseInsensitive))
        return parseSqliteUrl(text);
    if (text.startsWith("postgres://"_L1, Qt::CaseInsensitive) ||
        text.startsWith("postgresql://"_L1, Qt::CaseInsensitive))
        return parsePostgresUrl(text);
    return invalidConfig(u"unsupported scheme; use postgres://user:password@host:5432/dbname or "
                         "sqlite:///absolute/path.db"_s);
}

} // namespace latchkey
