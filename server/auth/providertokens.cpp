// Kept provider tokens: sealed JSON {"access_token","refresh_token","expires_at","scope"} in
// identities.credentials, refreshed upstream when the access token runs out.
#include "providertokens.h"

#include "logging.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

ProviderTokens::ProviderTokens(Storage &storage, AuditLog &log,
                               std::vector<Config::Security::TokenKey> keys, Clock clock)
    : m_storage(storage), m_log(log), m_vault(std::move(keys)), m_clock(std::move(clock))
{
}

QByteArray ProviderTokens::context(const QString &provider, const QString &subject)
{
    return "latchkey provider tokens\n" + provider.toUtf8() + '\n' + subject.toUtf8();
}

QString ProviderTokens::seal(const Kept &kept, const QString &provider,
                             const QString &subject) const
{
    const QJsonObject plain{{u"access_token"_s, kept.tokens.accessToken},
                            {u"refresh_token"_s, kept.tokens.refreshToken},
                            {u"expires_at"_s, kept.expiresAt},
                            {u"scope"_s, kept.tokens.scope}};
    return m_vault.seal(QJsonDocument(plain).toJson(QJsonDocument::Compact),
                        context(provider, subject));
}

Result<ProviderTokens::Kept> ProviderTokens::open(const QString &sealed, const QString &provider,
                                                  const QString &subject) const
{
    const Result<QByteArray> plain = m_vault.open(sealed, context(provider, subject));
    if (!plain)
        return plain.error();
    const QJsonObject o = QJsonDocument::fromJson(*plain).object();
    return Kept{{o.value("access_token"_L1).toString(), o.value("refresh_token"_L1).toString(), 0,
                 o.value("scope"_L1).toString()},
                o.value("expires_at"_L1).toInteger()};
}

Status ProviderTokens::keep(qint64 userId, const ExternalIdentity &identity)
{
    if (identity.tokens.isEmpty() || !m_vault.isEnabled())
        return Done{};
    const qint64 expiresIn = identity.tokens.expiresIn;
    Kept kept{identity.tokens, expiresIn > 0 ? nowSecs() + expiresIn : 0};
    if (kept.tokens.refreshToken.isEmpty()) {
        const Result<QString> before =
            m_storage.credentials().of(identity.provider, identity.subject);
        if (!before)
            return before.error();
        if (!before->isEmpty()) {
            if (const Result<Kept> old = open(*before, identity.provider, identity.subject); old)
                kept.tokens.refreshToken = old->tokens.refreshToken;
        }
    }
    return m_storage.credentials().put(userId, identity.provider, identity.subject,
                                       seal(kept, identity.provider, identity.subject));
}

std::optional<ProviderAccess> ProviderTokens::usable(const Kept &kept, qint64 marginSecs) const
{
    const qint64 left = kept.expiresAt > 0 ? kept.expiresAt - nowSecs() : 0;
    if (kept.tokens.accessToken.isEmpty() || (kept.expiresAt > 0 && left <= marginSecs))
        return std::nullopt;
    return ProviderAccess{kept.tokens.accessToken, left, kept.tokens.scope};
}

void ProviderTokens::access(qint64 userId, Upstream &upstream, const QHostAddress &address,
                            AccessCallback done)
{
    const QString provider = upstream.name();
    const Result<KeptCredentials> row = m_storage.credentials().ofUser(userId, provider);
    if (!row) {
        done(row.error().code != ErrorCode::NotFound
                 ? row.error()
                 : Error::notFound(
                       u"no %1 token is kept for this account"_s.arg(upstream.displayName())));
        return;
    }
    const Result<Kept> kept = open(row->sealed, provider, row->subject);
    if (!kept) {
        done(kept.error());
        return;
    }
    if (const std::optional<ProviderAccess> now = usable(*kept, refreshMarginSecs)) {
        done(*now);
        return;
    }
    if (kept->tokens.refreshToken.isEmpty()) {
        done(Error{ErrorCode::InvalidProviderToken,
                   u"the %1 access token expired and no refresh token is kept; sign in with %1 "
                   "again"_s.arg(upstream.displayName())});
        return;
    }
    const QString key = provider + u'\n' + row->subject;
    std::vector<AccessCallback> &waiting = m_refreshing[key];
    waiting.push_back(std::move(done));
    if (waiting.size() > 1)
        return; // the refresh under way answers this one too
    upstream.refresh(kept->tokens.refreshToken, [this, userId, &upstream, address, key, row = *row,
                                                 kept = *kept](Result<UpstreamTokens> fresh) {
        const Result<ProviderAccess> answer = settle(userId, upstream, address, row, kept, fresh);
        for (const AccessCallback &waiter : m_refreshing.take(key))
            waiter(answer);
    });
}

Result<ProviderAccess> ProviderTokens::settle(qint64 userId, const Upstream &upstream,
                                              const QHostAddress &address,
                                              const KeptCredentials &row, const Kept &kept,
                                              const Result<UpstreamTokens> &fresh)
{
    const QString provider = upstream.name();
    CredentialStore &store = m_storage.credentials();
    if (fresh) {
        Kept next{*fresh, fresh->expiresIn > 0 ? nowSecs() + fresh->expiresIn : 0};
        if (next.tokens.refreshToken.isEmpty()) // the provider does not rotate them
            next.tokens.refreshToken = kept.tokens.refreshToken;
        if (next.tokens.scope.isEmpty())
            next.tokens.scope = kept.tokens.scope;
        const QString sealed = seal(next, provider, row.subject);
        Result<bool> stored = store.swap(provider, row.subject, row.sealed, sealed);
        // Changed meanwhile: dropped by a refresh another worker saw refused because this one
        // rotated the token first (put ours back), or refreshed by another (theirs stays).
        // Either way, or on a database failure (logged), this access token still works.
        if (stored && !*stored)
            stored = store.swap(provider, row.subject, QString(), sealed);
        if (stored && !*stored)
            qCInfo(lcProvider).noquote()
                << provider << "tokens of user" << userId << "were refreshed by another request";
        return ProviderAccess{next.tokens.accessToken, fresh->expiresIn, next.tokens.scope};
    }
    if (fresh.error().code != ErrorCode::InvalidProviderToken)
        return fresh.error();
    // Refused: if another worker or instance refreshed first, its tokens are the live ones.
    const Result<QString> current = store.of(provider, row.subject);
    if (current && !current->isEmpty() && *current != row.sealed) {
        if (const Result<Kept> theirs = open(*current, provider, row.subject); theirs) {
            if (const std::optional<ProviderAccess> now = usable(*theirs, 0))
                return *now;
        }
    }
    (void)store.swap(provider, row.subject, row.sealed, QString());
    m_log.write("provider_tokens_dropped", address,
                {{"user_id", QString::number(userId)},
                 {"provider", provider},
                 {"reason", fresh.error().message}});
    return Error{
        ErrorCode::InvalidProviderToken,
        u"%1 refused the kept refresh token; sign in with %1 again"_s.arg(upstream.displayName())};
}

} // namespace latchkey
