// Sessions per device for their player: the list (masked addresses, the caller's marked) and
// ending one; another player's session is answered like one that does not exist.
#include "sessionroutes.h"

#include "jsonbody.h"

#include <QHostAddress>
#include <QJsonArray>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

void SessionRoutes::addRoutes(Router &router)
{
    const RouteRules bearer{.auth = Auth::Bearer, .database = true};
    router.add("GET", "/api/sessions", bearer, this, &SessionRoutes::list);
    router.add("DELETE", "/api/sessions/{id}", bearer, this, &SessionRoutes::end);
}

QString SessionRoutes::maskedAddress(const QString &address)
{
    const QHostAddress ip(address);
    if (ip.isNull())
        return {};
    bool isV4 = false;
    const quint32 v4 = ip.toIPv4Address(&isV4); // also unwraps ::ffff:a.b.c.d
    if (isV4)
        return QHostAddress(v4 & 0xffffff00u).toString() + "/24"_L1;
    Q_IPV6ADDR v6 = ip.toIPv6Address();
    std::fill(std::begin(v6.c) + 8, std::end(v6.c), quint8(0));
    return QHostAddress(v6).toString() + "/64"_L1;
}

QJsonObject SessionRoutes::toJson(const DeviceSession &s, qint64 currentSessionId)
{
    return {{u"id"_s, s.id},
            {u"created_at"_s, json::time(QDateTime::fromSecsSinceEpoch(s.createdAt, Qt::UTC))},
            {u"last_refresh"_s, json::time(QDateTime::fromSecsSinceEpoch(s.refreshedAt, Qt::UTC))},
            {u"user_agent"_s, s.userAgent},
            {u"address"_s, maskedAddress(s.clientIp)},
            {u"current"_s, s.id == currentSessionId}};
}

void SessionRoutes::list(Call &call)
{
    answerLiveSessions(call, m_storage, call.session.user.id, m_clock() / 1000);
}

void SessionRoutes::answerLiveSessions(Call &call, Storage &storage, qint64 userId, qint64 nowSecs)
{
    const Result<QList<DeviceSession>> sessions = storage.sessions().live(userId, nowSecs);
    if (!sessions) {
        call.responder.sendError(sessions.error());
        return;
    }
    const qint64 current = call.session.claims.sessionId;
    call.responder.send(HttpResponse::json(
        200, json::collection("sessions", json::list(*sessions, [current](const DeviceSession &s) {
                                  return toJson(s, current);
                              }))));
}

void SessionRoutes::end(Call &call)
{
    const Result<SessionRecord> session = m_storage.sessions().find(call.pathId);
    if (!session || session->userId != call.session.user.id || session->revoked ||
        session->expiresAt <= m_clock() / 1000) {
        call.responder.sendError(session || session.error().code == ErrorCode::NotFound
                                     ? Error::notFound(u"no such session of yours"_s)
                                     : session.error());
        return;
    }
    const Status revoked =
        m_sessions.revokeSession(session->id, u"ended_by_player"_s, call.client());
    if (!revoked) {
        call.responder.sendError(revoked.error());
        return;
    }
    call.responder.send(HttpResponse::json(200, {{u"status"_s, u"success"_s}}));
}

} // namespace latchkey
