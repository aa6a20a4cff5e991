// Tests for loadConfig(): layering config.yml < .env < environment, parsing and every refusal.
#include "config/config.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace Qt::Literals::StringLiterals;

namespace {

// What a row builds config.yml from: no file, the row's YAML, or a broken path.
enum class FileKind { None, Yaml, Missing, Directory };

const QByteArray goodSecret = "0123456789abcdef0123456789abcdef-good-secret";

QProcessEnvironment environmentOf(const QStringList &assignments)
{
    QProcessEnvironment environment;
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(u'=');
        environment.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    return environment;
}

// The value of one configured key as text, so one data table can cover keys of all types.
QString valueOf(const Config &c, const QString &key)
{
    if (key == "database.driver"_L1)
        return c.database.driver;
    if (key == "database.host"_L1)
        return c.database.host;
    if (key == "database.port"_L1)
        return QString::number(c.database.port);
    if (key == "database.name"_L1)
        return c.database.name;
    if (key == "database.user"_L1)
        return c.database.user;
    if (key == "database.password"_L1)
        return c.database.password;
    if (key == "database.sqlite_path"_L1)
        return c.database.sqlitePath;
    if (key == "database.auto_migrate"_L1)
        return c.database.autoMigrate ? u"true"_s : u"false"_s;
    if (key == "security.jwt_secret"_L1)
        return QString::fromUtf8(c.security.jwtSecret);
    if (key == "security.issuer"_L1)
        return c.security.issuer;
    if (key == "security.access_token_expiry_minutes"_L1)
        return QString::number(c.security.accessTokenExpiryMinutes);
    if (key == "server.host"_L1)
        return c.server.host;
    if (key == "server.port"_L1)
        return QString::number(c.server.port);
    if (key == "server.log_level"_L1)
        return c.server.logLevel;
    if (key == "server.json_logs"_L1)
        return c.server.jsonLogs ? u"true"_s : u"false"_s;
    if (key == "server.data_dir"_L1)
        return c.server.dataDir;
    if (key == "providers.google.client_ids"_L1)
        return c.google.clientIds.join(u'|');
    if (key == "providers.google.issuers"_L1)
        return c.google.issuers.join(u'|');
    if (key == "providers.google.jwks_url"_L1)
        return c.google.jwksUrl.toString();
    qFatal("valueOf: no such key in the test helper");
}

} // namespace

class TestConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void defaults();
    void realEnvironmentIgnored();
    void projectConfigFileHoldsTheDefaults();
    void precedence_data();
    void precedence();
    void databaseUrl_data();
    void databaseUrl();
    void dotEnvSyntax_data();
    void dotEnvSyntax();
    void fileValues_data();
    void fileValues();
    void embeddedDefaultGeneratesSecret();
    void configuredSecretNotGenerated();
    void postgresWithoutSecretRefused();
    void refusals_data();
    void refusals();
    void unreadableFileRefused();
    void secretNeverInMessage_data();
    void secretNeverInMessage();

private:
    QString write(const QString &name, const QByteArray &content);
    Result<Config> load(FileKind kind, const QString &yaml, const QString &dotEnv,
                        const QStringList &environment);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestConfig::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestConfig::write(const QString &name, const QByteArray &content)
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write a test file");
    file.write(content);
    return path;
}

// A null \a dotEnv means no .env path at all; an empty one an empty file.
Result<Config> TestConfig::load(FileKind kind, const QString &yaml, const QString &dotEnv,
                                const QStringList &environment)
{
    ConfigSources sources;
    switch (kind) {
    case FileKind::None:
        break;
    case FileKind::Yaml:
        sources.configFile = write(u"config.yml"_s, yaml.toUtf8());
        break;
    case FileKind::Missing:
        sources.configFile = m_dir->filePath(u"missing.yml"_s);
        break;
    case FileKind::Directory:
        sources.configFile = m_dir->filePath(u"config.d"_s);
        QDir(m_dir->path()).mkdir(u"config.d"_s);
        break;
    }
    if (!dotEnv.isNull())
        sources.envFile = write(u".env"_s, dotEnv.toUtf8());
    sources.environment = environmentOf(environment);
    return loadConfig(sources);
}

void TestConfig::defaults()
{
    const auto result = loadConfig(ConfigSources{});
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    const Config &c = result.value();
    const Config expected;
    QCOMPARE(c.database.driver, u"sqlite"_s);
    QCOMPARE(c.database.sqlitePath, expected.database.sqlitePath);
    QCOMPARE(c.database.port, 5432);
    QVERIFY(c.database.autoMigrate); // sqlite migrates itself
    QVERIFY(c.database.password.isEmpty());
    QCOMPARE(c.security.jwtAlgorithm, u"HS256"_s);
    QVERIFY(c.security.jwtSecret.isEmpty());
    QCOMPARE(c.security.accessTokenExpiryMinutes, 60);
    QCOMPARE(c.security.refreshTokenExpiryDays, 30);
    QCOMPARE(c.security.maxSessionsPerUser, 10);
    QCOMPARE(c.server.host, u"127.0.0.1"_s);
    QCOMPARE(c.server.port, 8000);
    QCOMPARE(c.server.logLevel, u"INFO"_s);
    QCOMPARE(c.server.workers, 0);
    QCOMPARE(c.server.dataDir, u"data"_s);
    QVERIFY(c.google.clientIds.isEmpty());
    QCOMPARE(c.google.tokenInfoUrl, expected.google.tokenInfoUrl);
    QCOMPARE(c.google.jwksUrl, expected.google.jwksUrl);
    QCOMPARE(c.google.issuers, expected.google.issuers);
    QCOMPARE(c.google.timeoutMs, 5000);
}

void TestConfig::realEnvironmentIgnored()
{
    // loadConfig() must read only the environment it is given, never the process's own.
    qputenv("SERVER_PORT", "1234");
    const auto result = loadConfig(ConfigSources{});
    qunsetenv("SERVER_PORT");
    QVERIFY(result.ok());
    QCOMPARE(result->server.port, 8000);
}

void TestConfig::projectConfigFileHoldsTheDefaults()
{
    // The commented config.yml in the project's root documents the defaults; keep it true.
    const QString path = QFINDTESTDATA("../config.yml");
    QVERIFY2(!path.isEmpty(), "config.yml not found in the project's root");
    ConfigSources sources;
    sources.configFile = path;
    const auto result = loadConfig(sources);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    const Config &c = result.value();
    const Config d;
    QCOMPARE(c.database.driver, d.database.driver);
    QCOMPARE(c.database.host, d.database.host);
    QCOMPARE(c.database.port, d.database.port);
    QCOMPARE(c.database.name, d.database.name);
    QCOMPARE(c.database.user, d.database.user);
    QCOMPARE(c.database.sqlitePath, d.database.sqlitePath);
    QVERIFY(c.database.autoMigrate);
    QCOMPARE(c.security.jwtAlgorithm, d.security.jwtAlgorithm);
    QVERIFY(c.security.jwtSecretGenerated);
    QCOMPARE(c.security.accessTokenExpiryMinutes, d.security.accessTokenExpiryMinutes);
    QCOMPARE(c.security.refreshTokenExpiryDays, d.security.refreshTokenExpiryDays);
    QCOMPARE(c.security.issuer, d.security.issuer);
    QCOMPARE(c.security.audience, d.security.audience);
    QCOMPARE(c.security.maxSessionsPerUser, d.security.maxSessionsPerUser);
    QCOMPARE(c.security.refreshGraceSeconds, d.security.refreshGraceSeconds);
    QCOMPARE(c.security.failedAuthPerMinute, d.security.failedAuthPerMinute);
    QCOMPARE(c.server.host, d.server.host);
    QCOMPARE(c.server.port, d.server.port);
    QCOMPARE(c.server.debug, d.server.debug);
    QCOMPARE(c.server.logLevel, d.server.logLevel);
    QCOMPARE(c.server.jsonLogs, d.server.jsonLogs);
    QCOMPARE(c.server.workers, d.server.workers);
    QCOMPARE(c.server.maxConnections, d.server.maxConnections);
    QCOMPARE(c.server.headerTimeoutMs, d.server.headerTimeoutMs);
    QCOMPARE(c.server.idleTimeoutMs, d.server.idleTimeoutMs);
    QCOMPARE(c.server.shutdownTimeoutMs, d.server.shutdownTimeoutMs);
    QCOMPARE(c.server.dataDir, d.server.dataDir);
    QCOMPARE(c.server.logDir, d.server.logDir);
    QCOMPARE(c.google.clientIds, d.google.clientIds);
    QCOMPARE(c.google.tokenInfoUrl, d.google.tokenInfoUrl);
    QCOMPARE(c.google.jwksUrl, d.google.jwksUrl);
    QCOMPARE(c.google.issuers, d.google.issuers);
    QCOMPARE(c.google.timeoutMs, d.google.timeoutMs);
    QCOMPARE(c.server.publicUrl, d.server.publicUrl);
    QCOMPARE(c.clients.size(), d.clients.size());
    QCOMPARE(c.clients[0].id, d.clients[0].id);
    QCOMPARE(c.clients[0].name, d.clients[0].name);
    QCOMPARE(c.clients[0].loopback, d.clients[0].loopback);
    QCOMPARE(c.clients[0].device, d.clients[0].device);
    QCOMPARE(c.steam.appId, d.steam.appId);
    QCOMPARE(c.steam.apiUrl, d.steam.apiUrl);
    QCOMPARE(c.steam.identity, d.steam.identity);
    QCOMPARE(c.steam.refuseVacBanned, d.steam.refuseVacBanned);
    QCOMPARE(c.steam.refusePublisherBanned, d.steam.refusePublisherBanned);
    QCOMPARE(c.steam.timeoutMs, d.steam.timeoutMs);
    QVERIFY(!c.steam.enabled());
    QCOMPARE(c.guest.enabled, d.guest.enabled);
    QCOMPARE(c.guest.perAddressPerMinute, d.guest.perAddressPerMinute);
    QVERIFY(c.upstreams.empty());
}

void TestConfig::precedence_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("dotEnv");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("expected");

    const QString portYaml = u"server:\n  port: 9001\n"_s;
    QTest::newRow("port: file") << u"server.port"_s << portYaml << QString() << QStringList()
                                << u"9001"_s;
    QTest::newRow("port: .env over file")
        << u"server.port"_s << portYaml << u"SERVER_PORT=9002\n"_s << QStringList() << u"9002"_s;
    QTest::newRow("port: environment over .env")
        << u"server.port"_s << portYaml << u"SERVER_PORT=9002\n"_s
        << QStringList{u"SERVER_PORT=9003"_s} << u"9003"_s;
    QTest::newRow("port: empty variable keeps .env")
        << u"server.port"_s << portYaml << u"SERVER_PORT=9002\n"_s << QStringList{u"SERVER_PORT="_s}
        << u"9002"_s;

    const QString levelYaml = u"server:\n  log_level: warning\n"_s;
    QTest::newRow("log level: file, upper-cased")
        << u"server.log_level"_s << levelYaml << QString() << QStringList() << u"WARNING"_s;
    QTest::newRow("log level: .env over file")
        << u"server.log_level"_s << levelYaml << u"LOG_LEVEL=error\n"_s << QStringList()
        << u"ERROR"_s;
    QTest::newRow("log level: environment over .env")
        << u"server.log_level"_s << levelYaml << u"LOG_LEVEL=error\n"_s
        << QStringList{u"LOG_LEVEL=Debug"_s} << u"DEBUG"_s;

    const QString dbYaml = u"database:\n  host: file.example\n"_s;
    QTest::newRow("db host: file")
        << u"database.host"_s << dbYaml << QString() << QStringList() << u"file.example"_s;
    QTest::newRow("db host: .env over file")
        << u"database.host"_s << dbYaml << u"DB_HOST=dotenv.example\n"_s << QStringList()
        << u"dotenv.example"_s;
    QTest::newRow("db host: environment over .env")
        << u"database.host"_s << dbYaml << u"DB_HOST=dotenv.example\n"_s
        << QStringList{u"DB_HOST=env.example"_s} << u"env.example"_s;

    const QString issuerYaml = u"security:\n  issuer: from-file\n"_s;
    QTest::newRow("issuer: .env over file")
        << u"security.issuer"_s << issuerYaml << u"JWT_ISSUER=from-dotenv\n"_s << QStringList()
        << u"from-dotenv"_s;
    QTest::newRow("issuer: environment over file")
        << u"security.issuer"_s << issuerYaml << QString() << QStringList{u"JWT_ISSUER=from-env"_s}
        << u"from-env"_s;

    const QString idsYaml = u"providers:\n  google:\n    client_ids: [a.apps, b.apps]\n"_s;
    QTest::newRow("client ids: file list") << u"providers.google.client_ids"_s << idsYaml
                                           << QString() << QStringList() << u"a.apps|b.apps"_s;
    QTest::newRow("client ids: .env over file")
        << u"providers.google.client_ids"_s << idsYaml << u"GOOGLE_CLIENT_ID=c.apps\n"_s
        << QStringList() << u"c.apps"_s;
    QTest::newRow("client ids: environment over .env, comma list")
        << u"providers.google.client_ids"_s << idsYaml << u"GOOGLE_CLIENT_ID=c.apps\n"_s
        << QStringList{u"GOOGLE_CLIENT_ID= d.apps ,e.apps,"_s} << u"d.apps|e.apps"_s;

    const QString expiryYaml = u"security:\n  access_token_expiry_minutes: 15\n"_s;
    QTest::newRow("expiry: file") << u"security.access_token_expiry_minutes"_s << expiryYaml
                                  << QString() << QStringList() << u"15"_s;
    QTest::newRow("expiry: environment over .env over file")
        << u"security.access_token_expiry_minutes"_s << expiryYaml
        << u"ACCESS_TOKEN_EXPIRY_MINUTES=20\n"_s << QStringList{u"ACCESS_TOKEN_EXPIRY_MINUTES=25"_s}
        << u"25"_s;

    const QString dirYaml = u"server:\n  data_dir: /srv/file\n"_s;
    QTest::newRow("data dir: .env over file")
        << u"server.data_dir"_s << dirYaml << u"DATA_DIR=/srv/dotenv\n"_s << QStringList()
        << u"/srv/dotenv"_s;
    QTest::newRow("data dir: environment over .env")
        << u"server.data_dir"_s << dirYaml << u"DATA_DIR=/srv/dotenv\n"_s
        << QStringList{u"DATA_DIR=/srv/env"_s} << u"/srv/env"_s;

    const QString jsonYaml = u"server:\n  json_logs: true\n"_s;
    QTest::newRow("json logs: file")
        << u"server.json_logs"_s << jsonYaml << QString() << QStringList() << u"true"_s;
    QTest::newRow("json logs: .env over file")
        << u"server.json_logs"_s << jsonYaml << u"LOG_JSON=no\n"_s << QStringList() << u"false"_s;
    QTest::newRow("json logs: environment over .env")
        << u"server.json_logs"_s << jsonYaml << u"LOG_JSON=no\n"_s << QStringList{u"LOG_JSON=1"_s}
        << u"true"_s;
}

void TestConfig::precedence()
{
    QFETCH(QString, key);
    QFETCH(QString, yaml);
    QFETCH(QString, dotEnv);
    QFETCH(QStringList, environment);
    QFETCH(QString, expected);

    const auto result = load(FileKind::Yaml, yaml, dotEnv, environment);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(valueOf(result.value(), key), expected);
}

void TestConfig::databaseUrl_data()
{
    QTest::addColumn<QString>("dotEnv");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("driver");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("sqlitePath");

    const QString secret = u"JWT_SECRET="_s + QString::fromLatin1(goodSecret);
    const QString defaultPath = Config().database.sqlitePath;

    QTest::newRow("postgres, every part")
        << QString()
        << QStringList{u"DATABASE_URL=postgres://alice:s3cret@db.example:6543/accounts"_s, secret}
        << u"postgres"_s << u"db.example"_s << 6543 << u"accounts"_s << u"alice"_s << u"s3cret"_s
        << defaultPath;
    QTest::newRow("postgresql scheme, default port, encoded password")
        << QString()
        << QStringList{u"DATABASE_URL=postgresql://bob:p%40ss%2Fw@10.0.0.5/latch"_s, secret}
        << u"postgres"_s << u"10.0.0.5"_s << 5432 << u"latch"_s << u"bob"_s << u"p@ss/w"_s
        << defaultPath;
    QTest::newRow("postgres, IPv6 host")
        << QString() << QStringList{u"DATABASE_URL=postgres://u:p@[::1]:5433/d"_s, secret}
        << u"postgres"_s << u"::1"_s << 5433 << u"d"_s << u"u"_s << u"p"_s << defaultPath;
    QTest::newRow("DB_* on top of DATABASE_URL in the same layer")
        << QString()
        << QStringList{u"DATABASE_URL=postgres://alice:s3cret@db.example:6543/accounts"_s,
                       u"DB_HOST=override.example"_s, u"DB_PASSWORD=other"_s, secret}
        << u"postgres"_s << u"override.example"_s << 6543 << u"accounts"_s << u"alice"_s
        << u"other"_s << defaultPath;
    QTest::newRow("environment DATABASE_URL over .env DB_HOST")
        << u"DB_HOST=dotenv.example\nDB_PORT=7000\n"_s
        << QStringList{u"DATABASE_URL=postgres://carol:pw@env.example/envdb"_s, secret}
        << u"postgres"_s << u"env.example"_s << 7000 << u"envdb"_s << u"carol"_s << u"pw"_s
        << defaultPath;
    QTest::newRow("sqlite absolute")
        << QString() << QStringList{u"DATABASE_URL=sqlite:///var/lib/latchkey/l.db"_s}
        << u"sqlite"_s << u"localhost"_s << 5432 << u"latchkey"_s << u"latchkey"_s << QString()
        << u"/var/lib/latchkey/l.db"_s;
    QTest::newRow("sqlite relative")
        << u"DATABASE_URL=sqlite:db/here.db\n"_s << QStringList() << u"sqlite"_s << u"localhost"_s
        << 5432 << u"latchkey"_s << u"latchkey"_s << QString() << u"db/here.db"_s;
    QTest::newRow("SQLITE_PATH on top of DATABASE_URL")
        << QString() << QStringList{u"DATABASE_URL=sqlite:a.db"_s, u"SQLITE_PATH=b.db"_s}
        << u"sqlite"_s << u"localhost"_s << 5432 << u"latchkey"_s << u"latchkey"_s << QString()
        << u"b.db"_s;
}

void TestConfig::databaseUrl()
{
    QFETCH(QString, dotEnv);
    QFETCH(QStringList, environment);
    QFETCH(QString, driver);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, name);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, sqlitePath);

    const auto result = load(FileKind::None, QString(), dotEnv, environment);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    const Config::Database &db = result->database;
    QCOMPARE(db.driver, driver);
    QCOMPARE(db.host, host);
    QCOMPARE(db.port, port);
    QCOMPARE(db.name, name);
    QCOMPARE(db.user, user);
    QCOMPARE(db.password, password);
    QCOMPARE(db.sqlitePath, sqlitePath);
    QCOMPARE(db.autoMigrate, driver == "sqlite"_L1);
}

void TestConfig::dotEnvSyntax_data()
{
    QTest::addColumn<QString>("dotEnv");
    QTest::addColumn<QString>("issuer");

    QTest::newRow("plain") << u"JWT_ISSUER=plain\n"_s << u"plain"_s;
    QTest::newRow("comments and blank lines")
        << u"# a comment\n\n   # indented comment\nJWT_ISSUER=x\n\n"_s << u"x"_s;
    QTest::newRow("export prefix") << u"export JWT_ISSUER=exported\n"_s << u"exported"_s;
    QTest::newRow("blanks around =") << u"JWT_ISSUER = spaced \n"_s << u"spaced"_s;
    QTest::newRow("double quotes")
        << u"JWT_ISSUER=\"a b # not a comment\"\n"_s << u"a b # not a comment"_s;
    QTest::newRow("double-quote escapes")
        << u"JWT_ISSUER=\"say \\\"hi\\\" \\\\\"\n"_s << u"say \"hi\" \\"_s;
    QTest::newRow("single quotes, literal")
        << u"JWT_ISSUER='it \"is\" \\n'\n"_s << u"it \"is\" \\n"_s;
    QTest::newRow("comment after quotes") << u"JWT_ISSUER='q' # note\n"_s << u"q"_s;
    QTest::newRow("comment after value") << u"JWT_ISSUER=value # note\n"_s << u"value"_s;
    QTest::newRow("# inside a value") << u"JWT_ISSUER=a#b\n"_s << u"a#b"_s;
    QTest::newRow("= inside a value") << u"JWT_ISSUER=a=b==\n"_s << u"a=b=="_s;
    QTest::newRow("CRLF line ends") << u"JWT_ISSUER=crlf\r\nLOG_LEVEL=INFO\r\n"_s << u"crlf"_s;
    QTest::newRow("no final newline") << u"JWT_ISSUER=last"_s << u"last"_s;
    QTest::newRow("later line wins") << u"JWT_ISSUER=first\nJWT_ISSUER=second\n"_s << u"second"_s;
    QTest::newRow("unknown names are ignored")
        << u"POSTGRES_PASSWORD=x\nJWT_ISSUER=y\n"_s << u"y"_s;
}

void TestConfig::dotEnvSyntax()
{
    QFETCH(QString, dotEnv);
    QFETCH(QString, issuer);

    const auto result = load(FileKind::None, QString(), dotEnv, {});
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(result->security.issuer, issuer);
}

void TestConfig::fileValues_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");

    const QString secret = u"JWT_SECRET="_s + QString::fromLatin1(goodSecret);

    QTest::newRow("empty file") << QString() << QStringList() << u"server.port"_s << u"8000"_s;
    QTest::newRow("only comments")
        << u"# nothing\n"_s << QStringList() << u"server.port"_s << u"8000"_s;
    QTest::newRow("empty section")
        << u"server:\n  # port: 1\n"_s << QStringList() << u"server.port"_s << u"8000"_s;
    QTest::newRow("client ids as comma string")
        << u"providers:\n  google:\n    client_ids: \"a.apps, b.apps\"\n"_s << QStringList()
        << u"providers.google.client_ids"_s << u"a.apps|b.apps"_s;
    QTest::newRow("client ids empty list")
        << u"providers:\n  google:\n    client_ids: []\n"_s << QStringList()
        << u"providers.google.client_ids"_s << QString();
    QTest::newRow("issuers list")
        << u"providers:\n  google:\n    issuers:\n      - https://accounts.google.com\n"_s
        << QStringList() << u"providers.google.issuers"_s << u"https://accounts.google.com"_s;
    QTest::newRow("jwks url")
        << u"providers:\n  google:\n    jwks_url: http://localhost:9/certs\n"_s << QStringList()
        << u"providers.google.jwks_url"_s << u"http://localhost:9/certs"_s;
    QTest::newRow("database name key") << u"database:\n  database: accounts\n"_s << QStringList()
                                       << u"database.name"_s << u"accounts"_s;
    QTest::newRow("auto_migrate off for sqlite")
        << u"database:\n  auto_migrate: false\n"_s << QStringList() << u"database.auto_migrate"_s
        << u"false"_s;
    QTest::newRow("postgres: auto_migrate off by default")
        << u"database:\n  driver: postgres\n"_s << QStringList{secret} << u"database.auto_migrate"_s
        << u"false"_s;
    QTest::newRow("postgres: auto_migrate on when asked")
        << u"database:\n  driver: postgres\n  auto_migrate: yes\n"_s << QStringList{secret}
        << u"database.auto_migrate"_s << u"true"_s;
    QTest::newRow("postgres from the environment: auto_migrate off")
        << QString() << QStringList{u"DB_DRIVER=postgres"_s, secret} << u"database.auto_migrate"_s
        << u"false"_s;
    QTest::newRow("secret is read from the environment")
        << QString() << QStringList{secret} << u"security.jwt_secret"_s
        << QString::fromLatin1(goodSecret);
}

void TestConfig::fileValues()
{
    QFETCH(QString, yaml);
    QFETCH(QStringList, environment);
    QFETCH(QString, key);
    QFETCH(QString, expected);

    const auto result = load(FileKind::Yaml, yaml, QString(), environment);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(valueOf(result.value(), key), expected);
}

void TestConfig::embeddedDefaultGeneratesSecret()
{
    const auto result = load(FileKind::Yaml, u"database:\n  driver: sqlite\n"_s, QString(), {});
    QVERIFY(result.ok());
    QVERIFY(result->security.jwtSecret.isEmpty());
    QVERIFY(result->security.jwtSecretGenerated);
}

void TestConfig::configuredSecretNotGenerated()
{
    const auto result =
        load(FileKind::None, QString(), u"JWT_SECRET="_s + QString::fromLatin1(goodSecret), {});
    QVERIFY(result.ok());
    QCOMPARE(result->security.jwtSecret, goodSecret);
    QVERIFY(!result->security.jwtSecretGenerated);
}

void TestConfig::postgresWithoutSecretRefused()
{
    const auto result =
        load(FileKind::None, QString(), QString(), {u"DATABASE_URL=postgres://u:p@db/latchkey"_s});
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidField);
    QVERIFY2(result.error().message.contains("JWT_SECRET is not set"_L1),
             qPrintable(result.error().message));
    QVERIFY(result.error().message.contains("openssl rand -base64 48"_L1));
}

void TestConfig::refusals_data()
{
    QTest::addColumn<FileKind>("kind");
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("dotEnv");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QStringList>("expected"); // every one must be in the message

    const auto env = [](const QString &assignment) {
        return QStringList{assignment, u"JWT_SECRET="_s + QString::fromLatin1(goodSecret)};
    };
    const auto yaml = [](const char *text) { return QString::fromUtf8(text); };
    const QString none;
    const QStringList noEnv;

    // The named files.
    QTest::newRow("missing config file") << FileKind::Missing << none << none << noEnv
                                         << QStringList{u"missing.yml"_s, u"not found"_s};
    QTest::newRow("config file is a directory")
        << FileKind::Directory << none << none << noEnv << QStringList{u"config.d"_s};
    QTest::newRow("invalid YAML") << FileKind::Yaml << yaml("server:\n  port: [8000\n") << none
                                  << noEnv << QStringList{u"config.yml"_s, u"invalid YAML"_s};
    QTest::newRow("invalid YAML: tab indent")
        << FileKind::Yaml << yaml("server:\n\tport: 1\n") << none << noEnv
        << QStringList{u"config.yml:"_s, u"invalid YAML"_s};
    QTest::newRow("top level not a map") << FileKind::Yaml << yaml("- server\n") << none << noEnv
                                         << QStringList{u"config.yml"_s, u"top level"_s};
    QTest::newRow("unknown key")
        << FileKind::Yaml << yaml("server:\n  prot: 80\n") << none << noEnv
        << QStringList{u"config.yml: unknown key server.prot; known keys: host, port"_s};
    QTest::newRow("unknown section") << FileKind::Yaml << yaml("sever:\n  port: 80\n") << none
                                     << noEnv << QStringList{u"sever"_s, u"known sections"_s};
    QTest::newRow("unknown provider") << FileKind::Yaml << yaml("providers:\n  github: {}\n")
                                      << none << noEnv << QStringList{u"providers.github"_s};
    QTest::newRow("unknown google key")
        << FileKind::Yaml << yaml("providers:\n  google:\n    client_id: x\n") << none << noEnv
        << QStringList{u"providers.google.client_id"_s, u"client_ids"_s};
    QTest::newRow("secret in file: jwt_secret")
        << FileKind::Yaml << yaml("security:\n  jwt_secret: hunter2hunter2\n") << none << noEnv
        << QStringList{u"config.yml: security.jwt_secret: secrets are read only from the "
                       "environment or .env (set JWT_SECRET)"_s};
    QTest::newRow("secret in file: database password")
        << FileKind::Yaml << yaml("database:\n  password: pw\n") << none << noEnv
        << QStringList{u"database.password"_s, u"DB_PASSWORD"_s};
    QTest::newRow("secret in file: google client_secret")
        << FileKind::Yaml << yaml("providers:\n  google:\n    client_secret: cs\n") << none << noEnv
        << QStringList{u"providers.google.client_secret"_s, u"GOOGLE_CLIENT_SECRET"_s};
    QTest::newRow("secret in file: secret")
        << FileKind::Yaml << yaml("server:\n  secret: s\n") << none << noEnv
        << QStringList{u"server.secret"_s, u"secrets are read only"_s};
    QTest::newRow("bad type: port abc") << FileKind::Yaml << yaml("server:\n  port: abc\n") << none
                                        << noEnv << QStringList{u"server.port"_s, u"abc"_s};
    QTest::newRow("bad type: bool") << FileKind::Yaml << yaml("server:\n  debug: maybe\n") << none
                                    << noEnv << QStringList{u"server.debug"_s};
    QTest::newRow("bad type: map for string")
        << FileKind::Yaml << yaml("database:\n  host: {a: 1}\n") << none << noEnv
        << QStringList{u"database.host"_s};
    QTest::newRow("bad type: no value") << FileKind::Yaml << yaml("server:\n  host:\n") << none
                                        << noEnv << QStringList{u"server.host"_s};
    QTest::newRow("bad type: nested list")
        << FileKind::Yaml << yaml("providers:\n  google:\n    issuers: [[a]]\n") << none << noEnv
        << QStringList{u"providers.google.issuers"_s};
    QTest::newRow("section not a map")
        << FileKind::Yaml << yaml("server: 8000\n") << none << noEnv << QStringList{u"server"_s};

    // .env syntax.
    QTest::newRow(".env: no =") << FileKind::None << none << u"# ok\nJUST_A_NAME\n"_s << noEnv
                                << QStringList{u".env:2:"_s, u"KEY=VALUE"_s};
    QTest::newRow(".env: bad name")
        << FileKind::None << none << u"1ABC=x\n"_s << noEnv << QStringList{u".env:1:"_s};
    QTest::newRow(".env: unterminated quote") << FileKind::None << none << u"\nLOG_LEVEL=\"INFO\n"_s
                                              << noEnv << QStringList{u".env:2:"_s, u"LOG_LEVEL"_s};
    QTest::newRow(".env: text after quote") << FileKind::None << none << u"JWT_ISSUER='a' b\n"_s
                                            << noEnv << QStringList{u".env:1:"_s, u"JWT_ISSUER"_s};
    QTest::newRow(".env: bad number names the file")
        << FileKind::None << none << u"SERVER_PORT=80x\n"_s << noEnv
        << QStringList{u".env: SERVER_PORT"_s, u"80x"_s};

    // Validation, by variable.
    QTest::newRow("DB_DRIVER") << FileKind::None << none << none << env(u"DB_DRIVER=mysql"_s)
                               << QStringList{u"DB_DRIVER"_s, u"sqlite or postgres"_s};
    QTest::newRow("database.driver in file")
        << FileKind::Yaml << yaml("database:\n  driver: oracle\n") << none << noEnv
        << QStringList{u"config.yml: database.driver"_s};
    QTest::newRow("SERVER_PORT too big")
        << FileKind::None << none << none << env(u"SERVER_PORT=65536"_s)
        << QStringList{u"SERVER_PORT"_s, u"0..65535"_s};
    QTest::newRow("SERVER_PORT negative")
        << FileKind::None << none << none << env(u"SERVER_PORT=-1"_s)
        << QStringList{u"SERVER_PORT"_s};
    QTest::newRow("SERVER_PORT not fully a number")
        << FileKind::None << none << none << env(u"SERVER_PORT=80x"_s)
        << QStringList{u"SERVER_PORT"_s, u"80x"_s};
    QTest::newRow("SERVER_PORT with blanks")
        << FileKind::None << none << none << env(u"SERVER_PORT= 80"_s)
        << QStringList{u"SERVER_PORT"_s};
    QTest::newRow("server.port in file out of range")
        << FileKind::Yaml << yaml("server:\n  port: 70000\n") << none << noEnv
        << QStringList{u"config.yml: server.port"_s, u"0..65535"_s};
    QTest::newRow("DB_PORT zero") << FileKind::None << none << none << env(u"DB_PORT=0"_s)
                                  << QStringList{u"DB_PORT"_s, u"1..65535"_s};
    QTest::newRow("DB_PORT too big")
        << FileKind::None << none << none << env(u"DB_PORT=99999"_s) << QStringList{u"DB_PORT"_s};
    QTest::newRow("DB_PORT from DATABASE_URL")
        << FileKind::None << none << none << env(u"DATABASE_URL=postgres://u:p@h:0/d"_s)
        << QStringList{u"DATABASE_URL"_s, u"1..65535"_s};
    QTest::newRow("JWT_ALGORITHM")
        << FileKind::None << none << none << env(u"JWT_ALGORITHM=RS256"_s)
        << QStringList{u"JWT_ALGORITHM: only HS256 is supported"_s};
    QTest::newRow("security.jwt_algorithm in file")
        << FileKind::Yaml << yaml("security:\n  jwt_algorithm: none\n") << none << noEnv
        << QStringList{u"security.jwt_algorithm: only HS256 is supported"_s};
    QTest::newRow("JWT_SECRET too short")
        << FileKind::None << none << none << QStringList{u"JWT_SECRET=short-secret"_s}
        << QStringList{u"JWT_SECRET is 12 bytes; it must be at least 32 (generate one with: "
                       "openssl rand -base64 48)"_s};
    QTest::newRow("JWT_SECRET too short in .env")
        << FileKind::None << none << u"JWT_SECRET=\"0123456789012345678901234567890\"\n"_s << noEnv
        << QStringList{u".env: JWT_SECRET is 31 bytes"_s};
    QTest::newRow("JWT_SECRET missing with postgres")
        << FileKind::None << none << none << QStringList{u"DB_DRIVER=postgres"_s}
        << QStringList{u"JWT_SECRET"_s, u"openssl rand"_s};
    QTest::newRow("ACCESS_TOKEN_EXPIRY_MINUTES zero")
        << FileKind::None << none << none << env(u"ACCESS_TOKEN_EXPIRY_MINUTES=0"_s)
        << QStringList{u"ACCESS_TOKEN_EXPIRY_MINUTES"_s, u"at least 1"_s};
    QTest::newRow("REFRESH_TOKEN_EXPIRY_DAYS negative")
        << FileKind::None << none << none << env(u"REFRESH_TOKEN_EXPIRY_DAYS=-3"_s)
        << QStringList{u"REFRESH_TOKEN_EXPIRY_DAYS"_s};
    QTest::newRow("REFRESH_TOKEN_EXPIRY_DAYS not a number")
        << FileKind::None << none << none << env(u"REFRESH_TOKEN_EXPIRY_DAYS=1.5"_s)
        << QStringList{u"REFRESH_TOKEN_EXPIRY_DAYS"_s};
    QTest::newRow("SERVER_WORKERS negative")
        << FileKind::None << none << none << env(u"SERVER_WORKERS=-1"_s)
        << QStringList{u"SERVER_WORKERS"_s, u"at least 0"_s};
    QTest::newRow("METRICS_LISTEN without a port")
        << FileKind::None << none << none << env(u"METRICS_LISTEN=127.0.0.1"_s)
        << QStringList{u"METRICS_LISTEN"_s, u"127.0.0.1:9464"_s};
    QTest::newRow("METRICS_LISTEN a host name")
        << FileKind::None << none << none << env(u"METRICS_LISTEN=metrics.example:9464"_s)
        << QStringList{u"METRICS_LISTEN"_s, u"IP address"_s};
    QTest::newRow("METRICS_LISTEN IPv6 without brackets")
        << FileKind::None << none << none << env(u"METRICS_LISTEN=::1:9464"_s)
        << QStringList{u"METRICS_LISTEN"_s};
    QTest::newRow("rate limit burst zero")
        << FileKind::Yaml << yaml("security:\n  rate_limit_player_burst: 0\n") << none << noEnv
        << QStringList{u"security.rate_limit_player_burst"_s, u"at least 1"_s};
    QTest::newRow("RATE_LIMITS not a switch")
        << FileKind::None << none << none << env(u"RATE_LIMITS=sometimes"_s)
        << QStringList{u"RATE_LIMITS"_s};
    QTest::newRow("audit retention negative")
        << FileKind::Yaml << yaml("audit:\n  retention_days: -1\n") << none << noEnv
        << QStringList{u"audit.retention_days"_s, u"at least 0"_s};
    QTest::newRow("max_connections zero")
        << FileKind::Yaml << yaml("server:\n  max_connections: 0\n") << none << noEnv
        << QStringList{u"server.max_connections"_s};
    QTest::newRow("max_connections_per_address zero")
        << FileKind::Yaml << yaml("server:\n  max_connections_per_address: 0\n") << none << noEnv
        << QStringList{u"server.max_connections_per_address"_s, u"at least 1"_s};
    QTest::newRow("trusted_proxies not an address")
        << FileKind::Yaml << yaml("server:\n  trusted_proxies: [10.0.0.0/8, proxy.example]\n")
        << none << noEnv << QStringList{u"server.trusted_proxies"_s, u"proxy.example"_s};
    QTest::newRow("TRUSTED_PROXIES bad range")
        << FileKind::None << none << none << env(u"TRUSTED_PROXIES=10.0.0.0/99"_s)
        << QStringList{u"TRUSTED_PROXIES"_s};
    QTest::newRow("header_timeout_ms zero")
        << FileKind::Yaml << yaml("server:\n  header_timeout_ms: 0\n") << none << noEnv
        << QStringList{u"server.header_timeout_ms"_s};
    QTest::newRow("idle_timeout_ms negative")
        << FileKind::Yaml << yaml("server:\n  idle_timeout_ms: -5\n") << none << noEnv
        << QStringList{u"server.idle_timeout_ms"_s};
    QTest::newRow("shutdown_timeout_ms zero")
        << FileKind::Yaml << yaml("server:\n  shutdown_timeout_ms: 0\n") << none << noEnv
        << QStringList{u"server.shutdown_timeout_ms"_s};
    QTest::newRow("google timeout_ms zero")
        << FileKind::Yaml << yaml("providers:\n  google:\n    timeout_ms: 0\n") << none << noEnv
        << QStringList{u"providers.google.timeout_ms"_s};
    QTest::newRow("LOG_LEVEL") << FileKind::None << none << none << env(u"LOG_LEVEL=verbose"_s)
                               << QStringList{u"LOG_LEVEL"_s, u"DEBUG, INFO, WARNING or ERROR"_s};
    QTest::newRow("LOG_JSON") << FileKind::None << none << none << env(u"LOG_JSON=sometimes"_s)
                              << QStringList{u"LOG_JSON"_s};
    QTest::newRow("GOOGLE_TOKEN_INFO_URL scheme")
        << FileKind::None << none << none << env(u"GOOGLE_TOKEN_INFO_URL=ftp://x.example/t"_s)
        << QStringList{u"GOOGLE_TOKEN_INFO_URL"_s, u"https://"_s};
    QTest::newRow("GOOGLE_TOKEN_INFO_URL not a URL")
        << FileKind::None << none << none << env(u"GOOGLE_TOKEN_INFO_URL=not a url"_s)
        << QStringList{u"GOOGLE_TOKEN_INFO_URL"_s};
    QTest::newRow("GOOGLE_JWKS_URL without host")
        << FileKind::None << none << none << env(u"GOOGLE_JWKS_URL=https:///certs"_s)
        << QStringList{u"GOOGLE_JWKS_URL"_s};
    QTest::newRow("jwks_url in file")
        << FileKind::Yaml << yaml("providers:\n  google:\n    jwks_url: certs.json\n") << none
        << noEnv << QStringList{u"config.yml: providers.google.jwks_url"_s};
    QTest::newRow("issuers empty")
        << FileKind::Yaml << yaml("providers:\n  google:\n    issuers: []\n") << none << noEnv
        << QStringList{u"providers.google.issuers"_s};
    QTest::newRow("DATABASE_URL scheme")
        << FileKind::None << none << none << env(u"DATABASE_URL=mysql://u:p@h/d"_s)
        << QStringList{u"DATABASE_URL"_s, u"postgres://"_s};
    QTest::newRow("DATABASE_URL options")
        << FileKind::None << none << none
        << env(u"DATABASE_URL=postgres://u:p@h/d?sslmode=disable"_s)
        << QStringList{u"DATABASE_URL"_s};
    QTest::newRow("DATABASE_URL sqlite host")
        << FileKind::None << none << none << env(u"DATABASE_URL=sqlite://host/x.db"_s)
        << QStringList{u"DATABASE_URL"_s, u"sqlite:///"_s};
    QTest::newRow("DATABASE_URL sqlite no path")
        << FileKind::None << none << none << env(u"DATABASE_URL=sqlite:"_s)
        << QStringList{u"DATABASE_URL"_s};
    QTest::newRow("DATABASE_URL nested path")
        << FileKind::None << none << none << env(u"DATABASE_URL=postgres://h/a/b"_s)
        << QStringList{u"DATABASE_URL"_s};
    QTest::newRow("sqlite_path empty") << FileKind::Yaml << yaml("database:\n  sqlite_path: \"\"\n")
                                       << none << noEnv << QStringList{u"database.sqlite_path"_s};
}

void TestConfig::refusals()
{
    QFETCH(FileKind, kind);
    QFETCH(QString, yaml);
    QFETCH(QString, dotEnv);
    QFETCH(QStringList, environment);
    QFETCH(QStringList, expected);

    const auto result = load(kind, yaml, dotEnv, environment);
    QVERIFY2(!result.ok(), "loadConfig() accepted a configuration it must refuse");
    QCOMPARE(result.error().code, ErrorCode::InvalidField);
    for (const QString &part : expected)
        QVERIFY2(result.error().message.contains(part),
                 qPrintable(u"\"%1\" not in: %2"_s.arg(part, result.error().message)));
}

void TestConfig::unreadableFileRefused()
{
    const QString path = write(u"config.yml"_s, "server:\n  port: 1\n");
    QFile::setPermissions(path, QFileDevice::Permissions());
    QFile probe(path);
    if (probe.open(QIODevice::ReadOnly))
        QSKIP("running with privileges that read any file (root)");
    ConfigSources sources;
    sources.configFile = path;
    const auto result = loadConfig(sources);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message.contains(path), qPrintable(result.error().message));
    QVERIFY(result.error().message.contains("cannot be read"_L1));
}

void TestConfig::secretNeverInMessage_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("dotEnv");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("secret");

    const QString none;
    QTest::newRow("short JWT_SECRET")
        << none << none << QStringList{u"JWT_SECRET=Tr0ub4dor&3"_s} << u"Tr0ub4dor&3"_s;
    QTest::newRow("short JWT_SECRET in .env")
        << none << u"JWT_SECRET='Tr0ub4dor&3'\n"_s << QStringList() << u"Tr0ub4dor&3"_s;
    QTest::newRow("jwt_secret in file")
        << u"security:\n  jwt_secret: Tr0ub4dor-file-secret-0123456789abcdef\n"_s << none
        << QStringList() << u"Tr0ub4dor-file-secret"_s;
    QTest::newRow("password in file")
        << u"database:\n  password: Tr0ub4dor\n"_s << none << QStringList() << u"Tr0ub4dor"_s;
    QTest::newRow("unterminated quote in .env")
        << none << u"JWT_SECRET=\"Tr0ub4dor-0123456789abcdef0123456789\n"_s << QStringList()
        << u"Tr0ub4dor"_s;
    QTest::newRow("pasted secret line in .env")
        << none << u"Tr0ub4dor+0123456789abcdef==\n"_s << QStringList() << u"Tr0ub4dor"_s;
    QTest::newRow("pasted secret with = in .env")
        << none << u"Tr0ub4dor+0123/456789abcdef==\n"_s << QStringList() << u"Tr0ub4dor"_s;
    QTest::newRow("DATABASE_URL with options")
        << none << none << QStringList{u"DATABASE_URL=postgres://u:Tr0ub4dor@h/d?x=1"_s}
        << u"Tr0ub4dor"_s;
    QTest::newRow("DATABASE_URL invalid")
        << none << none << QStringList{u"DATABASE_URL=postgres://u:Tr0ub4dor@h:99999/d"_s}
        << u"Tr0ub4dor"_s;
    QTest::newRow("DATABASE_URL bad scheme")
        << none << none << QStringList{u"DATABASE_URL=mysql://u:Tr0ub4dor@h/d"_s} << u"Tr0ub4dor"_s;
    QTest::newRow("postgres with DB_PASSWORD and no JWT_SECRET")
        << none << none << QStringList{u"DB_DRIVER=postgres"_s, u"DB_PASSWORD=Tr0ub4dor"_s}
        << u"Tr0ub4dor"_s;
    QTest::newRow("other error with every secret set")
        << none << none
        << QStringList{u"JWT_SECRET=Tr0ub4dor-0123456789abcdef0123456789"_s,
                       u"DB_PASSWORD=Tr0ub4dor"_s, u"GOOGLE_CLIENT_SECRET=Tr0ub4dor"_s,
                       u"SERVER_PORT=x"_s}
        << u"Tr0ub4dor"_s;
}

void TestConfig::secretNeverInMessage()
{
    QFETCH(QString, yaml);
    QFETCH(QString, dotEnv);
    QFETCH(QStringList, environment);
    QFETCH(QString, secret);

    const auto result =
        load(yaml.isNull() ? FileKind::None : FileKind::Yaml, yaml, dotEnv, environment);
    QVERIFY2(!result.ok(), "this row must produce an error");
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY2(!result.error().message.contains(secret), qPrintable(result.error().message));
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
