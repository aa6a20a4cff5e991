// Provider tokens kept for players (identities.credentials, migration 008): the sealed text
// only; sealing and opening belong to the caller (auth/ProviderTokens).
#pragma once

#include "database.h"

namespace latchkey {

//! One identity's kept tokens as stored: sealed, never plain.
struct KeptCredentials
{
    QString subject;
    QString sealed;
};

class CredentialStore
{
public:
    explicit CredentialStore(Database &db) : m_db(db) {}

    //! What \a userId keeps for \a provider (its newest identity of that provider that keeps
    //! any); NotFound when nothing is kept.
    Result<KeptCredentials> ofUser(qint64 userId, const QString &provider);
    //! The sealed text of the identity (\a provider, \a subject); empty when nothing is kept.
    Result<QString> of(const QString &provider, const QString &subject);
    //! Stores \a sealed on the identity if it belongs to \a userId; NotFound otherwise.
    Status put(qint64 userId, const QString &provider, const QString &subject,
               const QString &sealed);
    //! Replaces \a expected with \a replacement (a null string on either side: nothing kept)
    //! only while the row still holds \a expected; false when another request changed it
    //! first.
    Result<bool> swap(const QString &provider, const QString &subject, const QString &expected,
                      const QString &replacement);

private:
    Database &m_db;
};

} // namespace latchkey
