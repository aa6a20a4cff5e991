// Wiring of one worker: which services and route groups it has.
#include "worker.h"

#include "auth/devupstream.h"
#include "auth/oauth2upstream.h"
#include "auth/oidcupstream.h"

namespace latchkey {

namespace {
//! This worker's upstream providers, in the chooser's order: the configured ones, then the
//! development provider when it is on.
std::vector<std::unique_ptr<Upstream>> upstreamsFor(ServerContext &context)
{
    std::vector<std::unique_ptr<Upstream>> upstreams;
    for (const Config::Upstream &config : context.config.upstreams) {
        if (config.type == QLatin1StringView("oidc"))
            upstreams.push_back(std::make_unique<OidcUpstream>(
                config, context.upstreamKeys.at(config.name), context.clock));
        else
            upstreams.push_back(std::make_unique<OAuth2Upstream>(config));
    }
    if (context.devIdp)
        upstreams.push_back(std::make_unique<DevUpstream>(*context.devIdp));
    return upstreams;
}
} // namespace

Worker::Worker(ServerContext &context, int index)
    : m_context(context), m_index(index),
      m_storage(context.config.database, QStringLiteral("latchkey-worker-%1").arg(index),
                context.clock),
      m_audit(context.loginLog, m_storage, context.config.audit.retentionDays, context.clock),
      m_sessions(context.tokens, context.config.security, m_storage, m_audit, context.limiter,
                 context.clock, context.sessionCacheFeed()),
      m_apiTokens(m_storage, m_audit, context.clock),
      m_accountAdmin(m_storage, m_audit, context.clock),
      m_providerTokens(m_storage, m_audit, context.config.security.tokenKeys, context.clock),
      m_signIn(m_sessions, m_storage, m_audit, context.limiter, m_providerTokens,
               context.config.guest, context.clock),
      m_router(m_storage, m_sessions, m_apiTokens, context.requests, context.clock),
      m_health(m_storage),
      m_devIdp(context.devIdp ? std::make_unique<DevIdpRoutes>(*context.devIdp) : nullptr),
      m_broker(context.config, context.publicUrl, m_storage, m_sessions, m_signIn, m_audit,
               upstreamsFor(context), context.clock),
      m_deviceGrant(m_broker, m_storage, m_sessions, m_audit, context.clock),
      m_account(m_signIn, m_sessions, m_storage, context.config, context.googleKeys,
                context.devIdp.get(), m_broker, m_audit, context.providerCalls, context.clock),
      m_oauth(m_broker, m_deviceGrant, m_sessions, context.config),
      m_device(m_deviceGrant, m_broker),
      m_identity(m_broker, m_signIn, m_providerTokens, m_storage, m_audit, context.config),
      m_sessionList(m_storage, m_sessions, context.clock), m_preferences(m_storage, context.clock),
      m_me(m_storage, m_audit, context.clock), m_tokens(m_apiTokens),
      m_admin(m_storage, m_accountAdmin, m_audit, context.clock),
      m_events(context.config.events.enabled
                   ? std::make_unique<EventRoutes>(m_storage, context.changes,
                                                   context.listener != nullptr,
                                                   context.eventSockets, context.clock)
                   : nullptr)
{
    m_storage.setChangeFeed(context.publishedFeed());
    m_storage.isAvailable(); // connect now rather than on the first request
    m_router.addGroup(m_account);
    m_router.addGroup(m_health);
    m_router.addGroup(m_oauth);
    m_router.addGroup(m_device);
    m_router.addGroup(m_identity);
    m_router.addGroup(m_sessionList);
    m_router.addGroup(m_preferences);
    m_router.addGroup(m_me);
    m_router.addGroup(m_tokens);
    m_router.addGroup(m_admin);
    if (m_events)
        m_router.addGroup(*m_events);
    if (m_devIdp)
        m_router.addGroup(*m_devIdp);
    context.metrics.add(index, &m_router, &m_sessions.metrics());
}

Worker::~Worker()
{
    m_context.metrics.remove(m_index);
}

void Worker::handle(const HttpRequest &request, Responder responder)
{
    m_router.handle(request, std::move(responder));
}

} // namespace latchkey
