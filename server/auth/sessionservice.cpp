// Session policy on top of the session store: what a refresh, a reuse and a logout mean.
#include "sessionservice.h"

namespace latchkey {

namespace {
AuditLog::Field userField(qint64 userId)
{
    return {"user_id", QString::number(userId)};
}

AuditLog::Field sessionField(qint64 sessionId)
{
    return {"session", QString::number(sessionId)};
}
} // namespace

SessionService::SessionService(const TokenIssuer &tokens, const Config::Security &security,
                               Storage &storage, AuditLog &log, FailureLimiter &limiter,
                               Clock clock, ChangeFeed *changes)
    : m_tokens(tokens), m_security(security), m_storage(storage), m_log(log), m_limiter(limiter),
      m_clock(std::move(clock)), m_cache(changes, security.sessionCacheSeconds)
{
}

IssuedSession SessionService::issue(const User &user, qint64 sessionId, qint64 counter) const
{
    return {user, sessionId, m_tokens.accessToken(user.id, sessionId, nowSecs()),
            m_tokens.refreshToken(sessionId, counter), m_tokens.accessTokenLifetimeSecs()};
}

int SessionService::countRefusal(const Error &error, const ClientInfo &client)
{
    m_log.write("refresh_failed", client.address, {{"reason", error.message}});
    return m_limiter.recordFailure(m_storage.failures(), client.address, m_clock());
}

Error SessionService::refused(const Error &error, const ClientInfo &client)
{
    countRefusal(error, client); // the token is ours: never held back by the limit
    return error;
}

Error SessionService::bannedError(Storage &storage, qint64 userId)
{
    const Result<Standing> standing = storage.operators().standing(userId);
    if (!standing)
        return standing.error().code == ErrorCode::NotFound
                   ? Error{ErrorCode::InvalidToken, QStringLiteral("the account was deleted")}
                   : standing.error();
    return {ErrorCode::AccountBanned,
            standing->banReason.isEmpty()
                ? QStringLiteral("this account is banned")
                : QStringLiteral("this account is banned: %1").arg(standing->banReason)};
}

Error SessionService::endedSession(const Error &refusal, qint64 userId)
{
    const Result<Standing> standing = m_storage.operators().standing(userId);
    if (standing && standing->status == QLatin1StringView("banned"))
        return bannedError(m_storage, userId);
    return refusal;
}

Result<IssuedSession> SessionService::open(const User &user, const ClientInfo &client)
{
    if (user.status == QLatin1StringView("banned")) {
        m_log.write("login_refused", client.address,
                    {userField(user.id), {"reason", QStringLiteral("banned")}});
        return bannedError(m_storage, user.id);
    }
    const qint64 now = nowSecs();
    const Result<SessionRecord> session = m_storage.sessions().create(
        user.id, now, now + m_tokens.refreshLifetimeSecs(), client.address.toString(),
        client.userAgent, m_security.maxSessionsPerUser);
    if (!session)
        return session.error();
    m_log.write("login", client.address, {userField(user.id), sessionField(session->id)});
    return issue(user, session->id, session->counter);
}

Result<IssuedSession> SessionService::refresh(QByteArrayView refreshToken, const ClientInfo &client)
{
    const Result<RefreshClaims> claims = m_tokens.verifyRefreshToken(refreshToken);
    if (!claims) {
        m_metrics.refresh(AuthMetrics::Refresh::Refused);
        // Only a token that is not ours can be a guess: those wait out the failure limit.
        // One whose MAC verifies is never held back by it, so one attacker behind a NAT
        // cannot lock out the players who share its address.
        if (const int wait = m_limiter.knownWait(client.address, m_clock()))
            return Error::tooManyFailures(wait);
        if (const int wait = countRefusal(claims.error(), client))
            return Error::tooManyFailures(wait);
        return claims.error();
    }
    const qint64 now = nowSecs();
    Result<User> user = m_storage.sessions().advance(claims->sessionId, claims->counter, now,
                                                     now + m_tokens.refreshLifetimeSecs());
    AuthMetrics::Refresh outcome = AuthMetrics::Refresh::Rotated;
    if (!user && user.error().code == ErrorCode::NotFound) {
        outcome = AuthMetrics::Refresh::Refused;
        user = retriedRefresh(*claims, now, client, &outcome); // lost the race, or an old token
    }
    m_metrics.refresh(
        user || outcome == AuthMetrics::Refresh::Reuse ? outcome : AuthMetrics::Refresh::Refused);
    if (!user)
        return user.error();
    m_log.write("refresh", client.address, {userField(user->id), sessionField(claims->sessionId)});
    return issue(*user, claims->sessionId, claims->counter + 1);
}

Result<User> SessionService::retriedRefresh(const RefreshClaims &claims, qint64 now,
                                            const ClientInfo &client, AuthMetrics::Refresh *outcome)
{
    const Result<SessionRecord> session = m_storage.sessions().find(claims.sessionId);
    if (!session && session.error().code != ErrorCode::NotFound)
        return session.error();
    if (!session || session->revoked || session->expiresAt <= now) {
        const Error refusal = refused(invalidRefreshToken(), client);
        return session && session->revoked ? endedSession(refusal, session->userId) : refusal;
    }
    const bool oneStepBehind = session->counter == claims.counter + 1;
    if (!oneStepBehind || now - session->refreshedAt > m_security.refreshGraceSeconds) {
        if (session->counter > claims.counter) {
            const Status revoked =
                m_storage.sessions().revoke(session->id, now, QStringLiteral("reuse"));
            if (!revoked)
                return revoked.error();
            m_log.write("refresh_reuse", client.address,
                        {userField(session->userId), sessionField(session->id)});
            *outcome = AuthMetrics::Refresh::Reuse;
        }
        return refused(
            {ErrorCode::InvalidRefreshToken,
             QStringLiteral("the refresh token was already used; the session has been ended")},
            client);
    }
    const Result<User> owner = m_storage.users().byId(session->userId);
    if (!owner && owner.error().code == ErrorCode::NotFound)
        return refused(invalidRefreshToken(), client);
    *outcome = AuthMetrics::Refresh::Grace;
    return owner;
}

Result<AuthenticatedSession> SessionService::authenticate(QByteArrayView accessToken)
{
    const qint64 nowMs = m_clock();
    const qint64 now = nowMs / 1000;
    const Result<AccessClaims> claims = m_tokens.verifyAccessToken(accessToken, now);
    if (!claims)
        return claims.error();
    if (m_cache.isEnabled()) {
        std::optional<User> cached = m_cache.find(claims->sessionId, claims->userId, nowMs);
        m_metrics.sessionCache(cached.has_value());
        if (cached)
            return AuthenticatedSession{*claims, std::move(*cached), 0, {}};
    }
    const SessionCache::Ticket ticket = m_cache.ticket();
    const Result<LiveSession> live =
        m_storage.users().byLiveSession(claims->sessionId, claims->userId, now);
    if (!live && live.error().code == ErrorCode::NotFound)
        return endedSession({ErrorCode::InvalidToken, QStringLiteral("the session has ended")},
                            claims->userId);
    if (!live)
        return live.error();
    m_cache.put(claims->sessionId, live->user, live->expiresAt, nowMs, ticket);
    return AuthenticatedSession{*claims, live->user, 0, {}};
}

Status SessionService::logout(const AuthenticatedSession &session, const ClientInfo &client)
{
    if (session.tokenId != 0)
        return Error{ErrorCode::InvalidField,
                     QStringLiteral("an API token has no session to end; DELETE "
                                    "/api/tokens/%1 revokes the token")
                         .arg(session.tokenId)};
    const Status revoked =
        m_storage.sessions().revoke(session.claims.sessionId, nowSecs(), QStringLiteral("logout"));
    if (!revoked)
        return revoked;
    m_log.write("logout", client.address,
                {userField(session.user.id), sessionField(session.claims.sessionId)});
    return Done{};
}

Status SessionService::revokeToken(QByteArrayView token, const ClientInfo &client)
{
    qint64 sessionId = 0;
    if (const Result<RefreshClaims> refresh = m_tokens.verifyRefreshToken(token))
        sessionId = refresh->sessionId;
    else if (const Result<AccessClaims> access = m_tokens.verifyAccessToken(token, nowSecs()))
        sessionId = access->sessionId;
    if (sessionId == 0)
        return Done{}; // RFC 7009 §2.2: an invalid token needs no revoking
    return revokeSession(sessionId, QStringLiteral("revoked"), client);
}

Status SessionService::revokeSession(qint64 sessionId, const QString &reason,
                                     const ClientInfo &client)
{
    const Status revoked = m_storage.sessions().revoke(sessionId, nowSecs(), reason);
    if (!revoked)
        return revoked;
    m_log.write("session_revoked", client.address, {sessionField(sessionId), {"reason", reason}});
    return Done{};
}

} // namespace latchkey
