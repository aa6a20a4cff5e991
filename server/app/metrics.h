// GET /metrics in the Prometheus text format (0.0.4), on its own listener
// (server.metrics_listen): requests by route and status with latency histograms, sign-ins by
// provider and outcome, refreshes by outcome, database errors, open connections, the
// process's resident memory. Counters live in each worker and are summed at scrape time.
#pragma once

#include "api/eventhub.h"
#include "api/router.h"
#include "auth/authmetrics.h"
#include "http/responder.h"

#include <QMutex>

#include <functional>
#include <map>

namespace latchkey {

//! Thread-safe: workers register on their threads, the scrape reads on its own.
class MetricsRegistry
{
public:
    //! A worker's counters; both must stay alive until remove().
    void add(int worker, const Router *router, const AuthMetrics *auth);
    void remove(int worker);
    //! Where the open connections are counted (the HTTP server, once it exists).
    void setConnectionCount(std::function<int()> count);
    //! Whether change notifications arrive (only where there is a listener).
    void setListenerUp(std::function<bool()> up);
    //! The event sockets' counters (when events are on; must outlive the registry's use).
    void setEventSockets(const EventSockets *sockets);

    //! The exposition text.
    QByteArray render() const;

    //! This process's resident set, from /proc/self/statm (0 where it cannot be read).
    static qint64 residentBytes();

private:
    struct Worker
    {
        const Router *router;
        const AuthMetrics *auth;
    };
    void renderRequests(QByteArray &out) const;
    void renderAuth(QByteArray &out) const;

    mutable QMutex m_mutex;
    std::map<int, Worker> m_workers;
    std::function<int()> m_connections;
    std::function<bool()> m_listenerUp;
    const EventSockets *m_eventSockets = nullptr;
};

//! The metrics listener's only handler: GET (or HEAD) /metrics; 404 for anything else.
class MetricsHandler : public RequestHandler
{
public:
    explicit MetricsHandler(const MetricsRegistry &registry) : m_registry(registry) {}
    void handle(const HttpRequest &request, Responder responder) override;

private:
    const MetricsRegistry &m_registry;
};

} // namespace latchkey
