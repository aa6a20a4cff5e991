// Route lookup and the per-route checks, in the order a request meets them.
#include "router.h"

#include "http/websocket.h"

#include <QJsonDocument>

#include <chrono>

namespace latchkey {

ClientInfo Call::client() const
{
    return {http.peer, QString::fromUtf8(http.header("user-agent"))};
}

Router::Router(Storage &storage, SessionService &sessions, ApiTokens &apiTokens,
               RequestLimiter &limiter, Clock clock)
    : m_storage(storage), m_sessions(sessions), m_apiTokens(apiTokens), m_limiter(limiter),
      m_clock(std::move(clock))
{
    m_stats.push_back(std::make_unique<RouteStats>());
    m_unmatched = m_stats.back().get();
    m_unmatched->route = "unmatched";
}

namespace {
QByteArrayView mediaTypeOf(Body body)
{
    // Body::None routes read nothing, but a body sent to them must still be JSON.
    return body == Body::Form ? QByteArrayView("application/x-www-form-urlencoded")
                              : QByteArrayView("application/json");
}

void refuseMediaType(const Responder &responder, const QByteArray &accepted)
{
    responder.sendError(
        {ErrorCode::UnsupportedMediaType, QStringLiteral("request bodies must be Content-Type: %1")
                                              .arg(QString::fromLatin1(accepted))});
}
} // namespace

void Router::add(QByteArrayView method, QByteArrayView path, RouteRules rules, Handler handler)
{
    if (!m_mediaTypes.contains(mediaTypeOf(rules.body)))
        m_mediaTypes.append(mediaTypeOf(rules.body).toByteArray());
    const qsizetype at = path.indexOf("/{id}");
    const bool takesId = at >= 0;
    // Before the misses' counters, which stay last.
    auto stats = std::make_unique<RouteStats>();
    stats->method = method.toByteArray();
    stats->route = path.toByteArray();
    RouteStats *counters = stats.get();
    m_stats.insert(m_stats.end() - 1, std::move(stats));
    m_routes.push_back({method.toByteArray(), (takesId ? path.first(at + 1) : path).toByteArray(),
                        takesId ? path.sliced(at + 5).toByteArray() : QByteArray(), takesId, rules,
                        std::move(handler), counters});
}

bool Router::Route::matches(QByteArrayView requestPath, qint64 *id) const
{
    if (!takesId)
        return path == requestPath;
    if (requestPath.size() <= path.size() + suffix.size() || !requestPath.startsWith(path) ||
        !requestPath.endsWith(suffix))
        return false;
    const QByteArrayView digits =
        requestPath.sliced(path.size(), requestPath.size() - path.size() - suffix.size());
    if (digits.isEmpty() || digits.size() > 18 || digits.front() == '0' ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    *id = digits.toLongLong();
    return true;
}

const Router::Route *Router::find(const HttpRequest &request, qint64 *id) const
{
    for (const Route &route : m_routes) {
        if (route.method == request.method && route.matches(request.path, id))
            return &route;
    }
    // RFC 9110 9.3.2: HEAD is GET without the body (the HTTP layer drops it).
    if (request.method == "HEAD") {
        for (const Route &route : m_routes) {
            if (route.method == "GET" && route.matches(request.path, id))
                return &route;
        }
    }
    return nullptr;
}

void Router::refuseUnrouted(const HttpRequest &request, const Responder &responder) const
{
    QByteArray allow; // only built for a miss, off the hot path
    qint64 id = 0;
    for (const Route &route : m_routes) {
        if (!route.matches(request.path, &id))
            continue;
        allow += (allow.isEmpty() ? "" : ", ") + route.method;
        if (route.method == "GET") // find() serves HEAD with it
            allow += ", HEAD";
    }
    if (allow.isEmpty()) {
        responder.sendError({ErrorCode::NotFound, QStringLiteral("no such endpoint")});
        return;
    }
    HttpResponse r = HttpResponse::error(
        {ErrorCode::MethodNotAllowed,
         QStringLiteral("method not allowed; use %1").arg(QString::fromLatin1(allow))});
    r.headers.emplaceBack("Allow", allow);
    responder.send(std::move(r));
}

void Router::handle(const HttpRequest &request, Responder responder)
{
    const auto start = std::chrono::steady_clock::now();
    qint64 id = 0;
    const Route *route = find(request, &id);
    responder.observe([stats = route ? route->stats : m_unmatched, start](int status) {
        stats->record(status, std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count());
    });
    // A body in a media type that no route reads is refused before routing, as unread.
    const QByteArray mediaType = request.body.isEmpty() ? QByteArray() : request.mediaType();
    if (!request.body.isEmpty() && !m_mediaTypes.contains(mediaType)) {
        refuseMediaType(responder, m_mediaTypes.join(" or "));
        return;
    }
    if (!route) {
        refuseUnrouted(request, responder);
        return;
    }
    Call call{request, std::move(responder), {}, {}, id};
    if (check(*route, mediaType, call))
        route->handler(call);
}

bool Router::check(const Route &route, const QByteArray &mediaType, Call &call)
{
    const HttpRequest &request = call.http;
    if (!request.body.isEmpty() && mediaType != mediaTypeOf(route.rules.body)) {
        refuseMediaType(call.responder, mediaTypeOf(route.rules.body).toByteArray());
        return false;
    }
    if (route.rules.body == Body::Json) {
        const QJsonDocument doc = QJsonDocument::fromJson(request.body);
        if (!doc.isObject()) {
            call.responder.sendError(
                {ErrorCode::InvalidJson, QStringLiteral("the body must be a JSON object")});
            return false;
        }
        call.body = doc.object();
    }
    const bool anonymous = route.rules.auth == Auth::None;
    const bool limited = route.rules.limited && m_limiter.enabled();
    if (limited && anonymous && !checkRate(call))
        return false;
    if (route.rules.database && !m_storage.isAvailable()) {
        call.responder.sendError(Error::databaseUnavailable());
        return false;
    }
    if (anonymous)
        return true;
    return checkBearer(call, route.rules) && (!limited || checkRate(call));
}

bool Router::checkRate(Call &call)
{
    const qint64 now = m_clock();
    const RequestLimiter::Verdict v =
        call.session.user.id != 0
            ? m_limiter.takeUser(call.session.user.id, call.session.user.role, now)
            : m_limiter.takeAddress(call.http.peer, now);
    call.responder.addHeader("X-RateLimit-Limit", QByteArray::number(v.limit));
    call.responder.addHeader("X-RateLimit-Remaining", QByteArray::number(v.remaining));
    call.responder.addHeader("X-RateLimit-Reset", QByteArray::number(v.resetSecs));
    if (v.allowed)
        return true;
    call.responder.sendError(
        {ErrorCode::RateLimited,
         QStringLiteral("too many requests; try again in %1 s").arg(v.retryAfterSecs),
         v.retryAfterSecs});
    return false;
}

namespace {
//! The token of a "latchkey.bearer.<token>" offer in Sec-WebSocket-Protocol; empty without one.
QByteArray subprotocolToken(const HttpRequest &request)
{
    for (const QByteArray &offer : offeredProtocols(request)) {
        if (offer.startsWith(bearerSubprotocol))
            return offer.sliced(bearerSubprotocol.size());
    }
    return {};
}
} // namespace

bool Router::checkBearer(Call &call, const RouteRules &rules)
{
    const Auth auth = rules.auth;
    const QByteArray header = call.http.header("authorization");
    const QByteArray offered =
        rules.subprotocolToken && header.isNull() ? subprotocolToken(call.http) : QByteArray();
    // The scheme is case-insensitive (RFC 9110 11.1): "Bearer", "bearer", "BEARER".
    if (offered.isEmpty() &&
        (header.size() < 7 || header[6] != ' ' ||
         QByteArrayView(header).first(6).compare("bearer", Qt::CaseInsensitive) != 0)) {
        call.responder.sendError(
            {ErrorCode::InvalidToken,
             rules.subprotocolToken
                 ? QStringLiteral("an Authorization: Bearer token (or the WebSocket subprotocol "
                                  "latchkey.bearer.<token>) is required")
                 : QStringLiteral("an Authorization: Bearer token is required")});
        return false;
    }
    const QByteArrayView token =
        offered.isEmpty() ? QByteArrayView(header).sliced(7).trimmed() : QByteArrayView(offered);
    Result<AuthenticatedSession> session = ApiTokens::looksLikeApiToken(token)
                                               ? m_apiTokens.authenticate(token)
                                               : m_sessions.authenticate(token);
    if (!session) {
        call.responder.sendError(session.error());
        return false;
    }
    const bool admin = auth == Auth::Admin;
    if (!session->allows(admin ? QLatin1StringView("admin") : QLatin1StringView("api"))) {
        call.responder.sendError(
            {ErrorCode::Forbidden,
             admin && session->user.role != QLatin1StringView("admin")
                 ? QStringLiteral("only admins may use /admin")
                 : QStringLiteral("this API token's scopes do not include \"%1\"")
                       .arg(admin ? QLatin1StringView("admin") : QLatin1StringView("api"))});
        return false;
    }
    call.session = std::move(*session);
    return true;
}

} // namespace latchkey
