// Device codes: made here, typed by the player, answered by the player's decision, polled
// for by the device; every state in device_codes, so any instance answers any step.
#include "devicegrant.h"

#include "failurelimiter.h"

#include <latchkey/crypto.h>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

namespace {
OAuthRefusal refused(const char *error, const QString &why)
{
    return {QString::fromLatin1(error), why};
}

//! 8 characters of the alphabet, uniformly (bytes past the last whole multiple are skipped).
QString newUserCode()
{
    const auto size = DeviceGrant::alphabet.size();
    const int limit = 256 - 256 % int(size);
    QString code;
    while (code.size() < 8) {
        for (const char byte : crypto::randomBytes(16)) {
            const int value = static_cast<unsigned char>(byte);
            if (value < limit && code.size() < 8)
                code += DeviceGrant::alphabet.at(value % size);
        }
    }
    return code;
}
} // namespace

DeviceGrant::DeviceGrant(Broker &broker, Storage &storage, SessionService &sessions, AuditLog &log,
                         Clock clock)
    : m_broker(broker), m_storage(storage), m_sessions(sessions), m_log(log),
      m_clock(std::move(clock))
{
}

QString DeviceGrant::normalized(const QString &typed)
{
    QString code;
    for (const QChar c : typed) {
        if (c == u'-' || c.isSpace())
            continue;
        const QChar upper = c.toUpper();
        if (code.size() == 8 || !alphabet.contains(upper))
            return {};
        code += upper;
    }
    return code.size() == 8 ? code : QString();
}

QString DeviceGrant::formatted(const QString &userCode)
{
    return userCode.left(4) + u'-' + userCode.mid(4);
}

QString DeviceGrant::failureKey(const ClientInfo &client)
{
    return "device:"_L1 + FailureLimiter::clientKey(client.address);
}

Result<DeviceAuthorization, OAuthRefusal> DeviceGrant::authorize(const QString &clientId,
                                                                 const ClientInfo &client)
{
    const Config::Client *game = m_broker.client(clientId);
    if (!game)
        return refused("invalid_client", clientId.isEmpty() ? u"client_id is missing"_s
                                                            : u"client_id is not registered"_s);
    if (!game->device)
        return refused("invalid_client",
                       u"client %1 may not use the device grant (device: true)"_s.arg(clientId));
    const qint64 now = nowMs() / 1000;
    pruneExpired(now);
    const QString deviceCode = newSecret();
    for (int attempt = 0; attempt < 5; ++attempt) { // a taken user code: draw another
        const QString userCode = newUserCode();
        const Result<bool> stored = m_storage.devices().insert(
            secretHash(deviceCode), userCode, clientId, intervalSecs, now + lifetimeSecs);
        if (!stored)
            return refused("temporarily_unavailable", stored.error().message);
        if (!*stored)
            continue;
        m_log.write("device_code", client.address, {{"client_id", clientId}});
        const QString uri = m_broker.publicUrl() + "/device"_L1;
        return DeviceAuthorization{deviceCode,   formatted(userCode),
                                   uri,          uri + "?user_code="_L1 + formatted(userCode),
                                   lifetimeSecs, intervalSecs};
    }
    return refused("temporarily_unavailable", u"no free user code; try again"_s);
}

Result<DeviceEntry> DeviceGrant::find(const QString &typed, const ClientInfo &client)
{
    const qint64 now = nowMs();
    const QString key = failureKey(client);
    FailureStore &failures = m_storage.failures();
    const Result<int> wrong = failures.count(key, FailureLimiter::windowStart(now));
    if (!wrong)
        return wrong.error();
    if (*wrong >= wrongCodesPerMinute)
        return Error::tooManyFailures(FailureLimiter::secondsLeft(now));
    const QString userCode = normalized(typed);
    const Result<QPair<QString, QString>> found =
        userCode.isEmpty() ? Result<QPair<QString, QString>>(Error::notFound({}))
                           : m_storage.devices().pending(userCode, now / 1000);
    const Config::Client *game = found ? m_broker.client(found->second) : nullptr;
    if (game)
        return DeviceEntry{found->first, formatted(userCode), game};
    if (!found && found.error().code != ErrorCode::NotFound)
        return found.error();
    (void)failures.add(key, FailureLimiter::windowStart(now)); // a failure is logged there
    m_log.write("device_code_wrong", client.address, {});
    return Error::notFound(u"That code is not valid or has expired. Check the code your device "
                           "shows and type it again."_s);
}

Result<IssuedSession, OAuthRefusal>
DeviceGrant::poll(const QString &deviceCode, const QString &clientId, const ClientInfo &client)
{
    const QString hash = secretHash(deviceCode);
    const Result<DeviceCodeRow> row = m_storage.devices().byHash(hash);
    if (!row) {
        return row.error().code == ErrorCode::NotFound
                   ? refused("invalid_grant", u"the device code is unknown"_s)
                   : refused("temporarily_unavailable", row.error().message);
    }
    const qint64 now = nowMs();
    if (row->clientId != clientId)
        return refused("invalid_grant", u"the device code was issued to another client"_s);
    if (row->status == "done"_L1)
        return refused("invalid_grant", u"the device code was used already"_s);
    if (row->expiresAt <= now / 1000)
        return refused("expired_token", u"the device code expired; ask for a new one"_s);
    if (row->status == "denied"_L1)
        return refused("access_denied", u"the player denied the sign-in"_s);
    if (row->status == "approved"_L1) {
        const Result<qint64> userId = m_storage.devices().claim(hash);
        if (!userId)
            return refused("invalid_grant", u"the device code was used already"_s);
        const Result<User> user = m_storage.users().byId(*userId);
        if (!user)
            return refused("invalid_grant", u"the account no longer exists"_s);
        Result<IssuedSession> session = m_sessions.open(*user, client);
        if (!session)
            return refused(session.error().code == ErrorCode::AccountBanned
                               ? "access_denied"
                               : "temporarily_unavailable",
                           session.error().message);
        m_log.write("device_redeemed", client.address,
                    {{"client_id", clientId}, {"user_id", QString::number(user->id)}});
        return *session;
    }
    // Pending. RFC 8628 §3.5: polling faster than the interval is answered with slow_down,
    // and the interval grows for every later poll.
    const bool tooSoon = row->lastPollMs != 0 && now - row->lastPollMs < row->intervalSecs * 1000LL;
    const int interval = row->intervalSecs + (tooSoon ? slowDownSecs : 0);
    if (const Status recorded = m_storage.devices().polled(hash, now, interval); !recorded)
        return refused("temporarily_unavailable", recorded.error().message);
    if (tooSoon)
        return refused("slow_down", u"polled sooner than every %1 s; poll every %2 s from now"_s
                                        .arg(row->intervalSecs)
                                        .arg(interval));
    return refused("authorization_pending", u"the player has not answered yet"_s);
}

Result<DeviceDecision> DeviceGrant::decide(const QString &ticket, bool allow,
                                           const ClientInfo &client)
{
    const qint64 now = nowMs() / 1000;
    const Result<QJsonObject> consent =
        ticket.isEmpty() ? Result<QJsonObject>(Error::notFound({}))
                         : m_storage.flows().take(Broker::consentKind, secretHash(ticket), now);
    if (!consent) {
        if (consent.error().code != ErrorCode::NotFound)
            return consent.error();
        return Error{ErrorCode::BadRequest, u"This confirmation is unknown, used or expired. "
                                            "Type the code from your device again."_s};
    }
    const QString hash = consent->value("device"_L1).toString();
    const qint64 userId = consent->value("user_id"_L1).toInteger();
    const Result<DeviceCodeRow> row = m_storage.devices().byHash(hash);
    const Result<bool> decided = m_storage.devices().decide(hash, allow, userId, now);
    if (!decided)
        return decided.error();
    if (!*decided || !row)
        return Error{ErrorCode::BadRequest, u"The code on your device expired or was answered "
                                            "already. Start the sign-in again on the device."_s};
    m_log.write(allow ? "device_allowed" : "device_denied", client.address,
                {{"client_id", row->clientId}, {"user_id", QString::number(userId)}});
    const Config::Client *game = m_broker.client(row->clientId);
    return DeviceDecision{allow, game ? game->name : row->clientId};
}

void DeviceGrant::pruneExpired(qint64 nowSecs)
{
    if (nowSecs - m_prunedAt < 60)
        return;
    m_prunedAt = nowSecs;
    // A failure is logged by the store; the codes go next time.
    (void)m_storage.devices().prune(nowSecs - Broker::pendingRetentionSecs);
    (void)m_storage.failures().prune(FailureLimiter::windowStart(nowSecs * 1000));
}

} // namespace latchkey
