// The development identity provider's routes under /dev-idp/ (discovery, JWKS, the authorize
// form, approve, token), for a clone that has no real provider. Added only when it is on.
#pragma once

#include "router.h"

#include "auth/devidentityprovider.h"

namespace latchkey {

class DevIdpRoutes : public RouteGroup
{
public:
    explicit DevIdpRoutes(DevIdentityProvider &provider) : m_provider(provider) {}

    void addRoutes(Router &router) override;

private:
    void discovery(Call &call);
    void jwks(Call &call);
    void authorize(Call &call);
    void approve(Call &call);
    void token(Call &call);

    DevIdentityProvider &m_provider;
};

} // namespace latchkey
