// The sign-in broker's HTTP face (RFC 6749, 7636, 7009, 8414, 8252): /oauth/authorize and
// the chooser, /oauth/callback/{provider}, /oauth/token, /oauth/revoke, the metadata.
#pragma once

#include "router.h"

#include "auth/broker.h"

namespace latchkey {

class OAuthRoutes : public RouteGroup
{
public:
    OAuthRoutes(Broker &broker, SessionService &sessions, const Config &config)
        : m_broker(broker), m_sessions(sessions), m_config(config)
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

    Broker &m_broker;
    SessionService &m_sessions;
    const Config &m_config;
};

} // namespace latchkey
