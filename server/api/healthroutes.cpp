// Liveness and readiness for load balancers and orchestrators.
#include "healthroutes.h"

namespace latchkey {

void HealthRoutes::addRoutes(Router &router)
{
    router.add("GET", "/health", {}, this, &HealthRoutes::health);
    router.add("GET", "/health/ready", {.database = true}, this, &HealthRoutes::ready);
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
