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
    m_failures.reset();
    m_flows.reset();
    m_devices.reset();
    m_operators.reset();
    m_audit.reset();
    m_tokens.reset();
    m_db.reset(); // on the worker thread that opened it
}

bool Storage::isAvailable()
{
    if (m_db && !m_db->isLost())
        return true;
    if (m_clock() < m_nextAttemptMs)
        return false;
    // The first request after a loss tries at once; while that fails, one every retryMs.
    const bool connected = m_db ? reconnect() : connect();
    if (!connected)
        m_nextAttemptMs = m_clock() + retryMs;
    return connected;
}

void Storage::setChangeFeed(ChangeFeed *feed)
{
    m_feed = feed;
    if (m_db)
        m_db->setChangeFeed(feed);
}

bool Storage::connect()
{
    Result<std::unique_ptr<Database>> db = Database::open(m_config, m_connectionName);
    if (!db) {
        qCCritical(lcDb) << db.error().message;
        return false;
    }
    m_db = std::move(db).value();
    m_db->setChangeFeed(m_feed);
    m_users = std::make_unique<UserStore>(*m_db);
    m_sessions = std::make_unique<SessionStore>(*m_db);
    m_failures = std::make_unique<FailureStore>(*m_db);
    m_flows = std::make_unique<FlowStore>(*m_db);
    m_devices = std::make_unique<DeviceStore>(*m_db);
    m_operators = std::make_unique<OperatorStore>(*m_db);
    m_audit = std::make_unique<AuditStore>(*m_db);
    m_tokens = std::make_unique<TokenStore>(*m_db);
    m_credentials = std::make_unique<CredentialStore>(*m_db);
    return true;
}

bool Storage::reconnect()
{
    if (m_db->reopen()) {
        qCInfo(lcDb) << "reconnected to the database";
        return true;
    }
    qCCritical(lcDb) << "cannot reconnect to the database:"
                     << m_db->connection().lastError().text();
    return false;
}

} // namespace latchkey
