// The one table of what can be configured, and the draft Config the sources write into.
#pragma once

#include "config/config.h"

#include <QHash>
#include <QLatin1StringView>

#include <optional>
#include <span>
#include <variant>

namespace latchkey {

//! Where a key's value lands. std::optional<bool> is for auto_migrate, whose default depends
//! on the driver chosen by a later layer, so "not set" must stay distinguishable from false.
using FieldTarget = std::variant<QString *, int *, bool *, std::optional<bool> *, QStringList *,
                                 QUrl *, QByteArray *>;

//! The Config being loaded, with what is needed to finish it and to name its values.
struct ConfigDraft
{
    Config config;
    std::optional<bool> autoMigrate;
    QByteArray tokenEncryptionKeys; //!< TOKEN_ENCRYPTION_KEYS as given; parsed into security
    //! How an error names a value: by the layer that set it last ("SERVER_PORT",
    //! ".env: SERVER_PORT", "config.yml: server.port"), so the fix goes to the right place.
    QHash<const void *, QString> origins;

    //! The name messages use for \a member: its origin, else its variable or file key.
    QString nameOf(const void *member);
};

struct ConfigField
{
    QLatin1StringView section; //!< "providers.google"; empty: a secret, never read from the file
    QLatin1StringView key;     //!< key inside the section
    QLatin1StringView envName; //!< variable in .env and the environment; empty: file only
    FieldTarget (*target)(ConfigDraft &);
};

//! Every configurable key; the file walker, the variable readers and the messages use it.
std::span<const ConfigField> configFields();

//! The field \a section.\a key of config.yml, or nullptr.
const ConfigField *findFileField(QStringView section, QStringView key);

const void *addressOf(const FieldTarget &target);

//! Stores \a text in \a target. The error names no key (the caller knows which layer set it);
//! only non-secret targets can fail to parse, so it may quote the text.
Status assignText(const FieldTarget &target, const QString &text);

//! Exactly a decimal number: QString::toInt would also take surrounding blanks.
Result<int> parseWholeNumber(const QString &text);

} // namespace latchkey
