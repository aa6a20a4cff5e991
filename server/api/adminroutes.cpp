// /admin/*: keyset pagination ("next" is the "after" of the following page, null at the
// end); every change goes through AccountAdmin, which audits it with the admin's id.
#include "adminroutes.h"

#include "jsonbody.h"
#include "sessionroutes.h"

#include <QJsonArray>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

void AdminRoutes::addRoutes(Router &router)
{
    const RouteRules read{.auth = Auth::Admin, .database = true};
    const RouteRules change{.body = Body::Json, .auth = Auth::Admin, .database = true};
    router.add("GET", "/admin/users", read, this, &AdminRoutes::findUsers);
    router.add("GET", "/admin/users/{id}", read, this, &AdminRoutes::user);
    router.add("PATCH", "/admin/users/{id}", change, this, &AdminRoutes::patchUser);
    router.add("DELETE", "/admin/users/{id}", read, this, &AdminRoutes::deleteUser);
    router.add("GET", "/admin/users/{id}/sessions", read, this, &AdminRoutes::userSessions);
    router.add("DELETE", "/admin/sessions/{id}", read, this, &AdminRoutes::endSession);
    router.add("GET", "/admin/audit", read, this, &AdminRoutes::audit);
}

Result<qint64> AdminRoutes::queryNumber(const FormFields &query, const QString &name,
                                        qint64 fallback, qint64 min, qint64 max)
{
    const auto it = query.constFind(name);
    if (it == query.constEnd() || it->isEmpty())
        return fallback;
    bool ok = false;
    const qint64 value = it->toLongLong(&ok);
    if (!ok || value < min || value > max)
        return Error{ErrorCode::InvalidField,
                     u"%1 must be a whole number from %2 to %3"_s.arg(name).arg(min).arg(max)};
    return value;
}

Result<qint64> AdminRoutes::queryTime(const FormFields &query, const QString &name, qint64 fallback)
{
    const auto it = query.constFind(name);
    if (it == query.constEnd() || it->isEmpty())
        return fallback;
    if (const std::optional<qint64> ms = AuditFilter::parseTime(*it))
        return *ms;
    return Error{
        ErrorCode::InvalidField,
        u"%1 must be an ISO-8601 time (2026-12-04T10:00:00Z) or Unix milliseconds"_s.arg(name)};
}

namespace {
//! The query string's fields; BadRequest for a malformed one (answered).
std::optional<FormFields> queryOf(Call &call)
{
    Result<FormFields> fields = parseForm(call.http.query);
    if (!fields) {
        call.responder.sendError(fields.error());
        return std::nullopt;
    }
    return std::move(*fields);
}

//! \a page's "next": the id to continue after, or null when the page was not full.
QJsonValue nextAfter(qsizetype count, int limit, qint64 lastId)
{
    return count == limit ? QJsonValue(lastId) : QJsonValue();
}
} // namespace

void AdminRoutes::findUsers(Call &call)
{
    const std::optional<FormFields> query = queryOf(call);
    if (!query)
        return;
    const Result<qint64> after = queryNumber(*query, u"after"_s, 0, 0, INT64_MAX);
    const Result<qint64> limit = queryNumber(*query, u"limit"_s, defaultLimit, 1, maxLimit);
    if (!after || !limit) {
        call.responder.sendError(!after ? after.error() : limit.error());
        return;
    }
    const Result<QList<User>> users =
        m_storage.operators().find(query->value(u"query"_s).trimmed(), *after, int(*limit));
    if (!users) {
        call.responder.sendError(users.error());
        return;
    }
    QJsonObject body = json::collection("users", json::list(*users, &User::toJson));
    body.insert(u"next"_s, nextAfter(users->size(), int(*limit),
                                     users->isEmpty() ? 0 : users->constLast().id));
    call.responder.send(HttpResponse::json(200, body));
}

void AdminRoutes::user(Call &call)
{
    const Result<QJsonObject> user = m_admin.describe(call.pathId);
    if (!user) {
        call.responder.sendError(user.error());
        return;
    }
    call.responder.send(HttpResponse::json(200, {{u"status"_s, u"success"_s}, {u"user"_s, *user}}));
}

namespace {
//! PATCH's body as a UserPatch; InvalidField for an unknown field or a wrong type.
Result<UserPatch> patchOf(const QJsonObject &body)
{
    static const QStringList known{u"role"_s, u"status"_s, u"reason"_s,
                                   u"name"_s, u"stars"_s,  u"level"_s};
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key()))
            return Error{ErrorCode::InvalidField, u"unknown field \"%1\"; PATCH takes %2"_s.arg(
                                                      it.key().left(40), known.join(u", "_s))};
    }
    UserPatch patch;
    for (auto [name, target] : {std::pair{"role", &patch.role}, std::pair{"status", &patch.status},
                                std::pair{"name", &patch.name}}) {
        if (!body.contains(QLatin1StringView(name)))
            continue;
        const Result<QString> text = json::stringField(body, name);
        if (!text)
            return text.error();
        *target = *text;
    }
    if (body.contains(u"reason"_s)) {
        const Result<QString> reason = json::stringField(body, "reason");
        if (!reason)
            return reason.error();
        patch.reason = reason->trimmed();
    }
    for (auto [name, target] :
         {std::pair{"stars", &patch.stars}, std::pair{"level", &patch.level}}) {
        const Result<std::optional<qint64>> number =
            json::optionalInteger(body, name, 0, std::numeric_limits<int>::max());
        if (!number)
            return number.error();
        if (*number)
            *target = int(**number);
    }
    if (body.isEmpty())
        return Error{ErrorCode::MissingField,
                     u"nothing to change; PATCH takes %1"_s.arg(known.join(u", "_s))};
    return patch;
}
} // namespace

void AdminRoutes::patchUser(Call &call)
{
    const Result<UserPatch> patch = patchOf(call.body);
    if (!patch) {
        call.responder.sendError(patch.error());
        return;
    }
    const Result<QJsonObject> user = m_admin.update(call.pathId, *patch, actor(call));
    if (!user) {
        call.responder.sendError(user.error());
        return;
    }
    call.responder.send(HttpResponse::json(200, {{u"status"_s, u"success"_s}, {u"user"_s, *user}}));
}

void AdminRoutes::deleteUser(Call &call)
{
    if (const Status removed = m_admin.remove(call.pathId, actor(call)); !removed) {
        call.responder.sendError(removed.error());
        return;
    }
    call.responder.send(HttpResponse::json(200, {{u"status"_s, u"success"_s}}));
}

void AdminRoutes::userSessions(Call &call)
{
    if (const Result<User> user = m_storage.users().byId(call.pathId); !user) {
        call.responder.sendError(user.error());
        return;
    }
    SessionRoutes::answerLiveSessions(call, m_storage, call.pathId, m_clock() / 1000);
}

void AdminRoutes::endSession(Call &call)
{
    if (const Status ended = m_admin.revokeSession(call.pathId, actor(call)); !ended) {
        call.responder.sendError(ended.error());
        return;
    }
    call.responder.send(HttpResponse::json(200, {{u"status"_s, u"success"_s}}));
}

void AdminRoutes::audit(Call &call)
{
    const std::optional<FormFields> query = queryOf(call);
    if (!query)
        return;
    const Result<qint64> user = queryNumber(*query, u"user"_s, 0, 1, INT64_MAX);
    const Result<qint64> since = queryTime(*query, u"since"_s, 0);
    const Result<qint64> until = queryTime(*query, u"until"_s, 0);
    const Result<qint64> after = queryNumber(*query, u"after"_s, 0, 1, INT64_MAX);
    const Result<qint64> limit = queryNumber(*query, u"limit"_s, defaultLimit, 1, maxLimit);
    for (const Result<qint64> *part : {&user, &since, &until, &after, &limit}) {
        if (!*part) {
            call.responder.sendError(part->error());
            return;
        }
    }
    m_log.flush(); // this worker's latest events are part of the answer
    const Result<QList<AuditEvent>> events = m_storage.audit().find(
        {*user, query->value(u"event"_s), *since, *until, *after, int(*limit)});
    if (!events) {
        call.responder.sendError(events.error());
        return;
    }
    QJsonObject body = json::collection("events", json::list(*events, &AuditStore::toJson));
    body.insert(u"next"_s, nextAfter(events->size(), int(*limit),
                                     events->isEmpty() ? 0 : events->constLast().id));
    call.responder.send(HttpResponse::json(200, body));
}

} // namespace latchkey
