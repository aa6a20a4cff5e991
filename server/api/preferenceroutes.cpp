// Preferences: the router checked that the body is a JSON object; here its size, then it is
// stored as compact JSON (jsonb on PostgreSQL) and read back as an object.
#include "preferenceroutes.h"

#include <QJsonDocument>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

void PreferenceRoutes::addRoutes(Router &router)
{
    router.add("GET", "/api/preferences", {.auth = Auth::Bearer, .database = true}, this,
               &PreferenceRoutes::get);
    router.add("PUT", "/api/preferences",
               {.body = Body::Json, .auth = Auth::Bearer, .database = true}, this,
               &PreferenceRoutes::put);
}

void PreferenceRoutes::get(Call &call)
{
    const Result<QByteArray> stored = m_storage.users().preferences(call.session.user.id);
    if (!stored) {
        call.responder.sendError(stored.error());
        return;
    }
    call.responder.send(
        HttpResponse::json(200, {{u"status"_s, u"success"_s},
                                 {u"preferences"_s, QJsonDocument::fromJson(*stored).object()}}));
}

void PreferenceRoutes::put(Call &call)
{
    const QByteArray json = QJsonDocument(call.body).toJson(QJsonDocument::Compact);
    if (json.size() > maxBytes) {
        call.responder.sendError(
            {ErrorCode::PayloadTooLarge,
             u"preferences are at most %1 bytes of JSON; these are %2"_s.arg(maxBytes).arg(
                 json.size())});
        return;
    }
    const Status stored =
        m_storage.users().setPreferences(call.session.user.id, json, m_clock() / 1000);
    if (!stored) {
        call.responder.sendError(stored.error());
        return;
    }
    call.responder.send(
        HttpResponse::json(200, {{u"status"_s, u"success"_s}, {u"preferences"_s, call.body}}));
}

} // namespace latchkey
