// The end of a sign-in: refusal bookkeeping, or the user and a new session.
#include "signinservice.h"

#include <latchkey/crypto.h>
#include <latchkey/username.h>

namespace latchkey {

SignInService::SignInService(SessionService &sessions, Storage &storage, AuditLog &log,
                             FailureLimiter &limiter, ProviderTokens &providerTokens,
                             const Config::Guest &guest, Clock clock)
    : m_sessions(sessions), m_storage(storage), m_log(log), m_limiter(limiter),
      m_providerTokens(providerTokens), m_guest(guest), m_clock(std::move(clock))
{
}

Result<SignInAttempt> SignInService::begin(const ClientInfo &client)
{
    return m_limiter.beginSignIn(m_storage.failures(), client.address, m_clock());
}

Result<IssuedSession> SignInService::finish(const Result<ExternalIdentity> &identity,
                                            const ClientInfo &client, QStringView provider)
{
    const Result<User> user = userFor(identity, client, provider);
    if (!user)
        return user.error();
    return m_sessions.open(*user, client);
}

Result<User> SignInService::userFor(const Result<ExternalIdentity> &identity,
                                    const ClientInfo &client, QStringView provider)
{
    m_sessions.metrics().signIn(provider, identity ? AuthMetrics::SignIn::Success
                                                   : AuthMetrics::SignIn::Failure);
    if (!identity) {
        if (identity.error().code == ErrorCode::InvalidProviderToken)
            m_limiter.recordFailure(m_storage.failures(), client.address, m_clock());
        m_log.write("login_failed", client.address, {{"reason", identity.error().message}});
        return identity.error();
    }
    const IdentityRecord record{identity->provider, identity->subject, identity->email,
                                identity->picture};
    // Without an e-mail address (Steam): "player-" and the last digits of the account's id;
    // the player picks a name later.
    const QString name = identity->email.isEmpty()
                             ? QStringLiteral("player-") + identity->subject.right(4)
                             : username::fromEmail(identity->email);
    const Result<UserStore::SignedIn> signedIn = m_storage.users().loginOrCreate(
        record, name, QDateTime::fromMSecsSinceEpoch(m_clock(), Qt::UTC));
    if (!signedIn)
        return signedIn.error();
    const User &user = signedIn->user;
    if (signedIn->created) {
        m_log.write(
            "new_user", client.address,
            {{"user_id", QString::number(user.id)}, {"name", user.name}, {"email", user.email}});
    }
    if (user.status != QLatin1StringView("banned")) {
        if (const Status kept = m_providerTokens.keep(user.id, *identity); !kept)
            return kept.error();
    }
    return user;
}

Result<IssuedSession> SignInService::guest(const ClientInfo &client)
{
    const Result<User> user = guestUser(client);
    if (!user)
        return user.error();
    return m_sessions.open(*user, client);
}

Result<User> SignInService::guestUser(const ClientInfo &client)
{
    // New guests per address and minute, counted with the failures' table under their own key
    // (every instance sees the same count).
    const qint64 now = m_clock();
    const qint64 window = FailureLimiter::windowStart(now);
    const Result<int> created = m_storage.failures().add(
        QStringLiteral("guest/") + FailureLimiter::clientKey(client.address), window);
    if (!created)
        return created.error();
    m_sessions.metrics().signIn(u"guest", *created > m_guest.perAddressPerMinute
                                              ? AuthMetrics::SignIn::Failure
                                              : AuthMetrics::SignIn::Success);
    if (*created > m_guest.perAddressPerMinute)
        return Error{ErrorCode::RateLimited,
                     QStringLiteral("too many guest accounts from this address; try again later"),
                     FailureLimiter::secondsLeft(now)};
    const QString subject =
        QString::fromLatin1(crypto::randomBytes(16).toHex()); // the guest's own identity
    const QString name = QStringLiteral("guest-") + subject.left(6);
    const Result<UserStore::SignedIn> signedIn = m_storage.users().loginOrCreate(
        {QStringLiteral("guest"), subject, QString(), QString(), true}, name,
        QDateTime::fromMSecsSinceEpoch(now, Qt::UTC));
    if (!signedIn)
        return signedIn.error();
    m_log.write("guest_created", client.address,
                {{"user_id", QString::number(signedIn->user.id)}, {"name", signedIn->user.name}});
    return signedIn->user;
}

Status SignInService::link(qint64 userId, const ExternalIdentity &identity,
                           const ClientInfo &client)
{
    const Status linked = m_storage.users().link(
        userId, {identity.provider, identity.subject, identity.email, identity.picture},
        QDateTime::fromMSecsSinceEpoch(m_clock(), Qt::UTC));
    if (!linked)
        return linked;
    m_log.write("identity_linked", client.address,
                {{"user_id", QString::number(userId)}, {"provider", identity.provider}});
    return m_providerTokens.keep(userId, identity);
}

Result<IssuedSession> SignInService::finishLink(qint64 userId,
                                                const Result<ExternalIdentity> &identity,
                                                const ClientInfo &client, QStringView provider)
{
    if (!identity)
        return finish(identity, client, provider); // logged and counted as a failed sign-in
    m_sessions.metrics().signIn(provider, AuthMetrics::SignIn::Success);
    if (const Status linked = link(userId, *identity, client); !linked)
        return linked.error();
    const Result<User> user = m_storage.users().byId(userId);
    if (!user)
        return user.error();
    return m_sessions.open(*user, client);
}

} // namespace latchkey
