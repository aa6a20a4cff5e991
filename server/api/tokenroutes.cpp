// {"name","scopes":["api"|"admin"],"expires_in_days"} → {"id","token","name","scopes",…}.
// A token may make tokens only within its own scopes.
#include "tokenroutes.h"

#include "jsonbody.h"

#include <QJsonArray>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

void TokenRoutes::addRoutes(Router &router)
{
    router.add("POST", "/api/tokens", {.body = Body::Json, .auth = Auth::Bearer, .database = true},
               this, &TokenRoutes::create);
    router.add("GET", "/api/tokens", {.auth = Auth::Bearer, .database = true}, this,
               &TokenRoutes::list);
    router.add("DELETE", "/api/tokens/{id}", {.auth = Auth::Bearer, .database = true}, this,
               &TokenRoutes::remove);
}

namespace {
Result<TokenRequest> requestOf(const QJsonObject &body)
{
    const Result<QString> name = json::stringField(body, "name");
    if (!name)
        return name.error();
    const QJsonValue scopes = body.value("scopes"_L1);
    if (!scopes.isUndefined() && !scopes.isArray())
        return Error{ErrorCode::InvalidField, u"scopes must be an array, e.g. [\"api\"]"_s};
    TokenRequest request{*name, {u"api"_s}, 0};
    if (scopes.isArray()) {
        request.scopes.clear();
        for (const QJsonValue &scope : scopes.toArray()) {
            if (!scope.isString())
                return Error{ErrorCode::InvalidField, u"scopes must hold strings"_s};
            request.scopes.append(scope.toString());
        }
    }
    const Result<std::optional<qint64>> days =
        json::optionalInteger(body, "expires_in_days", 0, ApiTokens::maxExpiryDays);
    if (!days)
        return days.error();
    request.expiresInDays = int(days->value_or(0));
    return request;
}
} // namespace

void TokenRoutes::create(Call &call)
{
    const Result<TokenRequest> request = requestOf(call.body);
    if (!request) {
        call.responder.sendError(request.error());
        return;
    }
    for (const QString &scope : request->scopes) {
        if (call.session.tokenId != 0 && !call.session.scopes.contains(scope)) {
            call.responder.sendError(
                {ErrorCode::Forbidden,
                 u"an API token can only make tokens within its own scopes"_s});
            return;
        }
    }
    const Result<NewApiToken> made = m_tokens.create(call.session.user, *request, call.client());
    if (!made) {
        call.responder.sendError(made.error());
        return;
    }
    QJsonObject body = made->row.toJson();
    body.insert(u"status"_s, u"success"_s);
    body.insert(u"token"_s, QString::fromLatin1(made->token));
    HttpResponse r = HttpResponse::json(201, body);
    r.headers.emplaceBack("Cache-Control", "no-store");
    call.responder.send(std::move(r));
}

void TokenRoutes::list(Call &call)
{
    const Result<QList<ApiTokenRow>> tokens = m_tokens.list(call.session.user.id);
    if (!tokens) {
        call.responder.sendError(tokens.error());
        return;
    }
    call.responder.send(HttpResponse::json(
        200, json::collection("tokens", json::list(*tokens, &ApiTokenRow::toJson))));
}

void TokenRoutes::remove(Call &call)
{
    if (const Status removed = m_tokens.remove(call.session.user.id, call.pathId, call.client());
        !removed) {
        call.responder.sendError(removed.error());
        return;
    }
    call.responder.send(HttpResponse::json(200, {{u"status"_s, u"success"_s}}));
}

} // namespace latchkey
