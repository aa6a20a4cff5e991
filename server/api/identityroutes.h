// Guests and linked identities: POST /api/login/guest, POST /api/identities/link,
// GET /api/identities, DELETE /api/identities/{provider}, and the kept provider tokens:
// GET /api/identities/{provider}/token.
#pragma once

#include "router.h"

#include "auth/broker.h"

namespace latchkey {

class IdentityRoutes : public RouteGroup
{
public:
    IdentityRoutes(Broker &broker, SignInService &signIn, ProviderTokens &providerTokens,
                   Storage &storage, AuditLog &log, const Config &config)
        : m_broker(broker), m_signIn(signIn), m_providerTokens(providerTokens), m_storage(storage),
          m_log(log), m_config(config)
    {
    }

    void addRoutes(Router &router) override;

private:
    void guest(Call &call);
    void link(Call &call);
    void list(Call &call);
    void unlink(Call &call, const QString &provider);
    void providerToken(Call &call, Upstream &upstream);

    Broker &m_broker;
    SignInService &m_signIn;
    ProviderTokens &m_providerTokens;
    Storage &m_storage;
    AuditLog &m_log;
    const Config &m_config;
};

} // namespace latchkey
