// The wire API of DESIGN.md: one ApiService per worker thread serves every route.
#pragma once

#include "auth/devidentityprovider.h"
#include "auth/failurelimiter.h"
#include "auth/googleprovider.h"
#include "auth/tokenissuer.h"
#include "config/config.h"
#include "db/database.h"
#include "db/sessionstore.h"
#include "db/userstore.h"
#include "http/responder.h"
#include "loginlog.h"

#include <clock.h>

#include <QObject>

#include <memory>

namespace latchkey {

struct HttpRequest;

//! What all workers share; thread-safe or immutable.
struct ServerContext
{
    //! \a boundHost: the address the server listens on (the development provider's issuer).
    ServerContext(const Config &config, Clock clock, const QString &boundHost = QString())
        : config(config), clock(std::move(clock)), tokens(config.security),
          limiter(config.security.failedAuthPerMinute),
          loginLog(config.server.logDir.isEmpty() ? QString()
                                                  : config.server.logDir + QStringLiteral("/login.log"),
                   config.server.jsonLogs),
          devIdp(config.dev.enabled ? std::make_unique<DevIdentityProvider>(
                                          config.dev, boundHost.isEmpty() ? config.server.host : boundHost, this->clock)
                                    : nullptr)
    {
    }

    const Config config;
    const Clock clock;
    const TokenIssuer tokens;
    FailureLimiter limiter;
    LoginLog loginLog;
    const std::unique_ptr<DevIdentityProvider> devIdp; //!< null unless providers.dev.enabled
};

class ApiService : public QObject, public RequestHandler
{
    Q_OBJECT
public:
    ApiService(ServerContext &context, int workerIndex);
    ~ApiService() override;

    void handle(const HttpRequest &request, Responder responder) override;

    //! The parts of a request a route works with.
    struct Call
    {
        const HttpRequest &http;
        Responder responder;
        QJsonObject body;
        AccessClaims auth; //!< Bearer routes only
        User user;         //!< Bearer routes only: the session's user, just read
    };

private:
    void login(Call &call);
    void refresh(Call &call);
    void updateUsername(Call &call);
    void updatePicture(Call &call);
    void me(Call &call);
    void logout(Call &call);
    void health(Call &call);
    void ready(Call &call);

    // The development identity provider (devidproutes.cpp); routed only when it is on.
    void devDiscovery(Call &call);
    void devJwks(Call &call);
    void devAuthorize(Call &call);
    void devApprove(Call &call);
    void devToken(Call &call);

    bool ensureDatabase();
    bool authenticate(Call &call);
    //! 429 with Retry-After when this client failed too often lately.
    bool refuseWhenLimited(const Call &call);
    void finishLogin(const HttpRequest &http, const Responder &responder, const ExternalIdentity &identity);
    void answerWithTokens(const Responder &responder, const User &user, qint64 sessionId, qint64 counter);
    void fail(const Call &call, const Error &error, const char *event, bool countsAsFailure);
    qint64 nowMs() const { return m_context.clock(); }

    friend struct Routes;
    ServerContext &m_context;
    int m_workerIndex;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<UserStore> m_users;
    std::unique_ptr<SessionStore> m_sessions;
    qint64 m_nextDatabaseAttemptMs = 0;
    GoogleProvider m_google;
};

} // namespace latchkey
