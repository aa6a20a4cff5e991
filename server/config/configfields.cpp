// The field table: every key with its file section and variable, and how text becomes a value.
#include "config/configfields_p.h"

#include "config/configsource_p.h"

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

// The one table of what can be configured; the file walker, the variable reader and the
// error messages are all driven by it, so a new key is one line here plus its rule in the
// validation table (config.cpp).
const ConfigField fields[] = {
    {"database"_L1, "driver"_L1, "DB_DRIVER"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.database.driver; }},
    {"database"_L1, "host"_L1, "DB_HOST"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.database.host; }},
    {"database"_L1, "port"_L1, "DB_PORT"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.database.port; }},
    {"database"_L1, "database"_L1, "DB_NAME"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.database.name; }},
    {"database"_L1, "user"_L1, "DB_USER"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.database.user; }},
    {{},
     {},
     "DB_PASSWORD"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.database.password; }},
    {"database"_L1, "sqlite_path"_L1, "SQLITE_PATH"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.database.sqlitePath; }},
    {"database"_L1,
     "auto_migrate"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.autoMigrate; }},

    {"security"_L1, "jwt_algorithm"_L1, "JWT_ALGORITHM"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.jwtAlgorithm; }},
    {{},
     {},
     "JWT_SECRET"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.jwtSecret; }},
    {{},
     {},
     "TOKEN_ENCRYPTION_KEYS"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.tokenEncryptionKeys; }},
    {"security"_L1, "access_token_expiry_minutes"_L1, "ACCESS_TOKEN_EXPIRY_MINUTES"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.accessTokenExpiryMinutes; }},
    {"security"_L1, "refresh_token_expiry_days"_L1, "REFRESH_TOKEN_EXPIRY_DAYS"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.refreshTokenExpiryDays; }},
    {"security"_L1, "issuer"_L1, "JWT_ISSUER"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.issuer; }},
    {"security"_L1, "audience"_L1, "JWT_AUDIENCE"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.audience; }},
    {"security"_L1,
     "max_sessions_per_user"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.maxSessionsPerUser; }},
    {"security"_L1,
     "refresh_grace_seconds"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.refreshGraceSeconds; }},
    {"security"_L1, "session_cache_seconds"_L1, "SESSION_CACHE_SECONDS"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.sessionCacheSeconds; }},
    {"security"_L1, "rate_limits"_L1, "RATE_LIMITS"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.rateLimits; }},
    {"security"_L1, "rate_limit_player_per_second"_L1, "RATE_LIMIT_PLAYER_PER_SECOND"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.playerPerSecond; }},
    {"security"_L1, "rate_limit_player_burst"_L1, "RATE_LIMIT_PLAYER_BURST"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.playerBurst; }},
    {"security"_L1, "rate_limit_admin_per_second"_L1, "RATE_LIMIT_ADMIN_PER_SECOND"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.adminPerSecond; }},
    {"security"_L1, "rate_limit_admin_burst"_L1, "RATE_LIMIT_ADMIN_BURST"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.adminBurst; }},
    {"security"_L1, "rate_limit_address_per_second"_L1, "RATE_LIMIT_ADDRESS_PER_SECOND"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.addressPerSecond; }},
    {"security"_L1, "rate_limit_address_burst"_L1, "RATE_LIMIT_ADDRESS_BURST"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.addressBurst; }},
    {"security"_L1,
     "allow_private_picture_hosts"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.allowPrivatePictureHosts; }},
    {"security"_L1,
     "failed_auth_per_minute"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.failedAuthPerMinute; }},
    {"security"_L1,
     "provider_calls_per_address"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.providerCallsPerAddress; }},
    {"security"_L1,
     "provider_queue_per_address"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.security.providerQueuePerAddress; }},

    {"server"_L1, "host"_L1, "SERVER_HOST"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.host; }},
    {"server"_L1, "port"_L1, "SERVER_PORT"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.port; }},
    {"server"_L1,
     "debug"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.debug; }},
    {"server"_L1, "log_level"_L1, "LOG_LEVEL"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.logLevel; }},
    {"server"_L1, "json_logs"_L1, "LOG_JSON"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.jsonLogs; }},
    {"server"_L1, "workers"_L1, "SERVER_WORKERS"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.workers; }},
    {"server"_L1,
     "max_connections"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.maxConnections; }},
    {"server"_L1,
     "max_connections_per_address"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.maxConnectionsPerAddress; }},
    {"server"_L1, "trusted_proxies"_L1, "TRUSTED_PROXIES"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.trustedProxies; }},
    {"server"_L1,
     "header_timeout_ms"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.headerTimeoutMs; }},
    {"server"_L1,
     "idle_timeout_ms"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.idleTimeoutMs; }},
    {"server"_L1,
     "shutdown_timeout_ms"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.shutdownTimeoutMs; }},
    {"server"_L1, "data_dir"_L1, "DATA_DIR"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.dataDir; }},
    {"server"_L1, "log_dir"_L1, "LOG_DIR"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.logDir; }},

    {"server"_L1, "metrics_listen"_L1, "METRICS_LISTEN"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.metricsListen; }},
    {"server"_L1, "public_url"_L1, "PUBLIC_URL"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.server.publicUrl; }},

    {"audit"_L1, "retention_days"_L1, "AUDIT_RETENTION_DAYS"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.audit.retentionDays; }},
    {"events"_L1, "enabled"_L1, "EVENTS"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.events.enabled; }},
    {"events"_L1,
     "ping_seconds"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.events.pingSeconds; }},
    {"events"_L1,
     "max_per_user"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.events.maxPerUser; }},
    {"events"_L1,
     "max_sockets"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.events.maxSockets; }},
    {"events"_L1,
     "max_queued_kib"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.events.maxQueuedKib; }},
    {"providers.guest"_L1, "enabled"_L1, "GUEST_LOGIN"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.guest.enabled; }},
    {"providers.guest"_L1,
     "per_address_per_minute"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.guest.perAddressPerMinute; }},

    {"providers.google"_L1, "client_ids"_L1, "GOOGLE_CLIENT_ID"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.google.clientIds; }},
    {{},
     {},
     "GOOGLE_CLIENT_SECRET"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.google.clientSecret; }},
    {"providers.google"_L1, "token_info_url"_L1, "GOOGLE_TOKEN_INFO_URL"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.google.tokenInfoUrl; }},
    {"providers.google"_L1, "jwks_url"_L1, "GOOGLE_JWKS_URL"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.google.jwksUrl; }},
    {"providers.google"_L1, "issuers"_L1, "GOOGLE_ISSUER"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.google.issuers; }},
    {"providers.google"_L1,
     "timeout_ms"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.google.timeoutMs; }},

    {"providers.steam"_L1,
     "type"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.steam.type; }},
    {"providers.steam"_L1, "app_id"_L1, "STEAM_APP_ID"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.steam.appId; }},
    {{},
     {},
     "STEAM_WEB_API_KEY"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.steam.webApiKey; }},
    {"providers.steam"_L1, "api_url"_L1, "STEAM_API_URL"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.steam.apiUrl; }},
    {"providers.steam"_L1,
     "identity"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.steam.identity; }},
    {"providers.steam"_L1,
     "refuse_vac_banned"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.steam.refuseVacBanned; }},
    {"providers.steam"_L1,
     "refuse_publisher_banned"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.steam.refusePublisherBanned; }},
    {"providers.steam"_L1,
     "timeout_ms"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.steam.timeoutMs; }},

    {"providers.dev"_L1, "enabled"_L1, "DEV_IDP"_L1,
     [](ConfigDraft &s) -> FieldTarget { return &s.config.dev.enabled; }},
    {"providers.dev"_L1,
     "client_ids"_L1,
     {},
     [](ConfigDraft &s) -> FieldTarget { return &s.config.dev.clientIds; }},
};

Result<bool> parseBool(const QString &text)
{
    const QString t = text.toLower();
    if (t == "true"_L1 || t == "yes"_L1 || t == "on"_L1 || t == "1"_L1)
        return true;
    if (t == "false"_L1 || t == "no"_L1 || t == "off"_L1 || t == "0"_L1)
        return false;
    return invalidConfig(u"\"%1\" is not a boolean; use true or false"_s.arg(text));
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

// Stores a parsed value, or passes on why \a text did not parse.
template <typename T, typename Parsed> Status store(T *target, const Result<Parsed> &parsed)
{
    if (!parsed)
        return parsed.error();
    *target = *parsed;
    return Done{};
}

struct TextAssigner
{
    const QString &text;

    Status operator()(QString *p) const
    {
        *p = text;
        return Done{};
    }
    Status operator()(int *p) const { return store(p, parseWholeNumber(text)); }
    Status operator()(bool *p) const { return store(p, parseBool(text)); }
    Status operator()(std::optional<bool> *p) const { return store(p, parseBool(text)); }
    Status operator()(QStringList *p) const
    {
        *p = splitList(text);
        return Done{};
    }
    Status operator()(QUrl *p) const
    {
        // Checked in validation, which names the layer the URL came from.
        *p = QUrl(text, QUrl::StrictMode);
        return Done{};
    }
    Status operator()(QByteArray *p) const
    {
        *p = text.toUtf8();
        return Done{};
    }
};

} // namespace

QString ConfigDraft::nameOf(const void *member)
{
    const auto it = origins.constFind(member);
    if (it != origins.cend())
        return *it;
    // No layer set it, so it still holds its default: name it as the user would set it.
    for (const ConfigField &field : fields) {
        if (addressOf(field.target(*this)) == member) {
            return field.envName.isEmpty() ? u"%1.%2"_s.arg(field.section, field.key)
                                           : QString(field.envName);
        }
    }
    Q_UNREACHABLE();
    return QString();
}

std::span<const ConfigField> configFields()
{
    return fields;
}

const ConfigField *findFileField(QStringView section, QStringView key)
{
    for (const ConfigField &field : fields) {
        if (!field.section.isEmpty() && field.section == section && field.key == key)
            return &field;
    }
    return nullptr;
}

const void *addressOf(const FieldTarget &target)
{
    return std::visit([](auto *p) -> const void * { return p; }, target);
}

Status assignText(const FieldTarget &target, const QString &text)
{
    return std::visit(TextAssigner{text}, target);
}

Result<int> parseWholeNumber(const QString &text)
{
    bool ok = !text.isEmpty() && !text.front().isSpace() && !text.back().isSpace();
    const int value = ok ? text.toInt(&ok, 10) : 0;
    if (!ok)
        return invalidConfig(u"\"%1\" is not a whole number; write digits only"_s.arg(text));
    return value;
}

} // namespace latchkey
