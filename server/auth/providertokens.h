// A provider's tokens kept for the player (providers.<name>.keep_tokens), so a game can call
// the provider's API later: sealed at sign-in, handed out fresh by
// GET /api/identities/{provider}/token, refreshed upstream when they ran out.
#pragma once

#include "auditlog.h"
#include "tokenvault.h"
#include "upstream.h"

#include "db/storage.h"

#include <latchkey/clock.h>

#include <QHash>

namespace latchkey {

//! What GET /api/identities/{provider}/token answers.
struct ProviderAccess
{
    QString accessToken;
    qint64 expiresIn = 0; //!< seconds left; 0: the provider did not say
    QString scope;
};

//! One per worker thread. Refreshes of one identity in this worker share one upstream call;
//! between workers and instances the row is replaced only if nobody replaced it meanwhile,
//! so a refresh token the provider rotated is never overwritten by an older one.
class ProviderTokens
{
public:
    //! An access token with less than this left is refreshed before it is handed out.
    static constexpr qint64 refreshMarginSecs = 60;

    ProviderTokens(Storage &storage, AuditLog &log, std::vector<Config::Security::TokenKey> keys,
                   Clock clock);

    //! Seals \a identity's tokens (when it carries any) into its row, which \a userId owns. A
    //! provider that sent no refresh token this time (Google asks for consent once) leaves
    //! the one kept before in place.
    Status keep(qint64 userId, const ExternalIdentity &identity);

    using AccessCallback = std::function<void(Result<ProviderAccess>)>;
    //! A usable access token of \a upstream for \a userId: the kept one while it lasts, else
    //! a refreshed one. NotFound when nothing is kept; InvalidProviderToken when the provider
    //! refused the refresh token (what was kept is dropped: the player signs in again).
    //! \a address is the caller's, for the audit line of a drop.
    void access(qint64 userId, Upstream &upstream, const QHostAddress &address,
                AccessCallback done);

private:
    struct Kept
    {
        UpstreamTokens tokens;
        qint64 expiresAt = 0; //!< Unix seconds; 0: unknown
    };
    static QByteArray context(const QString &provider, const QString &subject);
    QString seal(const Kept &kept, const QString &provider, const QString &subject) const;
    Result<Kept> open(const QString &sealed, const QString &provider, const QString &subject) const;
    qint64 nowSecs() const { return m_clock() / 1000; }
    //! The kept access token while more than \a marginSecs of it are left.
    std::optional<ProviderAccess> usable(const Kept &kept, qint64 marginSecs) const;
    //! After the upstream answered \a fresh to the refresh of \a row (which held \a kept).
    Result<ProviderAccess> settle(qint64 userId, const Upstream &upstream,
                                  const QHostAddress &address, const KeptCredentials &row,
                                  const Kept &kept, const Result<UpstreamTokens> &fresh);

    Storage &m_storage;
    AuditLog &m_log;
    const TokenVault m_vault;
    const Clock m_clock;
    //! "<provider>\n<subject>" → who waits for the refresh under way.
    QHash<QString, std::vector<AccessCallback>> m_refreshing;
};

} // namespace latchkey
