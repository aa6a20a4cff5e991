// GET /api/events: a player's session opens a WebSocket and is told, as they happen, that it
// ended (session_revoked), that the player's row changed (user_updated) or that an identity
// was linked (identity_linked), whichever instance or tool made the change.
#pragma once

#include "eventhub.h"
#include "router.h"

namespace latchkey {

class EventRoutes : public RouteGroup
{
public:
    //! \a remote: whether other instances' changes must be heard (PostgreSQL); while they are
    //! not (ChangeFeed::listenerUp()), no socket opens (503).
    EventRoutes(Storage &storage, ChangeFeed &feed, bool remote, EventSockets &sockets, Clock clock)
        : m_hub(storage, feed, sockets, clock), m_feed(feed), m_remote(remote), m_sockets(sockets),
          m_clock(std::move(clock))
    {
    }

    void addRoutes(Router &router) override;

private:
    void open(Call &call);

    EventHub m_hub;
    const ChangeFeed &m_feed;
    const bool m_remote;
    EventSockets &m_sockets;
    const Clock m_clock;
};

} // namespace latchkey
