// SQL of the kept provider tokens: one nullable column of identities.
#include "credentialstore.h"

namespace latchkey {

namespace sql {
inline constexpr Statement keptCredentialsOfUser{
    "kept_credentials_of_user",
    "SELECT subject, credentials FROM identities WHERE user_id = ? AND provider = ?"
    " AND credentials IS NOT NULL ORDER BY created_at DESC, subject LIMIT 1"};
inline constexpr Statement keptCredentials{
    "kept_credentials", "SELECT credentials FROM identities WHERE provider = ? AND subject = ?"};
inline constexpr Statement putCredentials{
    "put_credentials",
    "UPDATE identities SET credentials = ? WHERE provider = ? AND subject = ? AND user_id = ?"};
inline constexpr Statement swapCredentials{
    "swap_credentials", "UPDATE identities SET credentials = ? WHERE provider = ? AND subject = ?"
                        " AND COALESCE(credentials, '') = ?"};
} // namespace sql

Result<KeptCredentials> CredentialStore::ofUser(qint64 userId, const QString &provider)
{
    const Result<QSqlQuery *> q =
        m_db.run(sql::keptCredentialsOfUser, {userId, provider}, "reading kept provider tokens");
    if (!q)
        return q.error();
    if (!(*q)->next())
        return Error::notFound(QStringLiteral("nothing is kept"));
    KeptCredentials kept{(*q)->value(0).toString(), (*q)->value(1).toString()};
    (*q)->finish();
    return kept;
}

Result<QString> CredentialStore::of(const QString &provider, const QString &subject)
{
    const Result<QSqlQuery *> q =
        m_db.run(sql::keptCredentials, {provider, subject}, "reading kept provider tokens");
    if (!q)
        return q.error();
    const QString sealed = (*q)->next() ? (*q)->value(0).toString() : QString();
    (*q)->finish();
    return sealed;
}

Status CredentialStore::put(qint64 userId, const QString &provider, const QString &subject,
                            const QString &sealed)
{
    const Result<QSqlQuery *> q = m_db.run(sql::putCredentials, {sealed, provider, subject, userId},
                                           "keeping provider tokens");
    if (!q)
        return q.error();
    if ((*q)->numRowsAffected() == 0)
        return Error::notFound(QStringLiteral("no such identity"));
    return Done{};
}

Result<bool> CredentialStore::swap(const QString &provider, const QString &subject,
                                   const QString &expected, const QString &replacement)
{
    const QVariant value =
        replacement.isNull() ? QVariant(QMetaType::fromType<QString>()) : QVariant(replacement);
    const Result<QSqlQuery *> q =
        m_db.run(sql::swapCredentials,
                 {value, provider, subject, expected.isNull() ? QStringLiteral("") : expected},
                 "replacing kept provider tokens");
    if (!q)
        return q.error();
    return (*q)->numRowsAffected() > 0;
}

} // namespace latchkey
