// Device sessions: creation (bounded per user), rotation by counter, revocation.
#pragma once

#include "database.h"

#include <latchkey/user.h>

#include <QJsonArray>

namespace latchkey {

struct SessionRecord
{
    qint64 id = 0;
    qint64 userId = 0;
    qint64 counter = 0;
    qint64 refreshedAt = 0; //!< Unix seconds
    qint64 expiresAt = 0;
    bool revoked = false;
};

//! A live session as its player sees it in GET /api/sessions.
struct DeviceSession
{
    qint64 id = 0;
    qint64 createdAt = 0;   //!< Unix seconds
    qint64 refreshedAt = 0; //!< the last refresh (the creation when none)
    QString clientIp;       //!< as recorded; masked by whoever shows it
    QString userAgent;
};

class SessionStore
{
public:
    explicit SessionStore(Database &db) : m_db(db) {}

    //! A new session; past \a maxSessions live sessions for the user, the oldest are revoked.
    Result<SessionRecord> create(qint64 userId, qint64 nowSecs, qint64 expiresAt,
                                 const QString &clientIp, const QString &userAgent,
                                 int maxSessions);

    //! The rotation: one conditional UPDATE, moving the counter from \a counter to
    //! counter + 1 if the session is live. Returns the session's user when this call did it;
    //! NotFound when another call did first or the session is revoked or expired.
    //! On PostgreSQL the update and the user read are one statement (one round trip).
    Result<User> advance(qint64 sessionId, qint64 counter, qint64 nowSecs, qint64 newExpiresAt);

    //! NotFound when there is no such session (revoked and expired ones are found).
    Result<SessionRecord> find(qint64 sessionId);
    //! Why session \a sessionId is not live at \a nowSecs: its revoke reason ("logout",
    //! "admin", "ban", "reuse", "session_limit"), "expired", or "deleted" when it is gone
    //! (with its user); empty while it is live.
    Result<QString> endReason(qint64 sessionId, qint64 nowSecs);
    Status revoke(qint64 sessionId, qint64 nowSecs, const QString &reason);
    //! Every session row of \a userId, oldest first, as JSON for the player's data export
    //! (times in Unix seconds, the address unmasked: it is the player's own data).
    Result<QJsonArray> exportAll(qint64 userId);
    //! \a userId's sessions neither revoked nor expired at \a nowSecs, oldest first.
    Result<QList<DeviceSession>> live(qint64 userId, qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace latchkey
