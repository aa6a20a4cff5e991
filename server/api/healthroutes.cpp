// Liveness and readiness for load balancers and orchestrators.
#include "healthroutes.h"

namespace latchkey {

void HealthRoutes::addRoutes(Router &router)
{
    // Load balancers probe these often: never rate limited.
    router.add("GET", "/health", {.limited = false}, this, &HealthRoutes::health);
    router.add("GET", "/health/ready", {.database = true, .limited = false}, this,
               &HealthRoutes::ready);
}

void HealthRoutes::health(Call &call)
{
    call.responder.send(
        HttpResponse::json(200, {{QStringLiteral("status"), QStringLiteral("ok")}}));
}

void HealthRoutes::ready(Call &call)
{
    if (!m_storage.database().ping()) {
        call.responder.sendError(Error::databaseUnavailable());
        return;
    }
    call.responder.send(
        HttpResponse::json(200, {{QStringLiteral("status"), QStringLiteral("ready")}}));
}

} // namespace latchkey
