// Loads config.yml, then .env, then the environment into one Config, then checks it by rules.
#include "config/config.h"

#include "config/brokerconfig_p.h"
#include "config/configfields_p.h"
#include "config/configsource_p.h"
#include "config/databaseurl_p.h"
#include "config/envfile_p.h"
#include "config/yamlsource_p.h"

#include <QFile>
#include <QHostAddress>

#include <algorithm>
#include <span>
#include <variant>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

// ---- variables (.env and the environment) -----------------------------------------------

constexpr QLatin1StringView databaseUrlName("DATABASE_URL");

// Sets what DATABASE_URL names; parts it leaves out (port, user, ...) keep earlier values.
void applyDatabaseUrl(ConfigDraft &draft, const DatabaseUrl &url, const QString &label)
{
    auto &db = draft.config.database;
    const auto set = [&](auto *member, const auto &value) {
        *member = value;
        draft.origins.insert(member, label);
    };
    set(&db.driver, url.driver);
    if (!url.sqlitePath.isEmpty())
        set(&db.sqlitePath, url.sqlitePath);
    if (!url.host.isEmpty())
        set(&db.host, url.host);
    if (url.port != -1)
        set(&db.port, url.port);
    if (!url.name.isEmpty())
        set(&db.name, url.name);
    if (!url.user.isEmpty())
        set(&db.user, url.user);
    if (!url.password.isEmpty())
        set(&db.password, url.password);
}

// One layer of variables. DATABASE_URL is applied first and the DB_* variables of the same
// layer on top, so DB_PASSWORD can complete a URL without one. A later layer (the
// environment over .env) wins as a whole: its DATABASE_URL replaces an earlier DB_HOST.
// \a where is the .env path, or empty for the environment.
Status applyVariables(ConfigDraft &draft, const QHash<QString, QString> &variables,
                      const QString &where)
{
    const auto labelFor = [&](QLatin1StringView name) {
        return where.isEmpty() ? QString(name) : u"%1: %2"_s.arg(where, name);
    };
    // An empty value counts as unset: compose files and unit templates turn a missing
    // variable into an empty one, which must not replace a working value.
    const QString urlText = variables.value(databaseUrlName);
    if (!urlText.isEmpty()) {
        const QString label = labelFor(databaseUrlName);
        const Result<DatabaseUrl> url = parseDatabaseUrl(urlText);
        if (!url)
            return invalidConfig(label, url.error());
        applyDatabaseUrl(draft, *url, label);
    }
    for (const ConfigField &field : configFields()) {
        if (field.envName.isEmpty())
            continue;
        const QString value = variables.value(field.envName);
        if (value.isEmpty())
            continue;
        const QString label = labelFor(field.envName);
        const FieldTarget target = field.target(draft);
        if (const Status status = assignText(target, value); !status)
            return invalidConfig(label, status.error());
        draft.origins.insert(addressOf(target), label);
    }
    return Done{};
}

QHash<QString, QString> knownVariables(const QProcessEnvironment &environment)
{
    QHash<QString, QString> variables;
    if (environment.contains(databaseUrlName))
        variables.insert(databaseUrlName, environment.value(databaseUrlName));
    for (const ConfigField &field : configFields()) {
        if (!field.envName.isEmpty() && environment.contains(field.envName))
            variables.insert(field.envName, environment.value(field.envName));
    }
    return variables;
}

// ---- validation rules -------------------------------------------------------------------

constexpr int minJwtSecretBytes = 32;
const QString secretFix = u"(generate one with: openssl rand -base64 48)"_s;

// When a rule applies; the driver it depends on is checked by an earlier rule.
enum class When { Always, Sqlite, Postgres, DevProvider };

// The value must be one of \a allowed, compared after \a spelling; it is stored that way.
struct OneOf
{
    enum Spelling { AsWritten, UpperCase };
    QString *(*value)(Config &);
    std::span<const QLatin1StringView> allowed;
    QLatin1StringView noun; //!< "\"x\" is not <noun>"; empty: "only <the one> is supported"
    Spelling spelling = AsWritten;
};

struct InRange
{
    int *(*value)(Config &);
    int minimum;
    int maximum;
    QLatin1StringView note = {}; //!< after "use min..max"
};

struct AtLeast
{
    int *(*value)(Config &);
    int minimum;
};

template <typename T> struct NotEmpty
{
    T *(*value)(Config &);
    QLatin1StringView fix; //!< after "is empty; "
    When when = When::Always;
};

struct HttpUrl
{
    QUrl *(*value)(Config &);
    QLatin1StringView example;
};

// A rule that does not fit a row: it gets the whole draft.
struct Check
{
    Status (*check)(ConfigDraft &);
};

using Rule =
    std::variant<OneOf, InRange, AtLeast, NotEmpty<QString>, NotEmpty<QStringList>, HttpUrl, Check>;

const QLatin1StringView drivers[] = {"sqlite"_L1, "postgres"_L1};
const QLatin1StringView jwtAlgorithms[] = {"HS256"_L1};
const QLatin1StringView steamTypes[] = {"steam"_L1};
const QLatin1StringView logLevels[] = {"DEBUG"_L1, "INFO"_L1, "WARNING"_L1, "ERROR"_L1};

bool isSqlite(const Config &c)
{
    return c.database.driver == "sqlite"_L1;
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
        const Result<int> value = parseWholeNumber(part);
        if (!value || *value < 0 || *value > 255)
            return false;
    }
    return true;
}

Status checkMetricsListen(ConfigDraft &draft)
{
    const QString &listen = draft.config.server.metricsListen;
    QString address;
    quint16 port = 0;
    if (listen.isEmpty() || parseListenAddress(listen, &address, &port))
        return Done{};
    return invalidConfig(u"%1 is %2; it must be an IP address and a port, e.g. 127.0.0.1:9464 "
                         "(or empty for no metrics listener)"_s.arg(
                             draft.nameOf(&draft.config.server.metricsListen), listen));
}

Status checkJwtSecret(ConfigDraft &draft)
{
    auto &security = draft.config.security;
    const qsizetype secretBytes = security.jwtSecret.size();
    if (secretBytes == 0) {
        // Only the embedded default runs without a configured secret: the server keeps a
        // generated one in data_dir. A shared database needs the same secret on every host.
        if (!isSqlite(draft.config))
            return invalidConfig(
                u"JWT_SECRET is not set; the postgres driver needs one of at "
                "least %1 bytes %2"_s.arg(QString::number(minJwtSecretBytes), secretFix));
        security.jwtSecretGenerated = true;
    } else if (secretBytes < minJwtSecretBytes) {
        return invalidConfig(u"%1 is %2 bytes; it must be at least %3 %4"_s.arg(
            draft.nameOf(&security.jwtSecret), QString::number(secretBytes),
            QString::number(minJwtSecretBytes), secretFix));
    }
    return Done{};
}

// Anyone who can reach the development provider can sign in as anyone.
Status checkDevProviderOnLoopback(ConfigDraft &draft)
{
    if (!draft.config.dev.enabled || isLoopbackHost(draft.config.server.host))
        return Done{};
    return invalidConfig(u"providers.dev.enabled: the development identity provider only runs on "
                         "loopback; set SERVER_HOST=127.0.0.1 or turn DEV_IDP off"_s);
}

Status checkTrustedProxies(ConfigDraft &draft)
{
    for (const QString &entry : draft.config.server.trustedProxies) {
        if (!QHostAddress(entry).isNull() || QHostAddress::parseSubnet(entry).second >= 0)
            continue;
        return invalidConfig(u"%1: \"%2\" is not an address or CIDR range; list the load "
                             "balancers' addresses, e.g. 10.0.0.0/8,::1"_s.arg(
                                 draft.nameOf(&draft.config.server.trustedProxies), entry));
    }
    return Done{};
}

// Checked in this order; the first broken rule is the error.
const Rule rules[] = {
    OneOf{[](Config &c) { return &c.database.driver; }, drivers, "a supported driver"_L1},
    InRange{[](Config &c) { return &c.database.port; }, 1, 65535},
    NotEmpty<QString>{[](Config &c) { return &c.database.sqlitePath; },
                      "name the SQLite database file, e.g. data/latchkey.db"_L1, When::Sqlite},
    NotEmpty<QString>{[](Config &c) { return &c.database.name; }, "name the PostgreSQL database"_L1,
                      When::Postgres},

    OneOf{[](Config &c) { return &c.security.jwtAlgorithm; }, jwtAlgorithms, {}},
    Check{checkJwtSecret},
    Check{checkMetricsListen},
    AtLeast{[](Config &c) { return &c.security.accessTokenExpiryMinutes; }, 1},
    AtLeast{[](Config &c) { return &c.security.refreshTokenExpiryDays; }, 1},
    AtLeast{[](Config &c) { return &c.security.maxSessionsPerUser; }, 1},
    AtLeast{[](Config &c) { return &c.security.refreshGraceSeconds; }, 0},
    AtLeast{[](Config &c) { return &c.security.failedAuthPerMinute; }, 0},
    AtLeast{[](Config &c) { return &c.security.sessionCacheSeconds; }, 0},
    AtLeast{[](Config &c) { return &c.security.providerCallsPerAddress; }, 1},
    AtLeast{[](Config &c) { return &c.security.providerQueuePerAddress; }, 0},
    AtLeast{[](Config &c) { return &c.security.playerPerSecond; }, 1},
    AtLeast{[](Config &c) { return &c.security.playerBurst; }, 1},
    AtLeast{[](Config &c) { return &c.security.adminPerSecond; }, 1},
    AtLeast{[](Config &c) { return &c.security.adminBurst; }, 1},
    AtLeast{[](Config &c) { return &c.security.addressPerSecond; }, 1},
    AtLeast{[](Config &c) { return &c.security.addressBurst; }, 1},
    AtLeast{[](Config &c) { return &c.server.workers; }, 0},
    AtLeast{[](Config &c) { return &c.audit.retentionDays; }, 0},
    AtLeast{[](Config &c) { return &c.events.pingSeconds; }, 1},
    AtLeast{[](Config &c) { return &c.events.maxPerUser; }, 1},
    AtLeast{[](Config &c) { return &c.events.maxSockets; }, 1},
    AtLeast{[](Config &c) { return &c.events.maxQueuedKib; }, 4},
    AtLeast{[](Config &c) { return &c.server.maxConnections; }, 1},
    AtLeast{[](Config &c) { return &c.server.maxConnectionsPerAddress; }, 1},
    AtLeast{[](Config &c) { return &c.server.headerTimeoutMs; }, 1},
    AtLeast{[](Config &c) { return &c.server.idleTimeoutMs; }, 1},
    AtLeast{[](Config &c) { return &c.server.shutdownTimeoutMs; }, 1},
    AtLeast{[](Config &c) { return &c.google.timeoutMs; }, 1},
    AtLeast{[](Config &c) { return &c.steam.timeoutMs; }, 1},
    OneOf{[](Config &c) { return &c.steam.type; }, steamTypes, "a Steam provider type"_L1},
    NotEmpty<QString>{[](Config &c) { return &c.security.issuer; },
                      "set the issuer written into tokens, e.g. latchkey"_L1},
    NotEmpty<QString>{[](Config &c) { return &c.security.audience; },
                      "set the audience written into tokens, e.g. latchkey"_L1},

    NotEmpty<QString>{[](Config &c) { return &c.server.host; },
                      "use an address to listen on, e.g. 127.0.0.1"_L1},
    InRange{[](Config &c) { return &c.server.port; }, 0, 65535, " (0 picks any free port)"_L1},
    OneOf{[](Config &c) { return &c.server.logLevel; }, logLevels, "a log level"_L1,
          OneOf::UpperCase},
    NotEmpty<QString>{[](Config &c) { return &c.server.dataDir; },
                      "name a directory, e.g. data"_L1},
    NotEmpty<QString>{[](Config &c) { return &c.server.logDir; }, "name a directory, e.g. logs"_L1},

    HttpUrl{[](Config &c) { return &c.google.tokenInfoUrl; },
            "https://oauth2.googleapis.com/tokeninfo"_L1},
    HttpUrl{[](Config &c) { return &c.google.jwksUrl; },
            "https://www.googleapis.com/oauth2/v3/certs"_L1},
    HttpUrl{[](Config &c) { return &c.steam.apiUrl; }, "https://partner.steam-api.com"_L1},
    NotEmpty<QStringList>{[](Config &c) { return &c.google.issuers; },
                          "list the issuers Google tokens carry, e.g. "
                          "https://accounts.google.com,accounts.google.com"_L1},

    Check{checkDevProviderOnLoopback},
    Check{checkTrustedProxies},
    NotEmpty<QStringList>{[](Config &c) { return &c.dev.clientIds; },
                          "list the client IDs games use with the development provider, e.g. "
                          "latchkey-dev"_L1,
                          When::DevProvider},
};

// "sqlite or postgres", "DEBUG, INFO, WARNING or ERROR"
QString choices(std::span<const QLatin1StringView> allowed)
{
    QString text = allowed.front();
    for (std::size_t i = 1; i < allowed.size(); ++i)
        text += (i + 1 == allowed.size() ? " or "_L1 : ", "_L1) + allowed[i];
    return text;
}

bool applies(When when, const Config &c)
{
    switch (when) {
    case When::Always:
        return true;
    case When::Sqlite:
        return isSqlite(c);
    case When::Postgres:
        return !isSqlite(c);
    case When::DevProvider:
        return c.dev.enabled;
    }
    Q_UNREACHABLE();
    return false;
}

// Checks one rule; an error names the value by the layer that set it.
struct RuleChecker
{
    ConfigDraft &draft;

    QString name(const void *member) const { return draft.nameOf(member); }

    Status operator()(const OneOf &rule) const
    {
        QString *value = rule.value(draft.config);
        const QString spelled = rule.spelling == OneOf::UpperCase ? value->toUpper() : *value;
        if (std::find(rule.allowed.begin(), rule.allowed.end(), spelled) != rule.allowed.end()) {
            *value = spelled;
            return Done{};
        }
        if (rule.noun.isEmpty())
            return invalidConfig(
                u"%1: only %2 is supported"_s.arg(name(value), rule.allowed.front()));
        return invalidConfig(u"%1: \"%2\" is not %3; use %4"_s.arg(name(value), *value, rule.noun,
                                                                   choices(rule.allowed)));
    }
    Status operator()(const InRange &rule) const
    {
        const int *value = rule.value(draft.config);
        if (*value >= rule.minimum && *value <= rule.maximum)
            return Done{};
        return invalidConfig(u"%1: %2 is out of range; use %3..%4%5"_s.arg(
            name(value), QString::number(*value), QString::number(rule.minimum),
            QString::number(rule.maximum), rule.note));
    }
    Status operator()(const AtLeast &rule) const
    {
        const int *value = rule.value(draft.config);
        if (*value >= rule.minimum)
            return Done{};
        return invalidConfig(u"%1: %2 is too small; it must be at least %3"_s.arg(
            name(value), QString::number(*value), QString::number(rule.minimum)));
    }
    template <typename T> Status operator()(const NotEmpty<T> &rule) const
    {
        const T *value = rule.value(draft.config);
        if (!applies(rule.when, draft.config) || !value->isEmpty())
            return Done{};
        return invalidConfig(u"%1: is empty; %2"_s.arg(name(value), rule.fix));
    }
    Status operator()(const HttpUrl &rule) const
    {
        const QUrl *url = rule.value(draft.config);
        const QString scheme = url->scheme();
        if (url->isValid() && (scheme == "http"_L1 || scheme == "https"_L1) &&
            !url->host().isEmpty())
            return Done{};
        return invalidConfig(
            u"%1: must be an http:// or https:// URL, e.g. %2"_s.arg(name(url), rule.example));
    }
    Status operator()(const Check &rule) const { return rule.check(draft); }
};

Status validate(ConfigDraft &draft)
{
    Config &c = draft.config;
    // The driver decides which rules apply, and its message quotes it as normalized here.
    c.database.driver = c.database.driver.trimmed().toLower();
    for (const Rule &rule : rules) {
        if (const Status status = std::visit(RuleChecker{draft}, rule); !status)
            return status;
    }
    // Applying migrations unasked is right for the embedded database, which nobody else
    // owns, and wrong for a shared PostgreSQL one, which setup_db migrates.
    c.database.autoMigrate = draft.autoMigrate.value_or(isSqlite(c));
    return Done{};
}

} // namespace

Result<Config> loadConfig(const ConfigSources &sources)
{
    ConfigDraft draft;
    QHash<QString, QString> secrets; // providers' <NAME>_CLIENT_SECRET: .env, then environment
    if (!sources.configFile.isEmpty()) {
        if (const Status status = YamlSource(draft, sources.configFile).read(); !status)
            return status.error();
    }
    if (!sources.envFile.isEmpty()) {
        const Result<QHash<QString, QString>> variables = readEnvFile(sources.envFile);
        if (!variables)
            return variables.error();
        if (const Status status = applyVariables(draft, *variables, sources.envFile); !status)
            return status.error();
        secrets = *variables;
    }
    for (const QString &name : sources.environment.keys()) {
        if (name.endsWith("_CLIENT_SECRET"_L1) && !sources.environment.value(name).isEmpty())
            secrets.insert(name, sources.environment.value(name));
    }
    const Status fromEnvironment =
        applyVariables(draft, knownVariables(sources.environment), QString());
    if (!fromEnvironment)
        return fromEnvironment.error();
    if (const Status status = validate(draft); !status)
        return status.error();
    if (const Status status = completeBroker(draft, secrets); !status)
        return status.error();
    return draft.config;
}

} // namespace latchkey
