// The opening handshake of an event socket: checks in the order a client can act on them.
#include "eventroutes.h"

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

namespace {
//! The subprotocol to answer with: "latchkey.v1" when offered; else the token offer itself
//! when that is how the token came (a browser fails a socket whose offer is not answered).
QByteArray chosenProtocol(const HttpRequest &request)
{
    QByteArray bearer;
    for (const QByteArray &offer : offeredProtocols(request)) {
        if (offer == "latchkey.v1")
            return offer;
        if (offer.startsWith(bearerSubprotocol) && request.header("authorization").isNull())
            bearer = offer;
    }
    return bearer;
}
} // namespace

void EventRoutes::addRoutes(Router &router)
{
    router.add("GET", "/api/events",
               {.auth = Auth::Bearer, .database = true, .subprotocolToken = true}, this,
               &EventRoutes::open);
}

void EventRoutes::open(Call &call)
{
    if (const std::optional<QString> problem = webSocketHandshakeProblem(call.http)) {
        call.responder.addHeader("Sec-WebSocket-Version", "13");
        call.responder.sendError({ErrorCode::BadRequest, *problem});
        return;
    }
    if (call.session.tokenId != 0) {
        call.responder.sendError(
            {ErrorCode::Forbidden,
             u"live events belong to a player's session; an API token cannot open them"_s});
        return;
    }
    const quint64 epoch = m_feed.epoch(); // before the listener is found up
    if (m_remote && !m_feed.listenerUp(m_clock())) {
        call.responder.sendError(
            {ErrorCode::DatabaseUnavailable,
             u"live events are unavailable until the database's change notifications are "
             "back; try again shortly"_s,
             2});
        return;
    }
    const qint64 userId = call.session.user.id;
    switch (m_sockets.acquire(userId)) {
    case EventSockets::Refusal::PerUser:
        call.responder.sendError({ErrorCode::RateLimited,
                                  u"this player already has %1 event sockets open on this "
                                  "server; close one first"_s.arg(m_sockets.maxPerUser()),
                                  5});
        return;
    case EventSockets::Refusal::Total:
        call.responder.sendError(
            {ErrorCode::RateLimited,
             u"this server has its maximum of %1 event sockets open; try again later"_s.arg(
                 m_sockets.maxTotal()),
             5});
        return;
    case EventSockets::Refusal::None:
        break;
    }
    WebSocket *socket = call.responder.upgrade(chosenProtocol(call.http));
    if (!socket) {
        m_sockets.release(userId);
        return;
    }
    m_hub.add(socket, call.session.claims.sessionId, call.session.user, epoch);
}

} // namespace latchkey
