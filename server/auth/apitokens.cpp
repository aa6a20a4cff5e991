// Making, listing, deleting and checking API tokens.
#include "apitokens.h"

#include "sessionservice.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

namespace latchkey {

namespace {
QString hashOf(QByteArrayView token)
{
    return QString::fromLatin1(base64url::encode(crypto::sha256(token)));
}

Status checkRequest(const User &user, const TokenRequest &request)
{
    if (request.name.trimmed().isEmpty() || request.name.size() > ApiTokens::maxNameLength)
        return Error{
            ErrorCode::InvalidField,
            QStringLiteral("name must be 1 to %1 characters").arg(ApiTokens::maxNameLength)};
    if (request.scopes.isEmpty())
        return Error{ErrorCode::InvalidField,
                     QStringLiteral("scopes must name at least one of \"api\", \"admin\"")};
    for (const QString &scope : request.scopes) {
        if (scope != QLatin1StringView("api") && scope != QLatin1StringView("admin"))
            return Error{ErrorCode::InvalidField,
                         QStringLiteral("unknown scope \"%1\"; scopes are \"api\" and \"admin\"")
                             .arg(scope.left(40))};
    }
    if (request.scopes.contains(QLatin1StringView("admin")) &&
        user.role != QLatin1StringView("admin"))
        return Error{ErrorCode::Forbidden,
                     QStringLiteral("only an admin may make a token with the admin scope")};
    if (request.expiresInDays < 0 || request.expiresInDays > ApiTokens::maxExpiryDays)
        return Error{ErrorCode::InvalidField,
                     QStringLiteral("expires_in_days must be 0 (never) to %1")
                         .arg(ApiTokens::maxExpiryDays)};
    return Done{};
}
} // namespace

ApiTokens::ApiTokens(Storage &storage, AuditLog &log, Clock clock)
    : m_storage(storage), m_log(log), m_clock(std::move(clock))
{
}

Result<NewApiToken> ApiTokens::create(const User &user, const TokenRequest &request,
                                      const ClientInfo &client)
{
    if (const Status valid = checkRequest(user, request); !valid)
        return valid.error();
    const qint64 now = m_clock() / 1000;
    QStringList scopes = request.scopes;
    scopes.removeDuplicates();
    NewApiToken made{{0, user.id, request.name.trimmed(), scopes, now,
                      request.expiresInDays > 0 ? now + qint64(request.expiresInDays) * 86400 : 0,
                      0},
                     prefix.data() + base64url::encode(crypto::randomBytes(32))};
    const Result<qint64> id = m_storage.tokens().insert(made.row, hashOf(made.token));
    if (!id)
        return id.error();
    made.row.id = *id;
    m_log.write("api_token_created", client.address,
                {{"user_id", QString::number(user.id)},
                 {"token_id", QString::number(*id)},
                 {"scopes", scopes.join(u' ')}});
    return made;
}

Status ApiTokens::remove(qint64 userId, qint64 id, const ClientInfo &client)
{
    if (const Status removed = m_storage.tokens().remove(userId, id); !removed)
        return removed;
    m_log.write("api_token_deleted", client.address,
                {{"user_id", QString::number(userId)}, {"token_id", QString::number(id)}});
    return Done{};
}

Result<AuthenticatedSession> ApiTokens::authenticate(QByteArrayView token)
{
    const Error invalid{ErrorCode::InvalidToken,
                        QStringLiteral("the API token is unknown, deleted or expired")};
    if (token.size() != prefix.size() + 43)
        return invalid;
    Result<std::pair<ApiTokenRow, User>> found = m_storage.tokens().byHash(hashOf(token));
    if (!found)
        return found.error().code == ErrorCode::NotFound ? invalid : found.error();
    const auto &[row, user] = *found;
    const qint64 now = m_clock() / 1000;
    if (row.expiresAt > 0 && row.expiresAt <= now)
        return invalid;
    if (user.status == QLatin1StringView("banned"))
        return SessionService::bannedError(m_storage, user.id);
    if (now - row.lastUsedAt >= touchEverySecs)
        m_storage.tokens().touch(row.id, now); // a failed touch does not refuse the call
    return AuthenticatedSession{{user.id, 0}, user, row.id, row.scopes};
}

} // namespace latchkey
