// The end of a sign-in: refusal bookkeeping, or the user and a new session.
#include "signinservice.h"

#include <latchkey/username.h>

namespace latchkey {

SignInService::SignInService(SessionService &sessions, Storage &storage, LoginLog &log,
                             FailureLimiter &limiter, Clock clock)
    : m_sessions(sessions), m_storage(storage), m_log(log), m_limiter(limiter),
      m_clock(std::move(clock))
{
}

Result<SignInAttempt> SignInService::begin(const ClientInfo &client)
{
    return m_limiter.beginSignIn(m_storage.failures(), client.address, m_clock());
}

Result<IssuedSession> SignInService::finish(const Result<ExternalIdentity> &identity,
                                            const ClientInfo &client)
{
    if (!identity) {
        if (identity.error().code == ErrorCode::InvalidProviderToken)
            m_limiter.recordFailure(m_storage.failures(), client.address, m_clock());
        m_log.write("login_failed", client.address, {{"reason", identity.error().message}});
        return identity.error();
    }
    const IdentityRecord record{identity->provider, identity->subject, identity->email,
                                identity->picture};
    const Result<UserStore::SignedIn> signedIn =
        m_storage.users().loginOrCreate(record, username::fromEmail(identity->email),
                                        QDateTime::fromMSecsSinceEpoch(m_clock(), Qt::UTC));
    if (!signedIn)
        return signedIn.error();
    const User &user = signedIn->user;
    if (signedIn->created) {
        m_log.write(
            "new_user", client.address,
            {{"user_id", QString::number(user.id)}, {"name", user.name}, {"email", user.email}});
    }
    return m_sessions.open(user, client);
}

} // namespace latchkey
