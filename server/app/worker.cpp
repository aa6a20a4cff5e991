// Wiring of one worker: which services and route groups it has.
#include "worker.h"

namespace latchkey {

Worker::Worker(ServerContext &context, int index)
    : m_storage(context.config.database, QStringLiteral("latchkey-worker-%1").arg(index),
                context.clock),
      m_sessions(context.tokens, context.config.security, m_storage, context.loginLog,
                 context.limiter, context.clock),
      m_signIn(m_sessions, m_storage, context.loginLog, context.limiter, context.clock),
      m_router(m_storage, m_sessions), m_health(m_storage),
      m_devIdp(context.devIdp ? std::make_unique<DevIdpRoutes>(*context.devIdp) : nullptr),
      m_account(m_signIn, m_sessions, m_storage, context.config, context.googleKeys,
                context.devIdp.get(), context.loginLog, context.providerCalls, context.clock)
{
    m_storage.isAvailable(); // connect now rather than on the first request
    m_router.addGroup(m_account);
    m_router.addGroup(m_health);
    if (m_devIdp)
        m_router.addGroup(*m_devIdp);
}

Worker::~Worker() = default;

void Worker::handle(const HttpRequest &request, Responder responder)
{
    m_router.handle(request, std::move(responder));
}

} // namespace latchkey
