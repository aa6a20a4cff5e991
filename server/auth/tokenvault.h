// Sealing secrets Latchkey must keep but never store in plain text (a provider's refresh
// token): AES-256-GCM with the keys of TOKEN_ENCRYPTION_KEYS.
#pragma once

#include "config/config.h"

#include <latchkey/error.h>

namespace latchkey {

//! Sealed text is "<key id>:<base64url of nonce | ciphertext | tag>". The first key seals;
//! every key opens what it sealed, so keys rotate without a migration: put the new key
//! first, and drop the old one once nothing sealed with it is left (rows are sealed again
//! with the first key whenever they change).
class TokenVault
{
public:
    explicit TokenVault(std::vector<Config::Security::TokenKey> keys) : m_keys(std::move(keys)) {}

    bool isEnabled() const { return !m_keys.empty(); }
    //! \a plain sealed with the first key, bound to \a context: open() needs the same context,
    //! so a sealed value copied to another row does not open there.
    QString seal(QByteArrayView plain, QByteArrayView context) const;
    //! Internal (the reason logged, never the secret) when the key id is unknown or the text
    //! was altered, or sealed for another context.
    Result<QByteArray> open(const QString &sealed, QByteArrayView context) const;

private:
    const std::vector<Config::Security::TokenKey> m_keys;
};

} // namespace latchkey
