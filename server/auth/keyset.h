// A provider's signing keys (its JWKS), shared by every worker thread.
#pragma once

#include <latchkey/error.h>
#include <latchkey/jwt.h>

#include <QHash>
#include <QMutex>

namespace latchkey {

//! Thread-safe. Whichever worker needs the keys first fetches them; all use them until the
//! JWKS's max-age. A failed fetch is remembered for failureHoldSecs, so a provider that is
//! down is not asked again by every sign-in on every worker (each waiting for a timeout).
class KeySet
{
public:
    static constexpr qint64 failureHoldSecs = 10;

    struct State
    {
        QHash<QString, jwt::Key> keys; //!< by kid
        qint64 fetchedAt = 0;          //!< Unix seconds of the last fetch, failed or not
        qint64 expiresAt = 0;          //!< the keys' end of life
        Status lastFetch = Done{};     //!< how the last fetch ended
    };

    State state() const;
    void storeKeys(QHash<QString, jwt::Key> keys, qint64 fetchedAt, qint64 expiresAt);
    void storeFailure(const Error &error, qint64 fetchedAt);

private:
    mutable QMutex m_mutex;
    State m_state; //!< guarded by m_mutex
};

} // namespace latchkey
