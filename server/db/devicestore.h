// The device authorization grant's codes (table device_codes): shared by every instance, so
// any of them answers a device's poll or the player's browser.
#pragma once

#include "database.h"

namespace latchkey {

//! One device code as a poll sees it.
struct DeviceCodeRow
{
    QString clientId;
    QString status; //!< "pending", "approved", "denied", "done"
    qint64 userId = 0;
    int intervalSecs = 0;
    qint64 lastPollMs = 0; //!< 0: never polled
    qint64 expiresAt = 0;  //!< Unix seconds
};

//! Migration 005. The broker (auth/) makes the codes and decides what a poll answers.
class DeviceStore
{
public:
    explicit DeviceStore(Database &db) : m_db(db) {}

    //! Stores a new pending code; false (and no error) when \a userCode is taken.
    Result<bool> insert(const QString &hash, const QString &userCode, const QString &clientId,
                        int intervalSecs, qint64 expiresAt);
    //! The hash and client of the pending, live code the player typed; NotFound otherwise.
    Result<QPair<QString, QString>> pending(const QString &userCode, qint64 nowSecs);
    Result<DeviceCodeRow> byHash(const QString &hash);
    //! Records a poll at \a nowMs and the interval the device must keep from now on.
    Status polled(const QString &hash, qint64 nowMs, int intervalSecs);
    //! Approves (\a userId) or denies (\a userId 0) a pending, live code; false when it was
    //! not pending and live any more.
    Result<bool> decide(const QString &hash, bool approve, qint64 userId, qint64 nowSecs);
    //! The approved code's user for the first caller; NotFound for every other.
    Result<qint64> claim(const QString &hash);
    //! Deletes the codes that expired before \a nowSecs.
    Status prune(qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace latchkey
