// Guests and linked identities: POST /api/login/guest, POST /api/identities/link,
// GET /api/identities, DELETE /api/identities/{provider}.
#pragma once

#include "router.h"

#include "auth/broker.h"

namespace latchkey {

class IdentityRoutes : public RouteGroup
{
public:
    IdentityRoutes(Broker &broker, SignInService &signIn, Storage &storage, AuditLog &log,
                   const Config &config)
        : m_broker(broker), m_signIn(signIn), m_storage(storage), m_log(log), m_config(config)
    {
    }

    void addRoutes(Router &router) override;

private:
    void guest(Call &call);
    void link(Call &call);
    void list(Call &call);
    void unlink(Call &call, const QString &provider);

    Broker &m_broker;
    SignInService &m_signIn;
    Storage &m_storage;
    AuditLog &m_log;
    const Config &m_config;
};

} // namespace latchkey
