// Server configuration: config.yml < .env < environment, validated once, immutable after.
#pragma once

#include <latchkey/error.h>

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <vector>

namespace latchkey {

struct Config
{
    struct Database
    {
        QString driver = QStringLiteral("sqlite");  //!< "sqlite" | "postgres"  (DB_DRIVER)
        QString host = QStringLiteral("localhost"); //!< DB_HOST
        int port = 5432;                            //!< DB_PORT
        QString name = QStringLiteral("latchkey");  //!< DB_NAME
        QString user = QStringLiteral("latchkey");  //!< DB_USER
        QString password;                           //!< DB_PASSWORD (env/.env only)
        QString sqlitePath =
            QStringLiteral("data/latchkey.db"); //!< database.sqlite_path, SQLITE_PATH
        bool autoMigrate = false; //!< apply migrations at start (true by default for sqlite)
    } database;

    struct Security
    {
        QString jwtAlgorithm = QStringLiteral("HS256"); //!< JWT_ALGORITHM (only HS256)
        QByteArray jwtSecret; //!< JWT_SECRET (env/.env only, ≥ 32 bytes)
        bool jwtSecretGenerated =
            false; //!< embedded default: no JWT_SECRET given, keep one in dataDir
        int accessTokenExpiryMinutes = 60;             //!< ACCESS_TOKEN_EXPIRY_MINUTES
        int refreshTokenExpiryDays = 30;               //!< REFRESH_TOKEN_EXPIRY_DAYS
        QString issuer = QStringLiteral("latchkey");   //!< security.issuer, JWT_ISSUER
        QString audience = QStringLiteral("latchkey"); //!< security.audience, JWT_AUDIENCE
        int maxSessionsPerUser = 10; //!< security.max_sessions_per_user; oldest revoked past it
        int refreshGraceSeconds =
            10; //!< security.refresh_grace_seconds: a retry inside it is not theft
        int failedAuthPerMinute =
            30; //!< security.failed_auth_per_minute per client IP, then 429 (0: off)
        //! security.provider_calls_per_address: sign-ins of one client address (an IPv6 /64)
        //! checked with a provider at once; more wait in a queue of
        //! security.provider_queue_per_address, then 429.
        int providerCallsPerAddress = 8;
        int providerQueuePerAddress = 32;
        //! security.allow_private_picture_hosts: pictures may name a loopback, link-local or
        //! private IP address (development only: other players' clients fetch them).
        bool allowPrivatePictureHosts = false;
        //! security.rate_limits, RATE_LIMITS: token buckets per user (by role) and per
        //! address for anonymous routes, X-RateLimit-* on every API answer, 429 past them.
        //! Off for load tests only; the failed-sign-in limit stays either way.
        bool rateLimits = true;
        //! security.rate_limit_<player|admin|address>_per_second and _burst.
        int playerPerSecond = 20;
        int playerBurst = 40;
        int adminPerSecond = 100;
        int adminBurst = 200;
        int addressPerSecond = 50;
        int addressBurst = 100;
        //! security.session_cache_seconds, SESSION_CACHE_SECONDS: how long a worker trusts a
        //! session it verified, unless a change notification ends it sooner (PostgreSQL
        //! only; 0: every Bearer call reads the database).
        int sessionCacheSeconds = 30;
        //! TOKEN_ENCRYPTION_KEYS (env/.env only): "id:key,id:key", each key 32 bytes in
        //! base64. The first seals the provider tokens kept for players (keep_tokens); every
        //! one opens them, so a new key goes first and the old one stays until no row uses it.
        struct TokenKey
        {
            QString id;
            QByteArray key;
        };
        std::vector<TokenKey> tokenKeys;
    } security;

    struct Server
    {
        QString host = QStringLiteral("127.0.0.1"); //!< SERVER_HOST
        int port = 8000;                            //!< SERVER_PORT (0: any free port)
        bool debug = false;                         //!< server.debug
        QString logLevel = QStringLiteral("INFO");  //!< LOG_LEVEL: DEBUG|INFO|WARNING|ERROR
        bool jsonLogs = false;                      //!< server.json_logs, LOG_JSON
        int workers = 0;                    //!< server.workers, SERVER_WORKERS (0: one per core)
        int maxConnections = 10000;         //!< server.max_connections
        int maxConnectionsPerAddress = 256; //!< server.max_connections_per_address (IPv6: /64)
        //! server.trusted_proxies, TRUSTED_PROXIES: addresses or CIDR ranges of the load
        //! balancers whose X-Forwarded-For is believed (none by default).
        QStringList trustedProxies;
        int headerTimeoutMs = 10000;   //!< server.header_timeout_ms: whole header must arrive
        int idleTimeoutMs = 60000;     //!< server.idle_timeout_ms: keep-alive idle limit
        int shutdownTimeoutMs = 10000; //!< server.shutdown_timeout_ms: in-flight grace on SIGTERM
        QString dataDir = QStringLiteral("data"); //!< server.data_dir, DATA_DIR
        QString logDir = QStringLiteral("logs");  //!< server.log_dir, LOG_DIR
        //! server.public_url, PUBLIC_URL: the address players' browsers reach (https; on a
        //! loopback host empty means http://<host>:<bound port>).
        QUrl publicUrl;
        //! server.metrics_listen, METRICS_LISTEN: "host:port" of the Prometheus /metrics
        //! listener ("127.0.0.1:9464", "[::1]:9464"); empty: no metrics listener.
        QString metricsListen;
    } server;

    struct Google
    {
        QStringList clientIds;   //!< GOOGLE_CLIENT_ID (comma-separated for several apps)
        QByteArray clientSecret; //!< GOOGLE_CLIENT_SECRET (env/.env only; not needed by the server)
        QUrl tokenInfoUrl{
            QStringLiteral("https://oauth2.googleapis.com/tokeninfo")}; //!< GOOGLE_TOKEN_INFO_URL
        QUrl jwksUrl{
            QStringLiteral("https://www.googleapis.com/oauth2/v3/certs")}; //!< GOOGLE_JWKS_URL
        QStringList issuers{
            QStringLiteral("https://accounts.google.com"),
            QStringLiteral("accounts.google.com")}; //!< GOOGLE_ISSUER (comma-separated)
        int timeoutMs = 5000;                       //!< providers.google.timeout_ms: then 504
    } google;

    //! The development identity provider under /dev-idp/ (never for production; loopback only).
    struct Dev
    {
        bool enabled = false;                                  //!< providers.dev.enabled, DEV_IDP
        QStringList clientIds{QStringLiteral("latchkey-dev")}; //!< providers.dev.client_ids
    } dev;

    //! A game registered with the sign-in broker (config.yml `clients:`): a public client,
    //! PKCE S256 required.
    struct Client
    {
        QString id;            //!< client_id
        QString name;          //!< shown on the sign-in pages
        bool loopback = false; //!< redirect: loopback (RFC 8252 §7.3: any port on 127.0.0.1/[::1])
        QStringList redirectUris; //!< redirect_uris: exact URIs
        bool device = false;      //!< device: true: may use the device grant (RFC 8628, consoles)
    };
    //! Embedded default: the demo and the examples sign in after scripts/run.sh.
    std::vector<Client> clients{
        {QStringLiteral("latchkey-demo"), QStringLiteral("Latchkey demo"), true, {}, true}};

    //! An upstream sign-in of the broker: providers.<name> with a type (oidc | oauth2), or
    //! Google's preset when GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set.
    struct Upstream
    {
        QString name;        //!< the key under providers: (also in /oauth/callback/<name>)
        QString type;        //!< "oidc" | "oauth2"
        QString displayName; //!< on the chooser
        QString clientId;
        QByteArray clientSecret; //!< <NAME>_CLIENT_SECRET (env/.env only)
        QUrl issuer;             //!< oidc: discovery at <issuer>/.well-known/openid-configuration
        QUrl authorizeUrl;       //!< oauth2 (oidc: from discovery)
        QUrl tokenUrl;
        QUrl userinfoUrl;
        QUrl emailsUrl;          //!< oauth2: GitHub's /user/emails (the verified primary)
        QString authorizeParams; //!< added to the upstream authorization URL ("a=b&c=d")
        QStringList scopes;
        QString subjectField = QStringLiteral("id"); //!< oauth2 userinfo fields
        QString emailField = QStringLiteral("email");
        QString emailVerifiedField; //!< when set, the e-mail counts only when this is true
        QString nameField = QStringLiteral("name");
        QString pictureField;
        int timeoutMs = 5000;
        //! providers.<name>.keep_tokens: the provider's refresh and access tokens are kept,
        //! sealed with TOKEN_ENCRYPTION_KEYS, for GET /api/identities/<name>/token.
        bool keepTokens = false;
    };
    std::vector<Upstream> upstreams;

    //! Steam session tickets (POST /api/login {"provider":"steam","ticket"}): on when app_id
    //! and web_api_key are both set.
    struct Steam
    {
        QString type = QStringLiteral("steam"); //!< providers.steam.type (only steam)
        QString appId;                          //!< STEAM_APP_ID
        QByteArray webApiKey; //!< STEAM_WEB_API_KEY (env/.env only): a publisher Web API key
        QUrl apiUrl{QStringLiteral("https://partner.steam-api.com")}; //!< STEAM_API_URL
        QString identity = QStringLiteral("latchkey"); //!< the ticket's identity string
        bool refuseVacBanned = true;
        bool refusePublisherBanned = true;
        int timeoutMs = 5000;
        bool enabled() const { return !appId.isEmpty() && !webApiKey.isEmpty(); }
    } steam;

    struct Audit
    {
        //! audit.retention_days, AUDIT_RETENTION_DAYS: audit_events older than this are
        //! pruned in the background (0: kept for ever).
        int retentionDays = 365;
    } audit;

    //! GET /api/events, the live event sockets (each also counts as a connection).
    struct Events
    {
        bool enabled = true;    //!< events.enabled, EVENTS: off, the route is 404
        int pingSeconds = 30;   //!< events.ping_seconds: two unanswered pings close a socket
        int maxPerUser = 8;     //!< events.max_per_user: open sockets per player per instance
        int maxSockets = 10000; //!< events.max_sockets: open sockets per instance
        int maxQueuedKib = 256; //!< events.max_queued_kib: a reader this far behind is dropped
    } events;

    struct Guest
    {
        bool enabled = true;          //!< providers.guest.enabled: POST /api/login/guest
        int perAddressPerMinute = 10; //!< providers.guest.per_address_per_minute, then 429
    } guest;
};

//! "127.0.0.1:9464" or "[::1]:9464" as an IP address ("127.0.0.1", "::1") and a port; false
//! when \a text is not one.
bool parseListenAddress(const QString &text, QString *address, quint16 *port);

struct ConfigSources
{
    QString
        configFile; //!< config.yml path; empty: none. A named file that cannot be read is an error.
    QString envFile; //!< .env path; empty or absent file: none
    QProcessEnvironment environment;

    //! What the programs' --config and --env-file options name: \a configFile, or
    //! config.yml in the current folder when none is named and it exists.
    static ConfigSources standard(const QString &configFile, const QString &envFile,
                                  const QProcessEnvironment &environment);
};

//! Reads and validates. On failure the Error's message names the key and says the fix,
//! e.g. "JWT_SECRET is 12 bytes; it must be at least 32 (generate one with: openssl rand -base64
//! 48)".
Result<Config> loadConfig(const ConfigSources &sources);

} // namespace latchkey
