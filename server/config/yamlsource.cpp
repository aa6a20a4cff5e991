// Reads config.yml into a ConfigDraft by the field table; yaml-cpp's exceptions stop here.
#include "config/yamlsource_p.h"

#include "config/brokerconfig_p.h"
#include "config/configsource_p.h"

#include <QFileInfo>

#include <yaml-cpp/yaml.h>

#include <exception>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

bool isSecretKey(const QString &key)
{
    return key == "password"_L1 || key == "jwt_secret"_L1 || key == "client_secret"_L1 ||
           key == "secret"_L1 || key == "web_api_key"_L1 || key == "token_encryption_keys"_L1;
}

QString secretVariableFor(const QString &dottedKey, const QString &key)
{
    if (key == "token_encryption_keys"_L1)
        return u"TOKEN_ENCRYPTION_KEYS"_s;
    if (dottedKey.startsWith("database."_L1) || key == "password"_L1)
        return u"DB_PASSWORD"_s;
    if (dottedKey.startsWith("security."_L1) || key == "jwt_secret"_L1)
        return u"JWT_SECRET"_s;
    if (key == "web_api_key"_L1)
        return u"STEAM_WEB_API_KEY"_s;
    if (dottedKey.startsWith("providers."_L1) || key == "client_secret"_L1)
        return u"GOOGLE_CLIENT_SECRET"_s;
    return u"JWT_SECRET, DB_PASSWORD or GOOGLE_CLIENT_SECRET"_s;
}

QString knownKeys(const QString &section)
{
    QStringList keys;
    for (const ConfigField &field : configFields()) {
        if (!field.section.isEmpty() && field.section == section)
            keys.append(field.key);
    }
    return keys.join(", "_L1);
}

QString scalarText(const YAML::Node &node)
{
    return QString::fromStdString(node.Scalar());
}

// A list key takes a YAML list, or one comma-separated string like its variable.
Status assignList(QStringList *list, const YAML::Node &node)
{
    if (node.IsNull()) {
        list->clear();
        return Done{};
    }
    if (node.IsScalar())
        return assignText(list, scalarText(node));
    if (!node.IsSequence())
        return invalidConfig(u"expected a list of strings"_s);
    QStringList values;
    for (const YAML::Node &item : node) {
        if (!item.IsScalar())
            return invalidConfig(u"expected a list of strings, found a nested list or map"_s);
        const QString value = scalarText(item).trimmed();
        if (!value.isEmpty())
            values.append(value);
    }
    *list = values;
    return Done{};
}

} // namespace

Status assignNode(const FieldTarget &target, const YAML::Node &node)
{
    if (std::holds_alternative<QStringList *>(target))
        return assignList(std::get<QStringList *>(target), node);
    if (node.IsNull())
        return invalidConfig(u"has no value; give one, or remove the key to keep the default"_s);
    if (!node.IsScalar())
        return invalidConfig(u"expected a single value, not a list or map"_s);
    return assignText(target, scalarText(node));
}

Status YamlSource::read()
{
    if (!QFileInfo::exists(m_path))
        return invalidConfig(u"%1: config file not found; check the path, or start from the "
                             "commented config.yml in the project's root"_s.arg(m_path));
    const Result<QByteArray> bytes =
        readSourceFile(m_path, {"YAML file"_L1, "YAML configuration file"_L1});
    if (!bytes)
        return bytes.error();

    // yaml-cpp reports everything by exception; none may leave loadConfig().
    try {
        const YAML::Node root = YAML::Load(bytes->toStdString());
        return readRoot(root);
    } catch (const YAML::Exception &e) {
        return invalidConfig(u"%1:%2: invalid YAML (%3); fix the syntax: 'key: value', nested "
                             "keys indented with spaces"_s.arg(m_path,
                                                               QString::number(e.mark.line + 1),
                                                               QString::fromStdString(e.msg)));
    } catch (const std::exception &e) {
        return invalidConfig(
            u"%1: cannot be read (%2)"_s.arg(m_path, QString::fromLocal8Bit(e.what())));
    }
}

Status YamlSource::readRoot(const YAML::Node &root)
{
    if (root.IsNull())
        return Done{}; // an empty or all-comment file: defaults
    if (!root.IsMap())
        return invalidConfig(u"%1: expected the sections database, security, server, "
                             "audit, events and providers at the top level"_s.arg(m_path));
    for (const auto &entry : root) {
        const QString name = scalarText(entry.first);
        if (isSecretKey(name))
            return secretRefused(name, name);
        Status status = Done{};
        if (name == "providers"_L1)
            status = readProviders(entry.second);
        else if (name == "clients"_L1)
            status = readClients(m_draft, entry.second, m_path);
        else if (name == "database"_L1 || name == "security"_L1 || name == "server"_L1 ||
                 name == "audit"_L1 || name == "events"_L1)
            status = readSection(name, entry.second);
        else
            return invalidConfig(u"%1: unknown section %2; known sections: database, security, "
                                 "server, audit, events, providers, clients"_s.arg(m_path, name));
        if (!status)
            return status;
    }
    return Done{};
}

Status YamlSource::readProviders(const YAML::Node &node)
{
    if (node.IsNull())
        return Done{};
    if (!node.IsMap())
        return invalidConfig(u"%1: providers: expected a map of providers by name"_s.arg(m_path));
    for (const auto &entry : node) {
        const QString name = scalarText(entry.first);
        const QString dotted = "providers."_L1 + name;
        if (isSecretKey(name))
            return secretRefused(dotted, name);
        Status status =
            name == "google"_L1 || name == "dev"_L1 || name == "guest"_L1 || name == "steam"_L1
                ? readSection(dotted, entry.second)
                : readUpstream(m_draft, name, entry.second, m_path);
        if (!status)
            return status;
    }
    return Done{};
}

Status YamlSource::readSection(const QString &section, const YAML::Node &node)
{
    if (node.IsNull())
        return Done{}; // a section with every key commented out
    if (!node.IsMap())
        return invalidConfig(
            u"%1: %2: expected keys under the section, e.g. '  key: value'"_s.arg(m_path, section));
    for (const auto &entry : node) {
        const QString key = scalarText(entry.first);
        const QString dotted = section + u'.' + key;
        if (isSecretKey(key))
            return secretRefused(dotted, key);
        const ConfigField *field = findFileField(section, key);
        if (!field)
            return invalidConfig(
                u"%1: unknown key %2; known keys: %3"_s.arg(m_path, dotted, knownKeys(section)));
        const FieldTarget target = field->target(m_draft);
        if (const Status status = assignNode(target, entry.second); !status)
            return invalidConfig(u"%1: %2"_s.arg(m_path, dotted), status.error());
        m_draft.origins.insert(addressOf(target), u"%1: %2"_s.arg(m_path, dotted));
    }
    return Done{};
}

Error YamlSource::secretRefused(const QString &dotted, const QString &key) const
{
    return invalidConfig(
        u"%1: %2: secrets are read only from the environment or .env (set %3)"_s.arg(
            m_path, dotted, secretVariableFor(dotted, key)));
}

} // namespace latchkey
