// The session policy: opening sessions, the refresh-token rotation with its grace window and
// reuse detection, the Bearer check, logout. Every route that does one of these calls here.
#pragma once

#include "auditlog.h"
#include "authmetrics.h"
#include "failurelimiter.h"
#include "session.h"
#include "sessioncache.h"
#include "tokenissuer.h"

#include "config/config.h"
#include "db/storage.h"

#include <latchkey/clock.h>

namespace latchkey {

//! One per worker thread (it uses that thread's Storage and AuditLog); the TokenIssuer and
//! the FailureLimiter are the server's shared ones.
class SessionService
{
public:
    //! \a changes: the process's feed, for the session cache (security.session_cache_seconds);
    //! null: no cache, every Bearer check reads the database.
    SessionService(const TokenIssuer &tokens, const Config::Security &security, Storage &storage,
                   AuditLog &log, FailureLimiter &limiter, Clock clock,
                   ChangeFeed *changes = nullptr);

    //! A new session for \a user (beyond security.max_sessions_per_user the oldest end);
    //! AccountBanned for a banned user (every sign-in ends here).
    Result<IssuedSession> open(const User &user, const ClientInfo &client);

    //! Rotates \a refreshToken's session one step. A token one step behind, presented within
    //! security.refresh_grace_seconds of the rotation, is a client retrying a lost answer or
    //! a concurrent refresh: it gets the current step again. Anything older is a stolen token
    //! being replayed: the whole session ends ("reuse"). Refusals are InvalidRefreshToken,
    //! logged (refresh_failed) and counted against the client's address; a token that is not
    //! ours is RateLimited while the address is over the limit (one that is ours never is).
    Result<IssuedSession> refresh(QByteArrayView refreshToken, const ClientInfo &client);

    //! The Bearer check: a valid access token whose session is live. InvalidToken otherwise;
    //! AccountBanned when the session ended because its user is banned.
    Result<AuthenticatedSession> authenticate(QByteArrayView accessToken);

    //! This worker's sign-in and refresh counters (SignInService counts into them too).
    AuthMetrics &metrics() { return m_metrics; }

    //! 403 account_banned for user \a userId, with the operator's reason when one was given.
    static Error bannedError(Storage &storage, qint64 userId);

    //! Ends the caller's own session.
    Status logout(const AuthenticatedSession &session, const ClientInfo &client);
    //! RFC 7009: ends the session of \a token (a refresh or access token of ours). A token
    //! that is not ours, or whose session ended already, is not an error.
    Status revokeToken(QByteArrayView token, const ClientInfo &client);
    //! Ends session \a sessionId for \a reason ("code_reuse").
    Status revokeSession(qint64 sessionId, const QString &reason, const ClientInfo &client);

private:
    //! The user when \a claims' session moved on by exactly one step within the grace
    //! window; otherwise the refusal (after ending the session when a token was reused).
    //! \a refusal, or AccountBanned when \a userId is banned (a ban ends every session, so
    //! an ended session is where a banned player's tokens arrive).
    Error endedSession(const Error &refusal, qint64 userId);
    //! \a outcome: set to Grace or Reuse when it is one.
    Result<User> retriedRefresh(const RefreshClaims &claims, qint64 nowSecs,
                                const ClientInfo &client, AuthMetrics::Refresh *outcome);
    IssuedSession issue(const User &user, qint64 sessionId, qint64 counter) const;
    //! Logs a refused refresh and counts it against the client's address (for every
    //! instance); returns the seconds to wait when the address was past the limit already.
    int countRefusal(const Error &error, const ClientInfo &client);
    //! countRefusal() for a token that is ours: \a error, never a 429.
    Error refused(const Error &error, const ClientInfo &client);
    qint64 nowSecs() const { return m_clock() / 1000; }

    const TokenIssuer &m_tokens;
    const Config::Security &m_security;
    Storage &m_storage;
    AuditLog &m_log;
    FailureLimiter &m_limiter;
    const Clock m_clock;
    AuthMetrics m_metrics;
    SessionCache m_cache;
};

} // namespace latchkey
