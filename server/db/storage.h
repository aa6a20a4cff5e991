// One worker thread's database: its connection, opened when first needed, and the stores on it.
#pragma once

#include "auditstore.h"
#include "credentialstore.h"
#include "database.h"
#include "devicestore.h"
#include "failurestore.h"
#include "flowstore.h"
#include "operatorstore.h"
#include "sessionstore.h"
#include "tokenstore.h"
#include "userstore.h"

#include <latchkey/clock.h>

#include <memory>

namespace latchkey {

//! Create, use and destroy on one worker thread (the connection belongs to it). While the
//! database cannot be reached, a new connection is tried at most every retryMs, so a dead
//! server does not stall every request.
class Storage
{
public:
    static constexpr qint64 retryMs = 2000;

    Storage(const Config::Database &config, QString connectionName, Clock clock);
    ~Storage();
    Storage(const Storage &) = delete;
    Storage &operator=(const Storage &) = delete;

    //! Opens the connection when it is not open yet, or reopens it when a statement lost
    //! it; false while that fails.
    bool isAvailable();
    //! Where the connection publishes the changes its stores write (Database::changed()).
    void setChangeFeed(ChangeFeed *feed);

    // Only after isAvailable() returned true.
    Database &database() { return *m_db; }
    UserStore &users() { return *m_users; }
    SessionStore &sessions() { return *m_sessions; }
    FailureStore &failures() { return *m_failures; }
    FlowStore &flows() { return *m_flows; }
    DeviceStore &devices() { return *m_devices; }
    OperatorStore &operators() { return *m_operators; }
    AuditStore &audit() { return *m_audit; }
    TokenStore &tokens() { return *m_tokens; }
    CredentialStore &credentials() { return *m_credentials; }

private:
    bool connect();
    bool reconnect();

    const Config::Database m_config;
    const QString m_connectionName;
    const Clock m_clock;
    ChangeFeed *m_feed = nullptr;
    qint64 m_nextAttemptMs = 0;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<UserStore> m_users;
    std::unique_ptr<SessionStore> m_sessions;
    std::unique_ptr<FailureStore> m_failures;
    std::unique_ptr<FlowStore> m_flows;
    std::unique_ptr<DeviceStore> m_devices;
    std::unique_ptr<OperatorStore> m_operators;
    std::unique_ptr<AuditStore> m_audit;
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<CredentialStore> m_credentials;
};

} // namespace latchkey
