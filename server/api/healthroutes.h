// /health (the process answers) and /health/ready (and its database does).
#pragma once

#include "router.h"

namespace latchkey {

class HealthRoutes : public RouteGroup
{
public:
    explicit HealthRoutes(Storage &storage) : m_storage(storage) {}

    void addRoutes(Router &router) override;

private:
    void health(Call &call);
    void ready(Call &call);

    Storage &m_storage;
};

} // namespace latchkey
