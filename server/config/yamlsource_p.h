// config.yml, the lowest layer: a YAML map of sections, read into a ConfigDraft.
#pragma once

#include "config/configfields_p.h"

namespace YAML {
class Node;
}

namespace latchkey {

//! Like assignText(), from a YAML value (a list key also takes a YAML list); the error
//! names no key.
Status assignNode(const FieldTarget &target, const YAML::Node &node);

//! Walks config.yml by the field table; secrets are refused there (they belong in the
//! environment or .env), as are unknown sections and keys, each with the known ones listed.
class YamlSource
{
public:
    YamlSource(ConfigDraft &draft, const QString &path) : m_draft(draft), m_path(path) {}

    //! Reads the file into the draft; a missing file is an error (it was named on purpose).
    Status read();

private:
    Status readRoot(const YAML::Node &root);
    Status readProviders(const YAML::Node &node);
    Status readSection(const QString &section, const YAML::Node &node);
    Error secretRefused(const QString &dotted, const QString &key) const;

    ConfigDraft &m_draft;
    const QString m_path;
};

} // namespace latchkey
