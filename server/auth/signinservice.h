// How every sign-in ends, whichever provider vouched for the player: find or create the user,
// open a session, write the audit lines.
#pragma once

#include "auditlog.h"
#include "failurelimiter.h"
#include "identity.h"
#include "providertokens.h"
#include "sessionservice.h"

#include "db/storage.h"

#include <latchkey/clock.h>

namespace latchkey {

//! One per worker thread, beside its SessionService.
class SignInService
{
public:
    //! \a providerTokens keeps the tokens of an identity that carries them (keep_tokens).
    SignInService(SessionService &sessions, Storage &storage, AuditLog &log,
                  FailureLimiter &limiter, ProviderTokens &providerTokens,
                  const Config::Guest &guest, Clock clock);

    //! Before the provider's check: TooManyFailures while the client is past the failure
    //! limit; otherwise the sign-in counts as in progress until the attempt is gone (keep
    //! it until finish()).
    Result<SignInAttempt> begin(const ClientInfo &client);

    //! \a identity as the provider's check returned it. A refusal is logged (login_failed)
    //! and, when the provider refused the token, counted against the client's address;
    //! otherwise the identity's user (created on the first sign-in, named after the e-mail
    //! address) gets a new session.
    //! \a provider names the sign-in in the metrics ("google", "steam", an upstream's name).
    Result<IssuedSession> finish(const Result<ExternalIdentity> &identity, const ClientInfo &client,
                                 QStringView provider);
    //! finish() without the session: the broker opens it when its code is redeemed.
    Result<User> userFor(const Result<ExternalIdentity> &identity, const ClientInfo &client,
                         QStringView provider);

    //! POST /api/login/guest: a new guest user ("guest-xxxxxx") and its session. RateLimited
    //! past providers.guest.per_address_per_minute new guests from one address (all instances).
    Result<IssuedSession> guest(const ClientInfo &client);
    //! guest() without the session (the broker's "Play as guest").
    Result<User> guestUser(const ClientInfo &client);
    //! Attaches \a identity to \a userId (identity_linked in the log); IdentityInUse when
    //! another user owns it.
    Status link(qint64 userId, const ExternalIdentity &identity, const ClientInfo &client);
    //! finish() for a sign-in that carried a link ticket: \a identity joins \a userId, who
    //! gets the new session.
    Result<IssuedSession> finishLink(qint64 userId, const Result<ExternalIdentity> &identity,
                                     const ClientInfo &client, QStringView provider);

private:
    SessionService &m_sessions;
    Storage &m_storage;
    AuditLog &m_log;
    FailureLimiter &m_limiter;
    ProviderTokens &m_providerTokens;
    const Config::Guest m_guest;
    const Clock m_clock;
};

} // namespace latchkey
