// What all workers share: configuration, clock, token keys, the failure limiter, the
// provider call places, the login log and the development provider. Thread-safe or immutable.
#pragma once

#include "auth/devidentityprovider.h"
#include "auth/failurelimiter.h"
#include "auth/keyset.h"
#include "auth/loginlog.h"
#include "auth/providercallgate.h"
#include "auth/tokenissuer.h"
#include "config/config.h"

#include <latchkey/clock.h>

#include <memory>

namespace latchkey {

struct ServerContext
{
    //! \a boundHost: the address the server listens on (the development provider's issuer).
    ServerContext(const Config &config, Clock clock, const QString &boundHost = QString());

    const Config config;
    const Clock clock;
    const TokenIssuer tokens;
    FailureLimiter limiter;
    ProviderCallGate providerCalls; //!< provider calls per client address
    KeySet googleKeys;              //!< Google's JWKS, fetched by one worker for all
    LoginLog loginLog;
    const std::unique_ptr<DevIdentityProvider> devIdp; //!< null unless providers.dev.enabled
};

} // namespace latchkey
