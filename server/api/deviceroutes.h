// The device authorization grant's HTTP face (RFC 8628): POST /oauth/device_authorization for
// the device, /device and POST /device/decision for the player's browser. The device's polls
// arrive at /oauth/token (OAuthRoutes).
#pragma once

#include "router.h"

#include "auth/devicegrant.h"

namespace latchkey {

class DeviceRoutes : public RouteGroup
{
public:
    DeviceRoutes(DeviceGrant &grant, Broker &broker) : m_grant(grant), m_broker(broker) {}

    void addRoutes(Router &router) override;

private:
    void deviceAuthorization(Call &call);
    //! GET /device: the code form; with user_code the chooser; with user_code and provider
    //! the upstream sign-in.
    void page(Call &call);
    void decision(Call &call);

    DeviceGrant &m_grant;
    Broker &m_broker;
};

} // namespace latchkey
