// The shared objects, built from the configuration once at start-up.
#include "servercontext.h"

namespace latchkey {

namespace {
QString loginLogPath(const Config::Server &server)
{
    return server.logDir.isEmpty() ? QString() : server.logDir + QStringLiteral("/login.log");
}
} // namespace

ServerContext::ServerContext(const Config &config, Clock clock, const QString &boundHost)
    : config(config), clock(std::move(clock)), tokens(config.security),
      limiter(config.security.failedAuthPerMinute), requests(config.security),
      providerCalls(config.security.providerCallsPerAddress,
                    config.security.providerQueuePerAddress),
      loginLog(loginLogPath(config.server), config.server.jsonLogs),
      devIdp(
          config.dev.enabled
              ? std::make_unique<DevIdentityProvider>(
                    config.dev, boundHost.isEmpty() ? config.server.host : boundHost, this->clock)
              : nullptr),
      publicUrl(config.server),
      listener(config.database.driver == QLatin1StringView("postgres") &&
                       (config.security.sessionCacheSeconds > 0 || config.events.enabled)
                   ? std::make_unique<ChangeListener>(config.database, changes, this->clock)
                   : nullptr),
      eventSockets(config.events.maxPerUser, config.events.maxSockets)
{
    for (const Config::Upstream &upstream : config.upstreams)
        upstreamKeys.try_emplace(upstream.name);
}

} // namespace latchkey
