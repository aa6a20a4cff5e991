// One worker thread's objects: its database, providers, services, router and route groups.
#pragma once

#include "servercontext.h"

#include "api/accountroutes.h"
#include "api/adminroutes.h"
#include "api/deviceroutes.h"
#include "api/devidproutes.h"
#include "api/eventroutes.h"
#include "api/healthroutes.h"
#include "api/identityroutes.h"
#include "api/meroutes.h"
#include "api/oauthroutes.h"
#include "api/preferenceroutes.h"
#include "api/router.h"
#include "api/sessionroutes.h"
#include "api/tokenroutes.h"
#include "auth/accountadmin.h"
#include "auth/apitokens.h"
#include "auth/auditlog.h"
#include "auth/sessionservice.h"
#include "auth/signinservice.h"
#include "db/storage.h"

#include <memory>

namespace latchkey {

//! Built on the worker thread by the HTTP server's handler factory; requests reach it through
//! handle(). Nothing in it is shared with another worker but the ServerContext.
class Worker : public RequestHandler
{
public:
    Worker(ServerContext &context, int index);
    ~Worker() override;

    void handle(const HttpRequest &request, Responder responder) override;

private:
    ServerContext &m_context;
    const int m_index;
    // Destruction runs backwards: the route groups (and the checks they have in flight)
    // first, the database last, on this thread.
    Storage m_storage;
    AuditLog m_audit;
    SessionService m_sessions;
    ApiTokens m_apiTokens;
    AccountAdmin m_accountAdmin;
    ProviderTokens m_providerTokens;
    SignInService m_signIn;
    Router m_router;
    HealthRoutes m_health;
    std::unique_ptr<DevIdpRoutes> m_devIdp; //!< only when the development provider is on
    Broker m_broker;
    DeviceGrant m_deviceGrant;
    AccountRoutes m_account;
    OAuthRoutes m_oauth;
    DeviceRoutes m_device;
    IdentityRoutes m_identity;
    SessionRoutes m_sessionList;
    PreferenceRoutes m_preferences;
    MeRoutes m_me;
    TokenRoutes m_tokens;
    AdminRoutes m_admin;
    std::unique_ptr<EventRoutes> m_events; //!< unless events.enabled is false
};

} // namespace latchkey
