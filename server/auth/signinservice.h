// How every sign-in ends, whichever provider vouched for the player: find or create the user,
// open a session, write the audit lines.
#pragma once

#include "failurelimiter.h"
#include "identity.h"
#include "loginlog.h"
#include "sessionservice.h"

#include "db/storage.h"

#include <latchkey/clock.h>

namespace latchkey {

//! One per worker thread, beside its SessionService.
class SignInService
{
public:
    SignInService(SessionService &sessions, Storage &storage, LoginLog &log,
                  FailureLimiter &limiter, Clock clock);

    //! Before the provider's check: TooManyFailures while the client is past the failure
    //! limit; otherwise the sign-in counts as in progress until the attempt is gone (keep
    //! it until finish()).
    Result<SignInAttempt> begin(const ClientInfo &client);

    //! \a identity as the provider's check returned it. A refusal is logged (login_failed)
    //! and, when the provider refused the token, counted against the client's address;
    //! otherwise the identity's user (created on the first sign-in, named after the e-mail
    //! address) gets a new session.
    Result<IssuedSession> finish(const Result<ExternalIdentity> &identity,
                                 const ClientInfo &client);

private:
    SessionService &m_sessions;
    Storage &m_storage;
    LoginLog &m_log;
    FailureLimiter &m_limiter;
    const Clock m_clock;
};

} // namespace latchkey
