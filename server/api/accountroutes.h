// The account routes of the wire API (/api/*): sign-in by provider token, refresh, profile,
// logout. They translate HTTP; the policies are in auth/ (SignInService, SessionService).
#pragma once

#include "router.h"

#include "auth/auditlog.h"
#include "auth/broker.h"
#include "auth/devidentityprovider.h"
#include "auth/googleprovider.h"
#include "auth/providercallgate.h"
#include "auth/signinservice.h"
#include "auth/steamprovider.h"

#include <memory>

namespace latchkey {

class AccountRoutes : public RouteGroup
{
public:
    //! \a devIdp: the development provider, or nullptr when it is off. The Google checks
    //! run on this worker's own GoogleProvider (its network access and key cache), as many
    //! at once per client address as \a gate lets through; another provider's ID token on
    //! \a broker's upstream of that name.
    AccountRoutes(SignInService &signIn, SessionService &sessions, Storage &storage,
                  const Config &config, KeySet &googleKeys, const DevIdentityProvider *devIdp,
                  Broker &broker, AuditLog &log, ProviderCallGate &gate, Clock clock);
    ~AccountRoutes() override;

    void addRoutes(Router &router) override;

private:
    void login(Call &call);
    //! {"provider":"steam","ticket":"<hex>"} (and "link_ticket" to join an account).
    void steamLogin(Call &call);
    void refresh(Call &call);
    void updateUsername(Call &call);
    //! POST /api/update_username/steam: the username from the player's Steam persona name.
    void usernameFromSteam(Call &call);
    //! Renames \a before to \a name (already normalised) and answers; logs it.
    void rename(const Responder &responder, const QHostAddress &peer, const User &before,
                const QString &name);
    void updatePicture(Call &call);
    void me(Call &call);
    void logout(Call &call);

    SignInService &m_signIn;
    SessionService &m_sessions;
    Storage &m_storage;
    const DevIdentityProvider *m_devIdp;
    Broker &m_broker;
    AuditLog &m_log;
    ProviderCallGate &m_gate;
    const bool m_allowPrivatePictureHosts;
    GoogleProvider m_google; //!< destroyed before the rest, with any checks in flight
    std::unique_ptr<SteamProvider> m_steam; //!< only when Steam is on; destroyed first
};

} // namespace latchkey
