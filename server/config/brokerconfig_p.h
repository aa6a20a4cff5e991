// The sign-in broker's part of the configuration: registered clients, upstream providers
// (with presets from resources/providers/), their secrets, and the rules they must meet.
#pragma once

#include "config/configfields_p.h"

namespace YAML {
class Node;
}

namespace latchkey {

//! config.yml `clients:` (a list of maps), replacing the embedded default's list.
Status readClients(ConfigDraft &draft, const YAML::Node &node, const QString &where);
//! config.yml `providers.<name>` for a name other than google, dev and guest: its preset
//! (`preset:`, else the file named like the provider, when there is one), then its own keys.
Status readUpstream(ConfigDraft &draft, const QString &name, const YAML::Node &node,
                    const QString &where);
//! After every layer: secrets from \a variables (.env overlaid by the environment), Google's
//! preset when GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set, then the checks (a
//! provider without its secret or issuer, a client without redirects, public_url).
Status completeBroker(ConfigDraft &draft, const QHash<QString, QString> &variables);
//! The variable an upstream's secret is read from: "GITHUB_CLIENT_SECRET".
QString secretVariable(const QString &providerName);
//! config.yml keys of an upstream provider, for messages.
QString upstreamKeys();

} // namespace latchkey
