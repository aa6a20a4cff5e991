// Summing the workers' counters and writing them out. Label values are our own route
// patterns, statuses and provider names; they are escaped anyway (\, ", newline).
#include "metrics.h"

#include "db/database.h"
#include "http/httprequest.h"

#include <QFile>

#include <unistd.h>

namespace latchkey {

namespace {
QByteArray label(QByteArrayView value)
{
    QByteArray out;
    for (const char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c == '\n' ? QByteArray("\\n") : QByteArray(1, c);
    }
    return out;
}

void header(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

QByteArray seconds(qint64 micros)
{
    return QByteArray::number(double(micros) / 1e6, 'g', 12);
}
} // namespace

void MetricsRegistry::add(int worker, const Router *router, const AuthMetrics *auth)
{
    QMutexLocker lock(&m_mutex);
    m_workers[worker] = {router, auth};
}

void MetricsRegistry::remove(int worker)
{
    QMutexLocker lock(&m_mutex);
    m_workers.erase(worker);
}

void MetricsRegistry::setListenerUp(std::function<bool()> up)
{
    const QMutexLocker lock(&m_mutex);
    m_listenerUp = std::move(up);
}

void MetricsRegistry::setEventSockets(const EventSockets *sockets)
{
    const QMutexLocker lock(&m_mutex);
    m_eventSockets = sockets;
}

void MetricsRegistry::setConnectionCount(std::function<int()> count)
{
    QMutexLocker lock(&m_mutex);
    m_connections = std::move(count);
}

qint64 MetricsRegistry::residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.value(1).toLongLong() * ::sysconf(_SC_PAGESIZE);
}

void MetricsRegistry::renderRequests(QByteArray &out) const
{
    // Every worker has the same routes in the same order: sum them by index.
    const auto &first = m_workers.begin()->second.router->stats();
    QByteArray counts;
    QByteArray histograms;
    for (size_t r = 0; r < first.size(); ++r) {
        const QByteArray labels =
            "method=\"" + label(first[r]->method) + "\",route=\"" + label(first[r]->route) + '"';
        std::array<quint64, RouteStats::statuses.size() + RouteStats::otherStatuses> answers{};
        std::array<quint64, RouteStats::bucketMicros.size() + 1> buckets{};
        quint64 sum = 0;
        for (const auto &[index, worker] : m_workers) {
            const RouteStats &s = *worker.router->stats()[r];
            for (size_t i = 0; i < answers.size(); ++i)
                answers[i] += s.answers[i].value();
            for (size_t i = 0; i < buckets.size(); ++i)
                buckets[i] += s.buckets[i].value();
            sum += s.sumMicros.value();
        }
        for (size_t i = 0; i < answers.size(); ++i) {
            if (answers[i] > 0)
                counts += "latchkey_http_requests_total{" + labels + ",status=\"" +
                          RouteStats::statusLabel(i) + "\"} " + QByteArray::number(answers[i]) +
                          '\n';
        }
        quint64 cumulative = 0;
        for (size_t i = 0; i < buckets.size(); ++i) {
            cumulative += buckets[i];
            const QByteArray le =
                i < RouteStats::bucketMicros.size() ? seconds(RouteStats::bucketMicros[i]) : "+Inf";
            histograms += "latchkey_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
                          le + "\"} " + QByteArray::number(cumulative) + '\n';
        }
        histograms += "latchkey_http_request_duration_seconds_sum{" + labels + "} " +
                      seconds(qint64(sum)) + '\n';
        histograms += "latchkey_http_request_duration_seconds_count{" + labels + "} " +
                      QByteArray::number(cumulative) + '\n';
    }
    header(out, "latchkey_http_requests_total", "counter",
           "Requests answered, by method, route pattern and status.");
    out += counts;
    header(out, "latchkey_http_request_duration_seconds", "histogram",
           "Time from routing a request to its answer, by method and route pattern.");
    out += histograms;
}

void MetricsRegistry::renderAuth(QByteArray &out) const
{
    // Each worker numbers the providers as it meets them: sum them by name.
    std::map<QString, std::array<quint64, int(AuthMetrics::SignIn::Count)>> signIns;
    std::array<quint64, int(AuthMetrics::Refresh::Count)> refreshes{};
    std::array<quint64, 2> lookups{}; // session cache misses, hits
    for (const auto &[index, worker] : m_workers) {
        const AuthMetrics &m = *worker.auth;
        for (int p = 0; p < m.providerCount(); ++p) {
            for (int o = 0; o < int(AuthMetrics::SignIn::Count); ++o)
                signIns[m.provider(p)][o] += m.signIns(p, AuthMetrics::SignIn(o));
        }
        for (int o = 0; o < int(AuthMetrics::Refresh::Count); ++o)
            refreshes[o] += m.refreshes(AuthMetrics::Refresh(o));
        lookups[0] += m.sessionCacheLookups(false);
        lookups[1] += m.sessionCacheLookups(true);
    }
    header(out, "latchkey_sign_ins_total", "counter",
           "Sign-ins checked with a provider (or as a guest), by provider and outcome.");
    for (const auto &[provider, outcomes] : signIns) {
        static const char *const names[] = {"success", "failure"};
        for (int o = 0; o < int(AuthMetrics::SignIn::Count); ++o)
            out += "latchkey_sign_ins_total{provider=\"" + label(provider.toUtf8()) +
                   "\",outcome=\"" + names[o] + "\"} " + QByteArray::number(outcomes[o]) + '\n';
    }
    header(out, "latchkey_refreshes_total", "counter",
           "Refresh-token uses by outcome: rotated, grace (a retry inside the grace window), "
           "reuse (an old token: the session ended), refused.");
    static const char *const outcomes[] = {"rotated", "grace", "reuse", "refused"};
    for (int o = 0; o < int(AuthMetrics::Refresh::Count); ++o)
        out += QByteArray("latchkey_refreshes_total{outcome=\"") + outcomes[o] + "\"} " +
               QByteArray::number(refreshes[o]) + '\n';
    header(out, "latchkey_session_cache_lookups_total", "counter",
           "Bearer checks of a session the cache answered (hit) or sent to the database (miss; "
           "also every check while change notifications are not arriving).");
    out += "latchkey_session_cache_lookups_total{result=\"hit\"} " +
           QByteArray::number(lookups[1]) + '\n';
    out += "latchkey_session_cache_lookups_total{result=\"miss\"} " +
           QByteArray::number(lookups[0]) + '\n';
}

QByteArray MetricsRegistry::render() const
{
    QMutexLocker lock(&m_mutex);
    QByteArray out;
    if (!m_workers.empty()) {
        renderRequests(out);
        renderAuth(out);
    }
    header(out, "latchkey_database_errors_total", "counter",
           "Statements and connections that failed.");
    out += "latchkey_database_errors_total " + QByteArray::number(Database::errorCount()) + '\n';
    header(out, "latchkey_open_connections", "gauge", "Client connections open now.");
    out += "latchkey_open_connections " + QByteArray::number(m_connections ? m_connections() : 0) +
           '\n';
    if (m_listenerUp) {
        header(out, "latchkey_change_listener_up", "gauge",
               "1 while PostgreSQL's change notifications arrive (sessions may be cached).");
        out += "latchkey_change_listener_up " + QByteArray::number(m_listenerUp() ? 1 : 0) + '\n';
    }
    if (m_eventSockets) {
        header(out, "latchkey_event_sockets", "gauge", "Event sockets (GET /api/events) open now.");
        out += "latchkey_event_sockets " + QByteArray::number(m_eventSockets->open()) + '\n';
        header(out, "latchkey_events_sent_total", "counter",
               "Event messages queued to event sockets.");
        out +=
            "latchkey_events_sent_total " + QByteArray::number(m_eventSockets->sent.load()) + '\n';
        header(out, "latchkey_event_sockets_dropped_total", "counter",
               "Event sockets ended by the server: slow (the client did not read its queue), "
               "unanswered (two pings without a pong).");
        out += "latchkey_event_sockets_dropped_total{reason=\"slow\"} " +
               QByteArray::number(m_eventSockets->slowDropped.load()) + '\n';
        out += "latchkey_event_sockets_dropped_total{reason=\"unanswered\"} " +
               QByteArray::number(m_eventSockets->unanswered.load()) + '\n';
    }
    header(out, "latchkey_process_resident_memory_bytes", "gauge",
           "Resident memory of the server process.");
    out += "latchkey_process_resident_memory_bytes " + QByteArray::number(residentBytes()) + '\n';
    return out;
}

void MetricsHandler::handle(const HttpRequest &request, Responder responder)
{
    if (request.path != "/metrics") {
        responder.sendError(Error::notFound(QStringLiteral("the metrics are at /metrics")));
        return;
    }
    if (request.method != "GET" && request.method != "HEAD") {
        HttpResponse r = HttpResponse::error(
            {ErrorCode::MethodNotAllowed, QStringLiteral("method not allowed; use GET")});
        r.headers.emplaceBack("Allow", "GET, HEAD");
        responder.send(std::move(r));
        return;
    }
    HttpResponse r;
    r.contentType = "text/plain; version=0.0.4; charset=utf-8";
    r.body = m_registry.render();
    responder.send(std::move(r));
}

} // namespace latchkey
