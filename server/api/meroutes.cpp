// Export: the profile, identities, every session (unmasked: the player's own data) and the
// preferences. Deletion: one DELETE, everything tied to the user goes with it, so the
// caller's tokens stop working at once; the login log keeps the user id and the event.
#include "meroutes.h"

#include "jsonbody.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

void MeRoutes::addRoutes(Router &router)
{
    router.add("GET", "/api/me/export", {.auth = Auth::Bearer, .database = true}, this,
               &MeRoutes::exportData);
    router.add("DELETE", "/api/me", {.body = Body::Json, .auth = Auth::Bearer, .database = true},
               this, &MeRoutes::deleteAccount);
}

void MeRoutes::exportData(Call &call)
{
    const User &user = call.session.user;
    const Result<QList<LinkedIdentity>> identities = m_storage.users().identities(user.id);
    const Result<QJsonArray> sessions = m_storage.sessions().exportAll(user.id);
    const Result<QByteArray> preferences = m_storage.users().preferences(user.id);
    const Result<QList<ApiTokenRow>> tokens = m_storage.tokens().ofUser(user.id);
    m_log.flush(); // this worker's latest events are part of the answer
    const Result<QList<AuditEvent>> events =
        m_storage.audit().find({user.id, {}, 0, 0, 0, maxExportedEvents});
    for (const Error *failed :
         {identities ? nullptr : &identities.error(), sessions ? nullptr : &sessions.error(),
          preferences ? nullptr : &preferences.error(), tokens ? nullptr : &tokens.error(),
          events ? nullptr : &events.error()}) {
        if (failed) {
            call.responder.sendError(*failed);
            return;
        }
    }
    HttpResponse r = HttpResponse::json(
        200, {{u"status"_s, u"success"_s},
              {u"exported_at"_s, json::time(QDateTime::fromMSecsSinceEpoch(m_clock(), Qt::UTC))},
              {u"user"_s, user.toJson()},
              {u"identities"_s, json::identities(*identities)},
              {u"sessions"_s, *sessions},
              {u"preferences"_s, QJsonDocument::fromJson(*preferences).object()},
              {u"tokens"_s, json::list(*tokens, &ApiTokenRow::toJson)},
              {u"events"_s, json::list(*events, &AuditStore::toJson)}});
    r.headers.emplaceBack("Content-Disposition", "attachment; filename=\"latchkey-export-" +
                                                     QByteArray::number(user.id) + ".json\"");
    r.headers.emplaceBack("Cache-Control", "no-store");
    call.responder.send(std::move(r));
}

void MeRoutes::deleteAccount(Call &call)
{
    const User &user = call.session.user;
    const Result<QString> confirm = json::stringField(call.body, "confirm");
    if (!confirm) {
        call.responder.sendError(confirm.error());
        return;
    }
    if (*confirm != user.name) {
        call.responder.sendError(
            {ErrorCode::InvalidField,
             u"confirm must be your username, exactly as it is (\"%1\"); nothing was deleted"_s.arg(
                 user.name)});
        return;
    }
    if (const Status removed = m_storage.users().remove(user.id); !removed) {
        call.responder.sendError(removed.error());
        return;
    }
    m_log.write("account_deleted", call.http.peer, {{"user_id", QString::number(user.id)}});
    m_log.forget(user.id);
    call.responder.send(HttpResponse::json(200, {{u"status"_s, u"success"_s}}));
}

} // namespace latchkey
