// Lazy connection with a retry interval, and the stores built on it once it is open.
#include "storage.h"

#include "logging.h"

namespace latchkey {

Storage::Storage(const Config::Database &config, QString connectionName, Clock clock)
    : m_config(config), m_connectionName(std::move(connectionName)), m_clock(std::move(clock))
{
}

Storage::~Storage()
{
    m_users.reset();
    m_sessions.reset();
    m_db.reset(); // on the worker thread that opened it
}

bool Storage::isAvailable()
{
    if (m_db)
        return true;
    if (m_clock() < m_nextAttemptMs)
        return false;
    Result<std::unique_ptr<Database>> db = Database::open(m_config, m_connectionName);
    if (!db) {
        qCCritical(lcDb) << db.error().message;
        m_nextAttemptMs = m_clock() + retryMs;
        return false;
    }
    m_db = std::move(db).value();
    m_users = std::make_unique<UserStore>(*m_db);
    m_sessions = std::make_unique<SessionStore>(*m_db);
    return true;
}

} // namespace latchkey
