// Failed sign-ins and refreshes per client and minute, shared by every instance.
#pragma once

#include "database.h"

namespace latchkey {

//! The table auth_failures (migration 003): one row per client key and one-minute window.
//! FailureLimiter (auth/) decides what the counts mean.
class FailureStore
{
public:
    explicit FailureStore(Database &db) : m_db(db) {}

    //! The failures of \a clientKey in the window that starts at \a windowStartMs (0: none).
    Result<int> count(const QString &clientKey, qint64 windowStartMs);
    //! Counts one more failure; returns the window's count with it.
    Result<int> add(const QString &clientKey, qint64 windowStartMs);
    //! Deletes the windows that start before \a windowStartMs.
    Status prune(qint64 windowStartMs);

private:
    Database &m_db;
};

} // namespace latchkey
