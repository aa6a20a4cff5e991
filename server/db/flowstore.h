// The sign-in broker's pending steps (table oauth_pending): stored by the hash of their
// secret, used once, expiring, shared by every instance.
#pragma once

#include "database.h"

#include <QJsonObject>

namespace latchkey {

//! Migration 004. FlowStore keeps what a step carries as a JSON object; the broker (auth/)
//! decides what the steps are and hashes their secrets.
class FlowStore
{
public:
    explicit FlowStore(Database &db) : m_db(db) {}

    //! Stores a step of \a kind ("request", "code", "link") under \a hash until \a expiresAt
    //! (Unix seconds).
    Status put(QLatin1StringView kind, const QString &hash, const QJsonObject &data,
               qint64 expiresAt);
    //! Uses the step: its data for the first caller before it expired; NotFound otherwise
    //! (unknown, expired or used already), decided by one conditional UPDATE.
    Result<QJsonObject> take(QLatin1StringView kind, const QString &hash, qint64 nowSecs);
    //! For a step take() refused: the session it opened when it was used (0 when none);
    //! NotFound when it was never used.
    Result<qint64> usedBy(QLatin1StringView kind, const QString &hash);
    //! Records the session a used step opened.
    Status setSession(const QString &hash, qint64 sessionId);
    //! Deletes the steps that expired before \a nowSecs.
    Status prune(qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace latchkey
