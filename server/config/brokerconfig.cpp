// Registered clients and upstream providers: read from config.yml and presets, completed with
// their secrets, checked.
#include "config/brokerconfig_p.h"

#include "config/configsource_p.h"
#include "config/yamlsource_p.h"

#include <QFile>
#include <QHostAddress>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;
using Upstream = Config::Upstream;

struct UpstreamKey
{
    QLatin1StringView key;
    FieldTarget (*target)(Upstream &);
};

// The keys of providers.<name>; type and preset are read before these.
const UpstreamKey upstreamKeyTable[] = {
    {"display_name"_L1, [](Upstream &u) -> FieldTarget { return &u.displayName; }},
    {"client_id"_L1, [](Upstream &u) -> FieldTarget { return &u.clientId; }},
    {"issuer"_L1, [](Upstream &u) -> FieldTarget { return &u.issuer; }},
    {"authorize_url"_L1, [](Upstream &u) -> FieldTarget { return &u.authorizeUrl; }},
    {"token_url"_L1, [](Upstream &u) -> FieldTarget { return &u.tokenUrl; }},
    {"userinfo_url"_L1, [](Upstream &u) -> FieldTarget { return &u.userinfoUrl; }},
    {"emails_url"_L1, [](Upstream &u) -> FieldTarget { return &u.emailsUrl; }},
    {"authorize_params"_L1, [](Upstream &u) -> FieldTarget { return &u.authorizeParams; }},
    {"scopes"_L1, [](Upstream &u) -> FieldTarget { return &u.scopes; }},
    {"subject_field"_L1, [](Upstream &u) -> FieldTarget { return &u.subjectField; }},
    {"email_field"_L1, [](Upstream &u) -> FieldTarget { return &u.emailField; }},
    {"email_verified_field"_L1, [](Upstream &u) -> FieldTarget { return &u.emailVerifiedField; }},
    {"name_field"_L1, [](Upstream &u) -> FieldTarget { return &u.nameField; }},
    {"picture_field"_L1, [](Upstream &u) -> FieldTarget { return &u.pictureField; }},
    {"timeout_ms"_L1, [](Upstream &u) -> FieldTarget { return &u.timeoutMs; }},
    {"keep_tokens"_L1, [](Upstream &u) -> FieldTarget { return &u.keepTokens; }},
};

QString text(const YAML::Node &node)
{
    return QString::fromStdString(node.Scalar());
}

bool isLoopbackUrl(const QUrl &url)
{
    const QHostAddress host(url.host());
    return url.host() == "localhost"_L1 || (!host.isNull() && host.isLoopback());
}

// https, or http on this machine (a provider run locally, a test's stand-in).
bool isSafeUrl(const QUrl &url)
{
    return url.isValid() && !url.host().isEmpty() &&
           (url.scheme() == "https"_L1 || (url.scheme() == "http"_L1 && isLoopbackUrl(url)));
}

// Applies one map of provider keys (a preset's or config.yml's) to \a upstream.
Status applyKeys(Upstream &upstream, bool &enabled, const YAML::Node &map, const QString &where)
{
    for (const auto &entry : map) {
        const QString key = text(entry.first);
        const QString dotted = u"%1.%2"_s.arg(where, key);
        if (key == "preset"_L1)
            continue;
        if (key == "client_secret"_L1 || key == "secret"_L1)
            return invalidConfig(u"%1: secrets are read only from the environment or .env (set "
                                 "%2)"_s.arg(dotted, secretVariable(upstream.name)));
        if (key == "type"_L1 || key == "enabled"_L1) {
            if (!entry.second.IsScalar())
                return invalidConfig(u"%1: expected a single value"_s.arg(dotted));
            if (key == "type"_L1)
                upstream.type = text(entry.second);
            else if (const Status ok = assignNode(&enabled, entry.second); !ok)
                return invalidConfig(dotted, ok.error());
            continue;
        }
        const auto *found = std::find_if(std::begin(upstreamKeyTable), std::end(upstreamKeyTable),
                                         [&](const UpstreamKey &k) { return k.key == key; });
        if (found == std::end(upstreamKeyTable))
            return invalidConfig(u"%1: unknown key; known keys: %2"_s.arg(dotted, upstreamKeys()));
        if (const Status ok = assignNode(found->target(upstream), entry.second); !ok)
            return invalidConfig(dotted, ok.error());
    }
    return Done{};
}

// The preset file's map, or a null node when there is no preset of that name.
Result<YAML::Node> presetNode(const QString &preset)
{
    QFile file(u":/providers/%1.yml"_s.arg(preset));
    if (!file.open(QIODevice::ReadOnly))
        return YAML::Node();
    return YAML::Load(file.readAll().toStdString());
}

Status checkClient(const Config::Client &client, const QString &where)
{
    if (client.id.isEmpty())
        return invalidConfig(u"%1: client_id is missing"_s.arg(where));
    if (!client.loopback && client.redirectUris.isEmpty() && !client.device)
        return invalidConfig(
            u"%1 (%2): no redirects; set redirect: loopback (desktop games), "
            "list redirect_uris, or device: true (consoles)"_s.arg(where, client.id));
    for (const QString &uri : client.redirectUris) {
        const QUrl url(uri, QUrl::StrictMode);
        if (!isSafeUrl(url) || url.hasFragment())
            return invalidConfig(u"%1 (%2): redirect URI \"%3\" must be https (or http on "
                                 "loopback) without a fragment"_s.arg(where, client.id, uri));
    }
    return Done{};
}

Status checkUpstream(const Upstream &u)
{
    const QString where = "providers."_L1 + u.name;
    if (u.type != "oidc"_L1 && u.type != "oauth2"_L1)
        return invalidConfig(
            u"%1.type: \"%2\" is not a provider type; use oidc or oauth2"_s.arg(where, u.type));
    if (u.clientId.isEmpty())
        return invalidConfig(u"%1.client_id is missing; set the client ID the provider gave "
                             "you"_s.arg(where));
    if (u.clientSecret.isEmpty())
        return invalidConfig(u"%1: %2 is not set; put the provider's client secret in the "
                             "environment or .env"_s.arg(where, secretVariable(u.name)));
    const bool oidc = u.type == "oidc"_L1;
    if (oidc && u.issuer.isEmpty())
        return invalidConfig(u"%1.issuer is missing; an oidc provider is found by its issuer, "
                             "e.g. https://accounts.example.com"_s.arg(where));
    const QList<QPair<QLatin1StringView, const QUrl *>> urls{{"issuer"_L1, &u.issuer},
                                                             {"authorize_url"_L1, &u.authorizeUrl},
                                                             {"token_url"_L1, &u.tokenUrl},
                                                             {"userinfo_url"_L1, &u.userinfoUrl},
                                                             {"emails_url"_L1, &u.emailsUrl}};
    for (const auto &[key, url] : urls) {
        const bool required = !oidc && (key == "authorize_url"_L1 || key == "token_url"_L1 ||
                                        key == "userinfo_url"_L1);
        if (url->isEmpty() && !required)
            continue;
        if (!isSafeUrl(*url))
            return invalidConfig(
                u"%1.%2: \"%3\" must be an https URL (http only on loopback)"_s.arg(
                    where, key, url->toString()));
    }
    if (u.timeoutMs < 1)
        return invalidConfig(u"%1.timeout_ms: must be at least 1"_s.arg(where));
    return Done{};
}

// TOKEN_ENCRYPTION_KEYS: "id:key" items separated by commas (or spaces), keys 32 bytes in base64.
Status readTokenKeys(ConfigDraft &draft)
{
    const QString name = draft.nameOf(&draft.tokenEncryptionKeys);
    const QString fix = u"; write id:key pairs separated by commas, each key 32 random bytes in "
                        "base64 (openssl rand -base64 32), e.g. 2026a:<key>"_s;
    static const QRegularExpression separators(u"[,\\s]+"_s);
    static const QRegularExpression idPattern(u"^[A-Za-z0-9._-]{1,32}$"_s);
    std::vector<Config::Security::TokenKey> &keys = draft.config.security.tokenKeys;
    keys.clear();
    const QString text = QString::fromUtf8(draft.tokenEncryptionKeys);
    for (const QString &item : text.split(separators, Qt::SkipEmptyParts)) {
        const qsizetype colon = item.indexOf(u':');
        const QString id = item.left(colon);
        if (colon < 0 || !idPattern.match(id).hasMatch())
            return invalidConfig(u"%1: \"%2…\" does not start with a key id (letters, digits, "
                                 "\".\", \"_\", \"-\") and a colon%3"_s.arg(name, id.left(8), fix));
        const auto decoded = QByteArray::fromBase64Encoding(
            item.mid(colon + 1).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        const auto decodedUrl = QByteArray::fromBase64Encoding(
            item.mid(colon + 1).toLatin1(),
            QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        const QByteArray key = decoded ? *decoded : decodedUrl ? *decodedUrl : QByteArray();
        if (key.size() != 32)
            return invalidConfig(
                u"%1: key \"%2\" is not 32 bytes in base64%3"_s.arg(name, id, fix));
        if (std::any_of(keys.begin(), keys.end(), [&](const auto &k) { return k.id == id; }))
            return invalidConfig(u"%1: key id \"%2\" appears twice"_s.arg(name, id));
        keys.push_back({id, key});
    }
    for (const Upstream &u : draft.config.upstreams) {
        if (u.keepTokens && keys.empty())
            return invalidConfig(
                u"providers.%1.keep_tokens: the provider's tokens are kept only encrypted; set "
                "TOKEN_ENCRYPTION_KEYS in the environment or .env%2"_s.arg(u.name, fix));
    }
    return Done{};
}

Status checkPublicUrl(ConfigDraft &draft)
{
    const QUrl &url = draft.config.server.publicUrl;
    const QString name = draft.nameOf(&draft.config.server.publicUrl);
    if (url.isEmpty()) {
        const QString host = draft.config.server.host;
        const QHostAddress address(host);
        if (host == "localhost"_L1 || (!address.isNull() && address.isLoopback()))
            return Done{};
        return invalidConfig(u"%1: required when server.host is not loopback (%2): set the "
                             "https address players' browsers reach, e.g. "
                             "PUBLIC_URL=https://accounts.example.com"_s.arg(name, host));
    }
    if (!isSafeUrl(url) || url.hasQuery() || url.hasFragment())
        return invalidConfig(
            u"%1: \"%2\" must be an https URL without query or fragment (http "
            "only on loopback), e.g. https://accounts.example.com"_s.arg(name, url.toString()));
    return Done{};
}

} // namespace

QString secretVariable(const QString &providerName)
{
    QString name = providerName.toUpper();
    for (QChar &c : name) {
        if (!c.isLetterOrNumber())
            c = u'_';
    }
    return name + "_CLIENT_SECRET"_L1;
}

QString upstreamKeys()
{
    QStringList keys{u"type"_s, u"preset"_s, u"enabled"_s};
    for (const UpstreamKey &key : upstreamKeyTable)
        keys.append(key.key);
    return keys.join(", "_L1);
}

Status readClients(ConfigDraft &draft, const YAML::Node &node, const QString &where)
{
    std::vector<Config::Client> clients;
    if (!node.IsNull() && !node.IsSequence())
        return invalidConfig(
            u"%1: clients: expected a list, e.g. '- client_id: my-game'"_s.arg(where));
    for (std::size_t i = 0; node.IsSequence() && i < node.size(); ++i) {
        const QString at = u"%1: clients[%2]"_s.arg(where).arg(i);
        if (!node[i].IsMap())
            return invalidConfig(
                u"%1: expected client_id, name, redirect, redirect_uris, device"_s.arg(at));
        Config::Client client;
        for (const auto &entry : node[i]) {
            const QString key = text(entry.first);
            FieldTarget target = &client.id;
            if (key == "name"_L1)
                target = &client.name;
            else if (key == "redirect_uris"_L1)
                target = &client.redirectUris;
            else if (key == "device"_L1)
                target = &client.device;
            else if (key == "redirect"_L1) {
                if (text(entry.second) != "loopback"_L1)
                    return invalidConfig(u"%1.redirect: only \"loopback\" is a redirect rule; "
                                         "list exact URIs in redirect_uris"_s.arg(at));
                client.loopback = true;
                continue;
            } else if (key != "client_id"_L1)
                return invalidConfig(u"%1.%2: unknown key; known keys: client_id, name, "
                                     "redirect, redirect_uris, device"_s.arg(at, key));
            if (const Status ok = assignNode(target, entry.second); !ok)
                return invalidConfig(u"%1.%2"_s.arg(at, key), ok.error());
        }
        if (const Status ok = checkClient(client, at); !ok)
            return ok;
        if (client.name.isEmpty())
            client.name = client.id;
        for (const Config::Client &other : clients) {
            if (other.id == client.id)
                return invalidConfig(u"%1: client_id \"%2\" is listed twice"_s.arg(at, client.id));
        }
        clients.push_back(std::move(client));
    }
    draft.config.clients = std::move(clients);
    return Done{};
}

Status readUpstream(ConfigDraft &draft, const QString &name, const YAML::Node &node,
                    const QString &where)
{
    const QString at = u"%1: providers.%2"_s.arg(where, name);
    if (!node.IsMap())
        return invalidConfig(u"%1: expected the provider's keys (type, client_id, ...)"_s.arg(at));
    Upstream upstream;
    upstream.name = name;
    bool enabled = true;
    const QString preset =
        node["preset"] ? text(node["preset"]) : name; // a provider named "github" is GitHub's
    const Result<YAML::Node> presetMap = presetNode(preset);
    if (node["preset"] && (!presetMap || !presetMap->IsMap()))
        return invalidConfig(u"%1.preset: no preset \"%2\"; presets: github, discord, slack, "
                             "atlassian, google"_s.arg(at, preset));
    if (presetMap && presetMap->IsMap()) {
        if (const Status ok = applyKeys(upstream, enabled, *presetMap, at); !ok)
            return ok;
    }
    if (const Status ok = applyKeys(upstream, enabled, node, at); !ok)
        return ok;
    if (upstream.displayName.isEmpty())
        upstream.displayName = name;
    if (upstream.type == "oidc"_L1 && upstream.scopes.isEmpty()) // an ID token needs openid
        upstream.scopes = {u"openid"_s, u"email"_s, u"profile"_s};
    auto &list = draft.config.upstreams;
    std::erase_if(list, [&](const Upstream &u) { return u.name == name; });
    if (enabled)
        list.push_back(std::move(upstream));
    return Done{};
}

Status completeBroker(ConfigDraft &draft, const QHash<QString, QString> &variables)
{
    Config &c = draft.config;
    const bool googleListed = std::any_of(c.upstreams.begin(), c.upstreams.end(),
                                          [](const Upstream &u) { return u.name == "google"_L1; });
    if (!googleListed && !c.google.clientIds.isEmpty() && !c.google.clientSecret.isEmpty()) {
        Upstream google;
        google.name = u"google"_s;
        bool enabled = true;
        const Result<YAML::Node> preset = presetNode(google.name);
        if (!preset || !applyKeys(google, enabled, *preset, u"google preset"_s))
            return invalidConfig(u"the built-in google preset cannot be read"_s);
        google.clientId = c.google.clientIds.first();
        google.clientSecret = c.google.clientSecret;
        google.timeoutMs = c.google.timeoutMs;
        c.upstreams.push_back(std::move(google));
    }
    for (Upstream &u : c.upstreams) {
        if (u.clientSecret.isEmpty())
            u.clientSecret = variables.value(secretVariable(u.name)).toUtf8();
        if (const Status ok = checkUpstream(u); !ok)
            return ok;
    }
    if (const Status ok = readTokenKeys(draft); !ok)
        return ok;
    return checkPublicUrl(draft);
}

} // namespace latchkey
