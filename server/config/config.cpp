// Loads config.yml, then .env, then the environment into one validated Config.
#include "config/config.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <yaml-cpp/yaml.h>

#include <exception>
#include <optional>
#include <utility>
#include <variant>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

// A larger file is a mistake (a log, a dump), not a configuration; refuse before parsing it.
constexpr qint64 maxFileSize = 1024 * 1024;
constexpr int minJwtSecretBytes = 32;

const QString secretFix = u"(generate one with: openssl rand -base64 48)"_s;

// Where a key's value lands. std::optional<bool> is for auto_migrate, whose default depends
// on the driver chosen by a later layer, so "not set" must stay distinguishable from false.
using Target = std::variant<QString *, int *, bool *, std::optional<bool> *, QStringList *, QUrl *,
                            QByteArray *>;

struct State
{
    Config config;
    std::optional<bool> autoMigrate;
    // How an error names a value: by the layer that set it last ("SERVER_PORT",
    // ".env: SERVER_PORT", "config.yml: server.port"), so the fix goes to the right place.
    QHash<const void *, QString> origins;
};

struct Field
{
    QLatin1StringView section; //!< "providers.google"; empty: a secret, never read from the file
    QLatin1StringView key;     //!< key inside the section
    QLatin1StringView envName; //!< variable in .env and the environment; empty: file only
    Target (*target)(State &);
};

// The one table of what can be configured; the file walker, the variable reader and the
// error messages are all driven by it, so a new key is one line here plus its validation.
const Field fields[] = {
    {"database"_L1, "driver"_L1, "DB_DRIVER"_L1,
     [](State &s) -> Target { return &s.config.database.driver; }},
    {"database"_L1, "host"_L1, "DB_HOST"_L1,
     [](State &s) -> Target { return &s.config.database.host; }},
    {"database"_L1, "port"_L1, "DB_PORT"_L1,
     [](State &s) -> Target { return &s.config.database.port; }},
    {"database"_L1, "database"_L1, "DB_NAME"_L1,
     [](State &s) -> Target { return &s.config.database.name; }},
    {"database"_L1, "user"_L1, "DB_USER"_L1,
     [](State &s) -> Target { return &s.config.database.user; }},
    {{}, {}, "DB_PASSWORD"_L1, [](State &s) -> Target { return &s.config.database.password; }},
    {"database"_L1, "sqlite_path"_L1, "SQLITE_PATH"_L1,
     [](State &s) -> Target { return &s.config.database.sqlitePath; }},
    {"database"_L1, "auto_migrate"_L1, {}, [](State &s) -> Target { return &s.autoMigrate; }},

    {"security"_L1, "jwt_algorithm"_L1, "JWT_ALGORITHM"_L1,
     [](State &s) -> Target { return &s.config.security.jwtAlgorithm; }},
    {{}, {}, "JWT_SECRET"_L1, [](State &s) -> Target { return &s.config.security.jwtSecret; }},
    {"security"_L1, "access_token_expiry_minutes"_L1, "ACCESS_TOKEN_EXPIRY_MINUTES"_L1,
     [](State &s) -> Target { return &s.config.security.accessTokenExpiryMinutes; }},
    {"security"_L1, "refresh_token_expiry_days"_L1, "REFRESH_TOKEN_EXPIRY_DAYS"_L1,
     [](State &s) -> Target { return &s.config.security.refreshTokenExpiryDays; }},
    {"security"_L1, "issuer"_L1, "JWT_ISSUER"_L1,
     [](State &s) -> Target { return &s.config.security.issuer; }},
    {"security"_L1, "audience"_L1, "JWT_AUDIENCE"_L1,
     [](State &s) -> Target { return &s.config.security.audience; }},
    {"security"_L1,
     "max_sessions_per_user"_L1,
     {},
     [](State &s) -> Target { return &s.config.security.maxSessionsPerUser; }},
    {"security"_L1,
     "refresh_grace_seconds"_L1,
     {},
     [](State &s) -> Target { return &s.config.security.refreshGraceSeconds; }},
    {"security"_L1,
     "failed_auth_per_minute"_L1,
     {},
     [](State &s) -> Target { return &s.config.security.failedAuthPerMinute; }},

    {"server"_L1, "host"_L1, "SERVER_HOST"_L1,
     [](State &s) -> Target { return &s.config.server.host; }},
    {"server"_L1, "port"_L1, "SERVER_PORT"_L1,
     [](State &s) -> Target { return &s.config.server.port; }},
    {"server"_L1, "debug"_L1, {}, [](State &s) -> Target { return &s.config.server.debug; }},
    {"server"_L1, "log_level"_L1, "LOG_LEVEL"_L1,
     [](State &s) -> Target { return &s.config.server.logLevel; }},
    {"server"_L1, "json_logs"_L1, "LOG_JSON"_L1,
     [](State &s) -> Target { return &s.config.server.jsonLogs; }},
    {"server"_L1, "workers"_L1, "SERVER_WORKERS"_L1,
     [](State &s) -> Target { return &s.config.server.workers; }},
    {"server"_L1,
     "max_connections"_L1,
     {},
     [](State &s) -> Target { return &s.config.server.maxConnections; }},
    {"server"_L1,
     "header_timeout_ms"_L1,
     {},
     [](State &s) -> Target { return &s.config.server.headerTimeoutMs; }},
    {"server"_L1,
     "idle_timeout_ms"_L1,
     {},
     [](State &s) -> Target { return &s.config.server.idleTimeoutMs; }},
    {"server"_L1,
     "shutdown_timeout_ms"_L1,
     {},
     [](State &s) -> Target { return &s.config.server.shutdownTimeoutMs; }},
    {"server"_L1, "data_dir"_L1, "DATA_DIR"_L1,
     [](State &s) -> Target { return &s.config.server.dataDir; }},
    {"server"_L1, "log_dir"_L1, "LOG_DIR"_L1,
     [](State &s) -> Target { return &s.config.server.logDir; }},

    {"providers.google"_L1, "client_ids"_L1, "GOOGLE_CLIENT_ID"_L1,
     [](State &s) -> Target { return &s.config.google.clientIds; }},
    {{},
     {},
     "GOOGLE_CLIENT_SECRET"_L1,
     [](State &s) -> Target { return &s.config.google.clientSecret; }},
    {"providers.google"_L1, "token_info_url"_L1, "GOOGLE_TOKEN_INFO_URL"_L1,
     [](State &s) -> Target { return &s.config.google.tokenInfoUrl; }},
    {"providers.google"_L1, "jwks_url"_L1, "GOOGLE_JWKS_URL"_L1,
     [](State &s) -> Target { return &s.config.google.jwksUrl; }},
    {"providers.google"_L1, "issuers"_L1, "GOOGLE_ISSUER"_L1,
     [](State &s) -> Target { return &s.config.google.issuers; }},
    {"providers.google"_L1,
     "timeout_ms"_L1,
     {},
     [](State &s) -> Target { return &s.config.google.timeoutMs; }},

    {"providers.dev"_L1, "enabled"_L1, "DEV_IDP"_L1,
     [](State &s) -> Target { return &s.config.dev.enabled; }},
    {"providers.dev"_L1,
     "client_ids"_L1,
     {},
     [](State &s) -> Target { return &s.config.dev.clientIds; }},
};

constexpr QLatin1StringView databaseUrlName("DATABASE_URL");

const void *addressOf(const Target &target)
{
    return std::visit([](auto *p) -> const void * { return p; }, target);
}

QString fileKey(const Field &field)
{
    return u"%1.%2"_s.arg(field.section, field.key);
}

// The name a message uses for a value no layer has set (so it still holds its default).
QString defaultName(State &state, const void *member)
{
    for (const Field &field : fields) {
        if (addressOf(field.target(state)) == member)
            return field.envName.isEmpty() ? fileKey(field) : QString(field.envName);
    }
    Q_UNREACHABLE();
    return QString();
}

QString nameOf(State &state, const void *member)
{
    const auto it = state.origins.constFind(member);
    return it != state.origins.cend() ? *it : defaultName(state, member);
}

Error invalid(const QString &message)
{
    return Error{ErrorCode::InvalidField, message};
}

bool isSecretKey(const QString &key)
{
    return key == "password"_L1 || key == "jwt_secret"_L1 || key == "client_secret"_L1 ||
           key == "secret"_L1;
}

QString secretVariableFor(const QString &dottedKey, const QString &key)
{
    if (dottedKey.startsWith("database."_L1) || key == "password"_L1)
        return u"DB_PASSWORD"_s;
    if (dottedKey.startsWith("security."_L1) || key == "jwt_secret"_L1)
        return u"JWT_SECRET"_s;
    if (dottedKey.startsWith("providers."_L1) || key == "client_secret"_L1)
        return u"GOOGLE_CLIENT_SECRET"_s;
    return u"JWT_SECRET, DB_PASSWORD or GOOGLE_CLIENT_SECRET"_s;
}

// QString::toInt tolerates surrounding blanks; a configured number must be exactly a number.
std::optional<int> parseInt(const QString &text)
{
    if (text.isEmpty() || text.front().isSpace() || text.back().isSpace())
        return std::nullopt;
    bool ok = false;
    const int value = text.toInt(&ok, 10);
    return ok ? std::optional<int>(value) : std::nullopt;
}

std::optional<bool> parseBool(const QString &text)
{
    const QString t = text.toLower();
    if (t == "true"_L1 || t == "yes"_L1 || t == "on"_L1 || t == "1"_L1)
        return true;
    if (t == "false"_L1 || t == "no"_L1 || t == "off"_L1 || t == "0"_L1)
        return false;
    return std::nullopt;
}

QStringList splitList(const QString &text)
{
    QStringList result;
    const auto parts = QStringView(text).split(u',');
    for (QStringView part : parts) {
        part = part.trimmed();
        if (!part.isEmpty())
            result.append(part.toString());
    }
    return result;
}

// Stores \a text in \a target; on failure returns what is wrong with it (without a name).
// Only non-secret targets can fail to parse, so quoting the text here leaks nothing.
std::optional<QString> assign(const Target &target, const QString &text)
{
    struct Visitor
    {
        const QString &text;
        std::optional<QString> operator()(QString *p) const
        {
            *p = text;
            return std::nullopt;
        }
        std::optional<QString> operator()(int *p) const
        {
            const auto value = parseInt(text);
            if (!value)
                return u"\"%1\" is not a whole number; write digits only"_s.arg(text);
            *p = *value;
            return std::nullopt;
        }
        std::optional<QString> operator()(bool *p) const
        {
            const auto value = parseBool(text);
            if (!value)
                return u"\"%1\" is not a boolean; use true or false"_s.arg(text);
            *p = *value;
            return std::nullopt;
        }
        std::optional<QString> operator()(std::optional<bool> *p) const
        {
            const auto value = parseBool(text);
            if (!value)
                return u"\"%1\" is not a boolean; use true or false"_s.arg(text);
            *p = *value;
            return std::nullopt;
        }
        std::optional<QString> operator()(QStringList *p) const
        {
            *p = splitList(text);
            return std::nullopt;
        }
        std::optional<QString> operator()(QUrl *p) const
        {
            // Checked in validate(), which names the layer the URL came from.
            *p = QUrl(text, QUrl::StrictMode);
            return std::nullopt;
        }
        std::optional<QString> operator()(QByteArray *p) const
        {
            *p = text.toUtf8();
            return std::nullopt;
        }
    };
    return std::visit(Visitor{text}, target);
}

// ---- config.yml ------------------------------------------------------------------------

QString scalarText(const YAML::Node &node)
{
    return QString::fromStdString(node.Scalar());
}

std::optional<QString> assignNode(const Target &target, const YAML::Node &node)
{
    if (std::holds_alternative<QStringList *>(target)) {
        QStringList *list = std::get<QStringList *>(target);
        if (node.IsNull()) {
            list->clear();
            return std::nullopt;
        }
        if (node.IsScalar())
            return assign(target, scalarText(node));
        if (!node.IsSequence())
            return u"expected a list of strings"_s;
        QStringList values;
        for (const YAML::Node &item : node) {
            if (!item.IsScalar())
                return u"expected a list of strings, found a nested list or map"_s;
            const QString value = scalarText(item).trimmed();
            if (!value.isEmpty())
                values.append(value);
        }
        *list = values;
        return std::nullopt;
    }
    if (node.IsNull())
        return u"has no value; give one, or remove the key to keep the default"_s;
    if (!node.IsScalar())
        return u"expected a single value, not a list or map"_s;
    return assign(target, scalarText(node));
}

class FileReader
{
public:
    FileReader(State &state, const QString &path) : m_state(state), m_path(path) {}

    std::optional<Error> read()
    {
        const QFileInfo info(m_path);
        if (!info.exists())
            return invalid(u"%1: config file not found; check the path, or start from the "
                           "commented config.yml in the project's root"_s.arg(m_path));
        if (info.isDir())
            return invalid(u"%1: is a directory; name the YAML file itself"_s.arg(m_path));
        QFile file(m_path);
        if (!file.open(QIODevice::ReadOnly))
            return invalid(u"%1: cannot be read (%2); make it readable by the user the server "
                           "runs as"_s.arg(m_path, file.errorString()));
        if (file.size() > maxFileSize)
            return invalid(
                u"%1: is larger than 1 MiB; name the YAML configuration file"_s.arg(m_path));
        const QByteArray bytes = file.readAll();

        // yaml-cpp reports everything by exception; none may leave loadConfig().
        try {
            const YAML::Node root = YAML::Load(bytes.toStdString());
            return readRoot(root);
        } catch (const YAML::Exception &e) {
            return invalid(u"%1:%2: invalid YAML (%3); fix the syntax: 'key: value', nested keys "
                           "indented with spaces"_s.arg(m_path, QString::number(e.mark.line + 1),
                                                        QString::fromStdString(e.msg)));
        } catch (const std::exception &e) {
            return invalid(
                u"%1: cannot be read (%2)"_s.arg(m_path, QString::fromLocal8Bit(e.what())));
        }
    }

private:
    std::optional<Error> readRoot(const YAML::Node &root)
    {
        if (root.IsNull())
            return std::nullopt; // an empty or all-comment file: defaults
        if (!root.IsMap())
            return invalid(u"%1: expected the sections database, security, server and providers "
                           "at the top level"_s.arg(m_path));
        for (const auto &entry : root) {
            const QString name = scalarText(entry.first);
            if (isSecretKey(name))
                return secretRefused(name, name);
            if (name == "providers"_L1) {
                if (auto error = readProviders(entry.second))
                    return error;
            } else if (name == "database"_L1 || name == "security"_L1 || name == "server"_L1) {
                if (auto error = readSection(name, entry.second))
                    return error;
            } else {
                return invalid(u"%1: unknown section %2; known sections: database, security, "
                               "server, providers"_s.arg(m_path, name));
            }
        }
        return std::nullopt;
    }

    std::optional<Error> readProviders(const YAML::Node &node)
    {
        if (node.IsNull())
            return std::nullopt;
        if (!node.IsMap())
            return invalid(u"%1: providers: expected a map with a google or dev section"_s.arg(m_path));
        for (const auto &entry : node) {
            const QString name = scalarText(entry.first);
            const QString dotted = "providers."_L1 + name;
            if (isSecretKey(name))
                return secretRefused(dotted, name);
            if (name != "google"_L1 && name != "dev"_L1)
                return invalid(u"%1: unknown key %2; known keys: google, dev"_s.arg(m_path, dotted));
            if (auto error = readSection(dotted, entry.second))
                return error;
        }
        return std::nullopt;
    }

    std::optional<Error> readSection(const QString &section, const YAML::Node &node)
    {
        if (node.IsNull())
            return std::nullopt; // a section with every key commented out
        if (!node.IsMap())
            return invalid(u"%1: %2: expected keys under the section, e.g. '  key: value'"_s.arg(
                m_path, section));
        for (const auto &entry : node) {
            const QString key = scalarText(entry.first);
            const QString dotted = section + u'.' + key;
            if (isSecretKey(key))
                return secretRefused(dotted, key);
            const Field *field = find(section, key);
            if (!field)
                return invalid(u"%1: unknown key %2; known keys: %3"_s.arg(m_path, dotted,
                                                                           knownKeys(section)));
            const Target target = field->target(m_state);
            if (const auto problem = assignNode(target, entry.second))
                return invalid(u"%1: %2: %3"_s.arg(m_path, dotted, *problem));
            m_state.origins.insert(addressOf(target), u"%1: %2"_s.arg(m_path, dotted));
        }
        return std::nullopt;
    }

    Error secretRefused(const QString &dotted, const QString &key) const
    {
        return invalid(u"%1: %2: secrets are read only from the environment or .env (set %3)"_s.arg(
            m_path, dotted, secretVariableFor(dotted, key)));
    }

    static const Field *find(const QString &section, const QString &key)
    {
        for (const Field &field : fields) {
            if (!field.section.isEmpty() && field.section == section && field.key == key)
                return &field;
        }
        return nullptr;
    }

    static QString knownKeys(const QString &section)
    {
        QStringList keys;
        for (const Field &field : fields) {
            if (!field.section.isEmpty() && field.section == section)
                keys.append(field.key);
        }
        return keys.join(", "_L1);
    }

    State &m_state;
    const QString &m_path;
};

// ---- .env ------------------------------------------------------------------------------

bool isVariableName(QStringView name)
{
    if (name.isEmpty() || name.front().isDigit())
        return false;
    for (QChar c : name) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_')
            return false;
    }
    return true;
}

// Parses the text after '=' of one line into \a value; on failure returns what is wrong,
// never the text itself (it may be a secret).
std::optional<QString> parseEnvValue(QStringView raw, QString &value)
{
    const QStringView text = raw.trimmed();
    if (text.isEmpty()) {
        value.clear();
        return std::nullopt;
    }
    const QChar quote = text.front();
    if (quote == u'"' || quote == u'\'') {
        QString result;
        qsizetype i = 1;
        bool closed = false;
        for (; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (c == quote) {
                closed = true;
                break;
            }
            // Double quotes take the usual escapes; single quotes keep every character.
            if (quote == u'"' && c == u'\\' && i + 1 < text.size()) {
                const QChar next = text.at(++i);
                if (next == u'n')
                    result.append(u'\n');
                else if (next == u't')
                    result.append(u'\t');
                else if (next == u'"' || next == u'\\')
                    result.append(next);
                else
                    result.append(c).append(next);
                continue;
            }
            result.append(c);
        }
        if (!closed)
            return u"the quote is not closed on this line (values span one line)"_s;
        const QStringView rest = text.mid(i + 1).trimmed();
        if (!rest.isEmpty() && rest.front() != u'#')
            return u"unexpected text after the closing quote"_s;
        value = result;
        return std::nullopt;
    }
    // Unquoted, as in python-dotenv: a '#' after a blank starts a comment. A value that
    // holds " #" has to be quoted.
    qsizetype end = raw.size();
    for (qsizetype i = 1; i < raw.size(); ++i) {
        if (raw.at(i) == u'#' && raw.at(i - 1).isSpace()) {
            end = i;
            break;
        }
    }
    value = raw.left(end).trimmed().toString();
    return std::nullopt;
}

// A missing .env is fine (it is optional); one that exists must parse.
std::optional<Error> readEnvFile(const QString &path, QHash<QString, QString> &variables)
{
    const QFileInfo info(path);
    if (!info.exists())
        return std::nullopt;
    if (info.isDir())
        return invalid(u"%1: is a directory; name the .env file itself"_s.arg(path));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return invalid(u"%1: cannot be read (%2); make it readable by the user the server runs "
                       "as"_s.arg(path, file.errorString()));
    if (file.size() > maxFileSize)
        return invalid(u"%1: is larger than 1 MiB; name the .env file"_s.arg(path));
    const QString text = QString::fromUtf8(file.readAll());

    const auto lines = QStringView(text).split(u'\n');
    int lineNumber = 0;
    for (QStringView line : lines) {
        ++lineNumber;
        if (line.endsWith(u'\r'))
            line.chop(1);
        QStringView rest = line.trimmed();
        if (rest.isEmpty() || rest.startsWith(u'#'))
            continue;
        if (rest.startsWith("export"_L1) && rest.size() > 6 && rest.at(6).isSpace())
            rest = rest.mid(7).trimmed();
        const qsizetype equals = rest.indexOf(u'=');
        const QStringView name = equals < 0 ? QStringView() : rest.left(equals).trimmed();
        // The line is never quoted back: a malformed line may be a pasted secret.
        if (equals < 0 || !isVariableName(name))
            return invalid(
                u"%1:%2: expected KEY=VALUE, KEY made of letters, digits and _ "
                "(a line starting with # is a comment)"_s.arg(path, QString::number(lineNumber)));
        QString value;
        if (const auto problem = parseEnvValue(rest.mid(equals + 1), value))
            return invalid(
                u"%1:%2: %3: %4"_s.arg(path, QString::number(lineNumber), name, *problem));
        variables.insert(name.toString(), value);
    }
    return std::nullopt;
}

// ---- variables (.env and the environment) -----------------------------------------------

// Sets what DATABASE_URL names; parts it leaves out (port, user, ...) keep earlier values.
// Returns what is wrong, never the URL itself: it usually carries the password.
std::optional<QString> applyDatabaseUrl(State &state, const QString &text, const QString &label)
{
    auto &db = state.config.database;
    const auto setOrigin = [&](const void *member) { state.origins.insert(member, label); };

    if (text.startsWith("sqlite:"_L1, Qt::CaseInsensitive)) {
        QString path = text.mid(7);
        if (path.startsWith("///"_L1))
            path = path.mid(2);
        else if (path.startsWith("//"_L1))
            return u"sqlite://host/... is not supported; use sqlite:///absolute/path.db or "
                   "sqlite:relative/path.db"_s;
        path = QUrl::fromPercentEncoding(path.toUtf8());
        if (path.isEmpty())
            return u"names no database file; use sqlite:///absolute/path.db or "
                   "sqlite:relative/path.db"_s;
        db.driver = u"sqlite"_s;
        db.sqlitePath = path;
        setOrigin(&db.driver);
        setOrigin(&db.sqlitePath);
        return std::nullopt;
    }

    if (!text.startsWith("postgres://"_L1, Qt::CaseInsensitive) &&
        !text.startsWith("postgresql://"_L1, Qt::CaseInsensitive))
        return u"unsupported scheme; use postgres://user:password@host:5432/dbname or "
               "sqlite:///absolute/path.db"_s;

    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return u"is not a valid URL; use postgres://user:password@host:5432/dbname and "
               "percent-encode special characters in the password (e.g. @ as %40)"_s;
    // Options such as sslmode have no place in Config; dropping them silently could
    // weaken the connection, so refuse them.
    if (url.hasQuery() || url.hasFragment())
        return u"options after ? or # are not supported; use postgres://user:password@host:5432/"
               "dbname and percent-encode # in the password as %23"_s;
    QString name = url.path();
    if (name.startsWith(u'/'))
        name.remove(0, 1);
    if (name.contains(u'/'))
        return u"the path must be just the database name, as in postgres://host:5432/dbname"_s;

    db.driver = u"postgres"_s;
    setOrigin(&db.driver);
    if (!url.host().isEmpty()) {
        db.host = url.host();
        setOrigin(&db.host);
    }
    if (url.port() != -1) {
        db.port = url.port();
        setOrigin(&db.port);
    }
    if (!name.isEmpty()) {
        db.name = name;
        setOrigin(&db.name);
    }
    if (!url.userName().isEmpty()) {
        db.user = url.userName();
        setOrigin(&db.user);
    }
    if (!url.password().isEmpty()) {
        db.password = url.password();
        setOrigin(&db.password);
    }
    return std::nullopt;
}

// One layer of variables. DATABASE_URL is applied first and the DB_* variables of the same
// layer on top, so DB_PASSWORD can complete a URL without one. A later layer (the
// environment over .env) wins as a whole: its DATABASE_URL replaces an earlier DB_HOST.
// \a where is the .env path, or empty for the environment.
std::optional<Error> applyVariables(State &state, const QHash<QString, QString> &variables,
                                    const QString &where)
{
    const auto labelFor = [&](QLatin1StringView name) {
        return where.isEmpty() ? QString(name) : u"%1: %2"_s.arg(where, name);
    };
    // An empty value counts as unset: compose files and unit templates turn a missing
    // variable into an empty one, which must not replace a working value.
    const QString url = variables.value(databaseUrlName);
    if (!url.isEmpty()) {
        const QString label = labelFor(databaseUrlName);
        if (const auto problem = applyDatabaseUrl(state, url, label))
            return invalid(u"%1: %2"_s.arg(label, *problem));
    }
    for (const Field &field : fields) {
        if (field.envName.isEmpty())
            continue;
        const QString value = variables.value(field.envName);
        if (value.isEmpty())
            continue;
        const QString label = labelFor(field.envName);
        const Target target = field.target(state);
        if (const auto problem = assign(target, value))
            return invalid(u"%1: %2"_s.arg(label, *problem));
        state.origins.insert(addressOf(target), label);
    }
    return std::nullopt;
}

QHash<QString, QString> knownVariables(const QProcessEnvironment &environment)
{
    QHash<QString, QString> variables;
    if (environment.contains(databaseUrlName))
        variables.insert(databaseUrlName, environment.value(databaseUrlName));
    for (const Field &field : fields) {
        if (!field.envName.isEmpty() && environment.contains(field.envName))
            variables.insert(field.envName, environment.value(field.envName));
    }
    return variables;
}

// ---- validation -------------------------------------------------------------------------

bool isHttpUrl(const QUrl &url)
{
    const QString scheme = url.scheme();
    return url.isValid() && (scheme == "http"_L1 || scheme == "https"_L1) && !url.host().isEmpty();
}

// 127.0.0.0/8, ::1 or localhost, as SERVER_HOST writes them (no Qt Network in this layer;
// LatchkeyServer::start checks the bound address again).
bool isLoopbackHost(const QString &host)
{
    if (host == "localhost"_L1 || host == "::1"_L1)
        return true;
    const QStringList parts = host.split(u'.');
    if (parts.size() != 4 || parts.front() != "127"_L1)
        return false;
    for (const QString &part : parts) {
        const auto value = parseInt(part);
        if (!value || *value < 0 || *value > 255)
            return false;
    }
    return true;
}

std::optional<Error> validate(State &state)
{
    Config &c = state.config;
    const auto name = [&](const void *member) { return nameOf(state, member); };

    c.database.driver = c.database.driver.trimmed().toLower();
    if (c.database.driver != "sqlite"_L1 && c.database.driver != "postgres"_L1)
        return invalid(u"%1: \"%2\" is not a supported driver; use sqlite or postgres"_s.arg(
            name(&c.database.driver), c.database.driver));
    const bool sqlite = c.database.driver == "sqlite"_L1;
    if (c.database.port < 1 || c.database.port > 65535)
        return invalid(u"%1: %2 is out of range; use 1..65535"_s.arg(
            name(&c.database.port), QString::number(c.database.port)));
    if (sqlite && c.database.sqlitePath.isEmpty())
        return invalid(u"%1: is empty; name the SQLite database file, e.g. data/latchkey.db"_s.arg(
            name(&c.database.sqlitePath)));
    if (!sqlite && c.database.name.isEmpty())
        return invalid(u"%1: is empty; name the PostgreSQL database"_s.arg(name(&c.database.name)));

    if (c.security.jwtAlgorithm != "HS256"_L1)
        return invalid(u"%1: only HS256 is supported"_s.arg(name(&c.security.jwtAlgorithm)));
    const qsizetype secretBytes = c.security.jwtSecret.size();
    if (secretBytes == 0) {
        // Only the embedded default runs without a configured secret: the server keeps a
        // generated one in data_dir. A shared database needs the same secret on every host.
        if (!sqlite)
            return invalid(u"JWT_SECRET is not set; the postgres driver needs one of at least "
                           "%1 bytes %2"_s.arg(QString::number(minJwtSecretBytes), secretFix));
        c.security.jwtSecretGenerated = true;
    } else if (secretBytes < minJwtSecretBytes) {
        return invalid(u"%1 is %2 bytes; it must be at least %3 %4"_s.arg(
            name(&c.security.jwtSecret), QString::number(secretBytes),
            QString::number(minJwtSecretBytes), secretFix));
    }
    const auto requireAtLeast = [&](int *value, int minimum) -> std::optional<Error> {
        if (*value >= minimum)
            return std::nullopt;
        return invalid(u"%1: %2 is too small; it must be at least %3"_s.arg(
            name(value), QString::number(*value), QString::number(minimum)));
    };
    const std::pair<int *, int> minimums[] = {
        {&c.security.accessTokenExpiryMinutes, 1},
        {&c.security.refreshTokenExpiryDays, 1},
        {&c.security.maxSessionsPerUser, 1},
        {&c.security.refreshGraceSeconds, 0},
        {&c.security.failedAuthPerMinute, 0},
        {&c.server.workers, 0},
        {&c.server.maxConnections, 1},
        {&c.server.headerTimeoutMs, 1},
        {&c.server.idleTimeoutMs, 1},
        {&c.server.shutdownTimeoutMs, 1},
        {&c.google.timeoutMs, 1},
    };
    for (const auto &[value, minimum] : minimums) {
        if (auto error = requireAtLeast(value, minimum))
            return error;
    }
    if (c.security.issuer.isEmpty())
        return invalid(u"%1: is empty; set the issuer written into tokens, e.g. latchkey"_s.arg(
            name(&c.security.issuer)));
    if (c.security.audience.isEmpty())
        return invalid(u"%1: is empty; set the audience written into tokens, e.g. latchkey"_s.arg(
            name(&c.security.audience)));

    if (c.server.host.isEmpty())
        return invalid(u"%1: is empty; use an address to listen on, e.g. 127.0.0.1"_s.arg(
            name(&c.server.host)));
    if (c.server.port < 0 || c.server.port > 65535)
        return invalid(u"%1: %2 is out of range; use 0..65535 (0 picks any free port)"_s.arg(
            name(&c.server.port), QString::number(c.server.port)));
    const QString level = c.server.logLevel.toUpper();
    if (level != "DEBUG"_L1 && level != "INFO"_L1 && level != "WARNING"_L1 && level != "ERROR"_L1)
        return invalid(u"%1: \"%2\" is not a log level; use DEBUG, INFO, WARNING or ERROR"_s.arg(
            name(&c.server.logLevel), c.server.logLevel));
    c.server.logLevel = level;
    if (c.server.dataDir.isEmpty())
        return invalid(u"%1: is empty; name a directory, e.g. data"_s.arg(name(&c.server.dataDir)));
    if (c.server.logDir.isEmpty())
        return invalid(u"%1: is empty; name a directory, e.g. logs"_s.arg(name(&c.server.logDir)));

    if (!isHttpUrl(c.google.tokenInfoUrl))
        return invalid(
            u"%1: must be an http:// or https:// URL, e.g. "
            "https://oauth2.googleapis.com/tokeninfo"_s.arg(name(&c.google.tokenInfoUrl)));
    if (!isHttpUrl(c.google.jwksUrl))
        return invalid(u"%1: must be an http:// or https:// URL, e.g. "
                       "https://www.googleapis.com/oauth2/v3/certs"_s.arg(name(&c.google.jwksUrl)));
    if (c.google.issuers.isEmpty())
        return invalid(
            u"%1: is empty; list the issuers Google tokens carry, e.g. "
            "https://accounts.google.com,accounts.google.com"_s.arg(name(&c.google.issuers)));

    if (c.dev.enabled) {
        // Anyone who can reach the development provider can sign in as anyone.
        if (!isLoopbackHost(c.server.host))
            return invalid(u"providers.dev.enabled: the development identity provider only runs on "
                           "loopback; set SERVER_HOST=127.0.0.1 or turn DEV_IDP off"_s);
        if (c.dev.clientIds.isEmpty())
            return invalid(u"%1: is empty; list the client IDs games use with the development "
                           "provider, e.g. latchkey-dev"_s.arg(name(&c.dev.clientIds)));
    }

    // Applying migrations unasked is right for the embedded database, which nobody else
    // owns, and wrong for a shared PostgreSQL one, which setup_db migrates.
    c.database.autoMigrate = state.autoMigrate.value_or(sqlite);
    return std::nullopt;
}

} // namespace

Result<Config> loadConfig(const ConfigSources &sources)
{
    State state;
    if (!sources.configFile.isEmpty()) {
        if (auto error = FileReader(state, sources.configFile).read())
            return *error;
    }
    if (!sources.envFile.isEmpty()) {
        QHash<QString, QString> variables;
        if (auto error = readEnvFile(sources.envFile, variables))
            return *error;
        if (auto error = applyVariables(state, variables, sources.envFile))
            return *error;
    }
    if (auto error = applyVariables(state, knownVariables(sources.environment), QString()))
        return *error;
    if (auto error = validate(state))
        return *error;
    return state.config;
}

} // namespace latchkey
