// The player's preferences (seed 000): GET /api/preferences and PUT /api/preferences, one
// JSON object of at most 16 KiB that the game keeps for the player across devices.
#pragma once

#include "router.h"

#include "db/storage.h"

#include <latchkey/clock.h>

namespace latchkey {

class PreferenceRoutes : public RouteGroup
{
public:
    static constexpr qsizetype maxBytes = 16 * 1024;

    PreferenceRoutes(Storage &storage, Clock clock) : m_storage(storage), m_clock(std::move(clock))
    {
    }

    void addRoutes(Router &router) override;

private:
    void get(Call &call);
    void put(Call &call);

    Storage &m_storage;
    const Clock m_clock;
};

} // namespace latchkey
