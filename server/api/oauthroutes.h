// The sign-in broker's HTTP face (RFC 6749, 7636, 7009, 8414, 8252): /oauth/authorize and
// the chooser, /oauth/callback/{provider}, /oauth/token, /oauth/revoke, the metadata.
#pragma once

#include "router.h"

#include "http/formdata.h"

#include "auth/devicegrant.h"

namespace latchkey {

//! RFC 6749 §5.1 JSON, never cached.
HttpResponse oauthAnswer(int status, const QJsonObject &body);
//! RFC 6749 §5.2 JSON with our status/code/message beside it: 401 for invalid_client, 503
//! for temporarily_unavailable, else 400.
HttpResponse oauthRefusal(const OAuthRefusal &refusal);

class OAuthRoutes : public RouteGroup
{
public:
    OAuthRoutes(Broker &broker, DeviceGrant &devices, SessionService &sessions,
                const Config &config)
        : m_broker(broker), m_devices(devices), m_sessions(sessions), m_config(config)
    {
    }

    void addRoutes(Router &router) override;

private:
    void authorize(Call &call);
    void callback(Call &call, const QString &provider);
    void token(Call &call);
    void revoke(Call &call);
    void metadata(Call &call);
    //! The chooser for the authorization request \a query (guest only when \a offerGuest).
    HttpResponse chooser(const QByteArray &query, const Config::Client &client,
                         bool offerGuest) const;

    //! grant_type=authorization_code (RFC 6749 §4.1.3, PKCE).
    void redeemCode(Call &call, const FormFields &fields);

    Broker &m_broker;
    DeviceGrant &m_devices;
    SessionService &m_sessions;
    const Config &m_config;
};

} // namespace latchkey
