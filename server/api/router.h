// The route table and the checks each route declares (body media type, JSON object,
// database, failure limit, Bearer); route groups add their handlers, the router runs checks.
#pragma once

#include "auth/apitokens.h"
#include "auth/requestlimiter.h"
#include "auth/session.h"
#include "auth/sessionservice.h"
#include "db/storage.h"
#include "http/httprequest.h"
#include "http/responder.h"
#include "routestats.h"

#include <QJsonObject>

#include <functional>
#include <memory>
#include <vector>

namespace latchkey {

//! The parts of a request a handler works with, after the route's checks passed.
struct Call
{
    const HttpRequest &http;
    Responder responder;
    QJsonObject body;             //!< Body::Json routes: the parsed object
    AuthenticatedSession session; //!< Auth::Bearer routes
    qint64 pathId = 0;            //!< routes whose path ends in "/{id}": that number (> 0)

    ClientInfo client() const;
};

enum class Body {
    None, //!< the handler reads no body (one that is sent anyway must still be JSON)
    Json, //!< a JSON object (application/json)
    Form, //!< application/x-www-form-urlencoded, parsed by the handler
};
//! Bearer: a session's access token, or an API token with the "api" scope. Admin: the same
//! of an admin, an API token needing the "admin" scope; anyone else gets 403.
enum class Auth { None, Bearer, Admin };

struct RouteRules
{
    Body body = Body::None;
    Auth auth = Auth::None;
    bool database = false; //!< 503 while this worker cannot reach the database
    bool limited = true;   //!< counts against the request rate limits (health checks do not)
    //! A WebSocket route: without an Authorization header the token may come as the
    //! subprotocol "latchkey.bearer.<token>" (for engines whose WebSocket cannot set headers).
    bool subprotocolToken = false;
};

//! The Sec-WebSocket-Protocol offer that carries a token starts with this.
inline constexpr QByteArrayView bearerSubprotocol("latchkey.bearer.");

class Router;

//! A set of routes in its own file pair; adding a group touches no other group.
class RouteGroup
{
public:
    virtual ~RouteGroup() = default;
    virtual void addRoutes(Router &router) = 0;
};

//! One per worker thread, built there; the HTTP worker hands it every request.
class Router : public RequestHandler
{
public:
    using Handler = std::function<void(Call &)>;

    Router(Storage &storage, SessionService &sessions, ApiTokens &apiTokens,
           RequestLimiter &limiter, Clock clock);

    //! \a method and \a path exactly ("GET", "/api/me"); a path may have several methods. A
    //! path segment "{id}" (at most one) matches a positive decimal number (Call::pathId):
    //! "/api/sessions/{id}", "/admin/users/{id}/sessions".
    void add(QByteArrayView method, QByteArrayView path, RouteRules rules, Handler handler);
    template <typename Group>
    void add(QByteArrayView method, QByteArrayView path, RouteRules rules, Group *group,
             void (Group::*handler)(Call &))
    {
        add(method, path, rules, [group, handler](Call &call) { (group->*handler)(call); });
    }
    //! Takes \a group's routes; the group must outlive the router.
    void addGroup(RouteGroup &group) { group.addRoutes(*this); }

    void handle(const HttpRequest &request, Responder responder) override;

    //! Every route's counters, in the order of add(), then the misses' ("unmatched").
    const std::vector<std::unique_ptr<RouteStats>> &stats() const { return m_stats; }

private:
    struct Route
    {
        QByteArray method;
        QByteArray path;   //!< for an "{id}" route: the part before it, with its "/"
        QByteArray suffix; //!< an "{id}" route's part after it ("" or "/sessions")
        bool takesId = false;
        RouteRules rules;
        Handler handler;
        RouteStats *stats;

        //! Whether \a requestPath is this route's; \a id gets the number of an "/{id}" path.
        bool matches(QByteArrayView requestPath, qint64 *id) const;
    };

    const Route *find(const HttpRequest &request, qint64 *id) const;
    //! 404, or 405 with Allow when the path exists with other methods.
    void refuseUnrouted(const HttpRequest &request, const Responder &responder) const;
    //! Runs \a route's checks, filling \a call; false when one refused (and answered).
    //! \a mediaType: the body's, parsed once by handle().
    bool check(const Route &route, const QByteArray &mediaType, Call &call);
    bool checkBearer(Call &call, const RouteRules &rules);
    //! Takes one request from the caller's bucket (the user's after a Bearer check, else the
    //! address's) and adds the X-RateLimit-* headers; false when refused (answered 429).
    bool checkRate(Call &call);

    Storage &m_storage;
    SessionService &m_sessions;
    ApiTokens &m_apiTokens;
    RequestLimiter &m_limiter;
    const Clock m_clock;
    std::vector<Route> m_routes;
    std::vector<std::unique_ptr<RouteStats>> m_stats;
    RouteStats *m_unmatched;
    QByteArrayList m_mediaTypes; //!< what any route reads: JSON, and forms when a route takes them
};

} // namespace latchkey
