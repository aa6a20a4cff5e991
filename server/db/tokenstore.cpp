// SQL of API tokens. Scopes are kept as one space-separated text column.
#include "tokenstore.h"

#include "operatorstatements.h"
#include "userrow.h"

#include <QDateTime>
#include <QJsonArray>

namespace latchkey {

namespace {
//! The token columns of apiTokensOfUser and apiTokenByHash (0 … 6).
ApiTokenRow tokenFromRow(const QSqlQuery &q)
{
    return {q.value(0).toLongLong(), q.value(1).toLongLong(),
            q.value(2).toString(),   q.value(3).toString().split(u' ', Qt::SkipEmptyParts),
            q.value(4).toLongLong(), q.value(5).toLongLong(),
            q.value(6).toLongLong()};
}

QJsonValue timeOrNull(qint64 secs)
{
    return secs > 0 ? QJsonValue(QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate))
                    : QJsonValue();
}
} // namespace

QJsonObject ApiTokenRow::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("scopes"), QJsonArray::fromStringList(scopes)},
            {QStringLiteral("created_at"), timeOrNull(createdAt)},
            {QStringLiteral("expires_at"), timeOrNull(expiresAt)},
            {QStringLiteral("last_used_at"), timeOrNull(lastUsedAt)}};
}

Result<qint64> TokenStore::insert(const ApiTokenRow &t, const QString &hash)
{
    const Result<QSqlQuery *> q = m_db.run(
        sql::insertApiToken,
        {t.userId, t.name, hash, t.scopes.join(u' '), t.createdAt,
         t.expiresAt > 0 ? QVariant(t.expiresAt) : QVariant(QMetaType::fromType<qint64>())},
        "creating an API token");
    if (!q)
        return q.error();
    const qint64 id = (*q)->next() ? (*q)->value(0).toLongLong() : 0;
    (*q)->finish();
    return id;
}

Result<QList<ApiTokenRow>> TokenStore::ofUser(qint64 userId)
{
    const Result<QSqlQuery *> q = m_db.run(sql::apiTokensOfUser, {userId}, "listing API tokens");
    if (!q)
        return q.error();
    QList<ApiTokenRow> tokens;
    while ((*q)->next())
        tokens.append(tokenFromRow(**q));
    (*q)->finish();
    return tokens;
}

Status TokenStore::remove(qint64 userId, qint64 id)
{
    const Result<QSqlQuery *> q =
        m_db.run(sql::deleteApiToken, {id, userId}, "deleting an API token");
    if (!q)
        return q.error();
    if ((*q)->numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("no such API token"));
    return Done{};
}

Result<std::pair<ApiTokenRow, User>> TokenStore::byHash(const QString &hash)
{
    const Result<QSqlQuery *> q = m_db.run(sql::apiTokenByHash, {hash}, "checking an API token");
    if (!q)
        return q.error();
    if (!(*q)->next()) {
        (*q)->finish();
        return Error::notFound(QStringLiteral("no such API token"));
    }
    std::pair<ApiTokenRow, User> found{tokenFromRow(**q), userFromRow(**q, 7)};
    (*q)->finish();
    return found;
}

Status TokenStore::touch(qint64 id, qint64 nowSecs)
{
    const Result<QSqlQuery *> q =
        m_db.run(sql::touchApiToken, {nowSecs, id}, "recording an API token's use");
    if (!q)
        return q.error();
    return Done{};
}

} // namespace latchkey
