// Guest sign-in and the identities of the caller's account.
#include "identityroutes.h"

#include "jsonbody.h"

#include <QJsonArray>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

void IdentityRoutes::addRoutes(Router &router)
{
    const RouteRules bearer{.auth = Auth::Bearer, .database = true};
    router.add("POST", "/api/login/guest", {.database = true}, this, &IdentityRoutes::guest);
    router.add("POST", "/api/identities/link", bearer, this, &IdentityRoutes::link);
    router.add("GET", "/api/identities", bearer, this, &IdentityRoutes::list);
    // One route per provider an identity can come from: any other name is 404.
    QStringList providers{u"guest"_s, u"google"_s, u"dev"_s};
    if (m_config.steam.enabled())
        providers.append(u"steam"_s);
    for (const auto &upstream : m_broker.upstreams()) {
        if (!providers.contains(upstream->name()))
            providers.append(upstream->name());
    }
    for (const QString &provider : providers) {
        router.add("DELETE", u"/api/identities/%1"_s.arg(provider).toUtf8(), bearer,
                   [this, provider](Call &call) { unlink(call, provider); });
    }
    for (const Config::Upstream &kept : m_config.upstreams) {
        Upstream *upstream = kept.keepTokens ? m_broker.upstream(kept.name) : nullptr;
        if (upstream) {
            router.add("GET", u"/api/identities/%1/token"_s.arg(kept.name).toUtf8(), bearer,
                       [this, upstream](Call &call) { providerToken(call, *upstream); });
        }
    }
}

void IdentityRoutes::guest(Call &call)
{
    if (!m_config.guest.enabled) {
        call.responder.sendError(Error::notFound(u"guest sign-in is turned off on this server"_s));
        return;
    }
    const Result<IssuedSession> session = m_signIn.guest(call.client());
    if (session)
        call.responder.send(json::session(*session));
    else
        call.responder.sendError(session.error());
}

void IdentityRoutes::link(Call &call)
{
    const Result<QString> ticket = m_broker.linkTicket(call.session.user.id);
    if (!ticket) {
        call.responder.sendError(ticket.error());
        return;
    }
    call.responder.send(
        HttpResponse::json(200, {{u"status"_s, u"success"_s},
                                 {u"link_ticket"_s, *ticket},
                                 {u"expires_in"_s, int(Broker::linkTicketLifetimeSecs)}}));
}

void IdentityRoutes::list(Call &call)
{
    const Result<QList<LinkedIdentity>> identities =
        m_storage.users().identities(call.session.user.id);
    if (!identities) {
        call.responder.sendError(identities.error());
        return;
    }
    call.responder.send(
        HttpResponse::json(200, json::collection("identities", json::identities(*identities))));
}

void IdentityRoutes::unlink(Call &call, const QString &provider)
{
    const Status removed = m_storage.users().unlink(call.session.user.id, provider);
    if (!removed) {
        call.responder.sendError(removed.error());
        return;
    }
    m_log.write("identity_unlinked", call.http.peer,
                {{"user_id", QString::number(call.session.user.id)}, {"provider", provider}});
    call.responder.send(HttpResponse::json(200, {{u"status"_s, u"success"_s}}));
}

void IdentityRoutes::providerToken(Call &call, Upstream &upstream)
{
    m_providerTokens.access(
        call.session.user.id, upstream, call.http.peer,
        [responder = call.responder, provider = upstream.name()](Result<ProviderAccess> access) {
            if (!access) {
                responder.sendError(access.error());
                return;
            }
            QJsonObject body{{u"status"_s, u"success"_s},
                             {u"provider"_s, provider},
                             {u"access_token"_s, access->accessToken},
                             {u"token_type"_s, u"Bearer"_s}};
            if (access->expiresIn > 0)
                body.insert(u"expires_in"_s, access->expiresIn);
            if (!access->scope.isEmpty())
                body.insert(u"scope"_s, access->scope);
            HttpResponse r = HttpResponse::json(200, body);
            r.headers.emplaceBack("Cache-Control", "no-store");
            responder.send(std::move(r));
        });
}

} // namespace latchkey
