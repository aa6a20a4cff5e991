// What all workers share: configuration, clock, token keys, the failure limiter, the
// request limiter, the provider call places, the login log, the development provider, the public
// address and the upstream providers' keys. Thread-safe or immutable.
#pragma once

#include "api/eventhub.h"
#include "auth/broker.h"
#include "auth/devidentityprovider.h"
#include "auth/failurelimiter.h"
#include "auth/keyset.h"
#include "auth/loginlog.h"
#include "auth/providercallgate.h"
#include "auth/requestlimiter.h"
#include "auth/tokenissuer.h"
#include "config/config.h"
#include "db/changelistener.h"
#include "metrics.h"

#include <latchkey/clock.h>

#include <map>
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
    RequestLimiter requests;        //!< request rate limits (security.rate_limits)
    ProviderCallGate providerCalls; //!< provider calls per client address
    KeySet googleKeys;              //!< Google's JWKS, fetched by one worker for all
    LoginLog loginLog;
    const std::unique_ptr<DevIdentityProvider> devIdp; //!< null unless providers.dev.enabled
    PublicUrl publicUrl;                               //!< its port is set once listening
    std::map<QString, KeySet> upstreamKeys;            //!< each oidc upstream's JWKS, by name
    MetricsRegistry metrics;                           //!< every worker's counters
    //! What makes cached sessions stale and what event sockets are told: this process's
    //! writes and others'.
    ChangeFeed changes;
    //! On PostgreSQL with security.session_cache_seconds > 0 or events.enabled: the other
    //! instances' changes.
    const std::unique_ptr<ChangeListener> listener;
    EventSockets eventSockets; //!< every worker's event sockets, bounded (events.max_*)
    //! The feed the workers' session caches follow; null when sessions are not cached.
    ChangeFeed *sessionCacheFeed()
    {
        return listener && config.security.sessionCacheSeconds > 0 ? &changes : nullptr;
    }
    //! Where the workers publish their own changes; null when nobody follows them.
    ChangeFeed *publishedFeed()
    {
        return config.events.enabled || sessionCacheFeed() ? &changes : nullptr;
    }
};

} // namespace latchkey
