// The broker's handlers: they check the request, call the Broker, and answer with a page, a
// redirect or RFC 6749 JSON (plus our status/code/message).
#include "oauthroutes.h"

#include "brokerpages.h"
#include "devidprequest.h"
#include "jsonbody.h"

#include "http/formdata.h"

#include <QJsonArray>
#include <QUrlQuery>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

namespace {
constexpr auto deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"_L1;

HttpResponse sessionAnswer(const IssuedSession &session)
{
    HttpResponse r = json::session(session);
    r.headers.emplaceBack("Cache-Control", "no-store");
    r.headers.emplaceBack("Pragma", "no-cache");
    return r;
}

HttpResponse redirectBack(const GameReturn &back)
{
    return redirect(back.redirectUri, back.parameters);
}
} // namespace

HttpResponse oauthAnswer(int status, const QJsonObject &body)
{
    HttpResponse r = HttpResponse::json(status, body);
    r.headers.emplaceBack("Cache-Control", "no-store");
    r.headers.emplaceBack("Pragma", "no-cache");
    return r;
}

HttpResponse oauthRefusal(const OAuthRefusal &refusal)
{
    const int status = refusal.error == "invalid_client"_L1            ? 401
                       : refusal.error == "temporarily_unavailable"_L1 ? 503
                                                                       : 400;
    return oauthAnswer(status, {{u"error"_s, refusal.error},
                                {u"error_description"_s, refusal.description},
                                {u"status"_s, u"error"_s},
                                {u"code"_s, refusal.error},
                                {u"message"_s, refusal.description}});
}

void OAuthRoutes::addRoutes(Router &router)
{
    const RouteRules page{.database = true};
    const RouteRules form{.body = Body::Form, .database = true};
    router.add("GET", "/oauth/authorize", page, this, &OAuthRoutes::authorize);
    router.add("POST", "/oauth/token", form, this, &OAuthRoutes::token);
    router.add("POST", "/oauth/revoke", form, this, &OAuthRoutes::revoke);
    router.add("GET", "/.well-known/oauth-authorization-server", {}, this, &OAuthRoutes::metadata);
    for (const auto &upstream : m_broker.upstreams()) {
        const QString name = upstream->name();
        router.add("GET", u"/oauth/callback/%1"_s.arg(name).toUtf8(), page,
                   [this, name](Call &call) { callback(call, name); });
    }
}

HttpResponse OAuthRoutes::chooser(const QByteArray &query, const Config::Client &client,
                                  bool offerGuest) const
{
    // Each entry is this same request with its provider chosen.
    QList<broker::ChooserEntry> entries;
    const QUrlQuery request(QString::fromUtf8(query));
    const auto entry = [&](const QString &label, const QString &provider) {
        QUrlQuery choice = request;
        choice.addQueryItem(u"provider"_s, provider);
        entries.append({label, "/oauth/authorize?"_L1 + choice.query(QUrl::FullyEncoded)});
    };
    for (const auto &upstream : m_broker.upstreams())
        entry(upstream->displayName(), upstream->name());
    if (m_config.guest.enabled && offerGuest)
        entry(u"Play as guest"_s, u"guest"_s);
    return broker::chooserPage(client.name, entries);
}

void OAuthRoutes::authorize(Call &call)
{
    const Result<FormFields> fields = parseForm(call.http.query);
    if (!fields) {
        call.responder.send(
            broker::errorPage(400, u"A parameter appears more than once in the request."_s));
        return;
    }
    const devidp::AuthorizeRequest request{*fields};
    const Config::Client *client = m_broker.client(request.clientId());
    if (!client) {
        call.responder.send(broker::errorPage(
            400, request.clientId().isEmpty()
                     ? u"client_id is missing."_s
                     : u"client_id \"%1\" is not registered with this server."_s.arg(
                           request.clientId())));
        return;
    }
    if (!Broker::allowsRedirect(*client, request.redirectUri())) {
        call.responder.send(broker::errorPage(
            400, u"redirect_uri \"%1\" is not registered for %2 (desktop games use "
                 "http://127.0.0.1:<port>/... or http://[::1]:<port>/..., RFC 8252)."_s.arg(
                     request.redirectUri(), client->id)));
        return;
    }
    const GameRequest game{
        client, request.redirectUri(), request.value("code_challenge"), request.state(), {}};
    const auto refuse = [&](const QString &error, const QString &description) {
        call.responder.send(redirect(game.redirectUri, {{u"error"_s, error},
                                                        {u"error_description"_s, description},
                                                        {u"state"_s, game.state}}));
    };
    if (const Result<Done, devidp::OAuthError> usable = devidp::redirectableProblem(request);
        !usable) {
        refuse(usable.error().first, usable.error().second);
        return;
    }
    const QString provider = fields->value(u"provider"_s);
    const QString linkTicket = fields->value(u"link_ticket"_s);
    if (provider.isEmpty()) {
        call.responder.send(chooser(call.http.query, *client, linkTicket.isEmpty()));
        return;
    }
    if (provider == "guest"_L1 && m_config.guest.enabled && linkTicket.isEmpty()) {
        const auto back = m_broker.guest(game, call.client());
        if (back)
            call.responder.send(redirectBack(*back));
        else
            refuse(back.error().error, back.error().description);
        return;
    }
    Upstream *upstream = m_broker.upstream(provider);
    if (!upstream) {
        refuse(u"invalid_request"_s,
               u"provider \"%1\" is not enabled on this server"_s.arg(provider.left(64)));
        return;
    }
    m_broker.start(game, *upstream, linkTicket, call.client(),
                   [responder = call.responder, game](Result<QUrl, OAuthRefusal> url) {
                       if (url) {
                           HttpResponse r = redirect(url->toString(QUrl::FullyEncoded), {});
                           r.body = "Redirecting to the provider.\n";
                           responder.send(std::move(r));
                           return;
                       }
                       responder.send(redirect(game.redirectUri,
                                               {{u"error"_s, url.error().error},
                                                {u"error_description"_s, url.error().description},
                                                {u"state"_s, game.state}}));
                   });
}

void OAuthRoutes::callback(Call &call, const QString &provider)
{
    const Result<FormFields> fields = parseForm(call.http.query);
    if (!fields) {
        call.responder.send(
            broker::errorPage(400, u"A parameter appears more than once in the request."_s));
        return;
    }
    QString upstreamError = fields->value(u"error"_s);
    const QString description = fields->value(u"error_description"_s);
    if (!upstreamError.isEmpty() && !description.isEmpty())
        upstreamError += u" ("_s + description.left(200) + u')';
    m_broker.callback(
        provider, fields->value(u"state"_s), fields->value(u"code"_s), upstreamError, call.client(),
        [responder = call.responder](Result<FlowEnd, Error> end) {
            if (!end) {
                // A device sign-in the player cancelled: no server status.
                const int status = httpStatus(end.error().code);
                responder.send(broker::errorPage(status ? status : 400, end.error().message));
            } else if (const auto *back = std::get_if<GameReturn>(&*end)) {
                responder.send(redirectBack(*back));
            } else {
                const auto &consent = std::get<DeviceConsent>(*end);
                responder.send(
                    broker::consentPage(consent.ticket, consent.clientName, consent.userName));
            }
        });
}

void OAuthRoutes::token(Call &call)
{
    const Result<FormFields> fields = parseForm(call.http.body);
    if (!fields) {
        call.responder.send(
            oauthRefusal({u"invalid_request"_s, u"a parameter appears more than once"_s}));
        return;
    }
    const QString grantType = fields->value(u"grant_type"_s);
    if (grantType == "refresh_token"_L1) {
        const QString token = fields->value(u"refresh_token"_s);
        if (token.isEmpty()) {
            call.responder.send(
                oauthRefusal({u"invalid_request"_s, u"refresh_token is missing"_s}));
            return;
        }
        const Result<IssuedSession> session = m_sessions.refresh(token.toLatin1(), call.client());
        if (session)
            call.responder.send(sessionAnswer(*session));
        else if (session.error().code == ErrorCode::InvalidRefreshToken ||
                 session.error().code == ErrorCode::AccountBanned)
            call.responder.send(oauthRefusal({u"invalid_grant"_s, session.error().message}));
        else
            call.responder.sendError(session.error()); // 429, 503: as everywhere else
        return;
    }
    if (grantType != "authorization_code"_L1 && grantType != deviceCodeGrant) {
        call.responder.send(oauthRefusal(
            grantType.isEmpty()
                ? OAuthRefusal{u"invalid_request"_s, u"grant_type is missing"_s}
                : OAuthRefusal{u"unsupported_grant_type"_s,
                               u"grant_type must be authorization_code, refresh_token or "
                               "urn:ietf:params:oauth:grant-type:device_code"_s}));
        return;
    }
    const QString clientId = fields->value(u"client_id"_s);
    if (!m_broker.client(clientId)) {
        call.responder.send(oauthRefusal(
            {u"invalid_client"_s,
             clientId.isEmpty() ? u"client_id is missing"_s : u"client_id is not registered"_s}));
        return;
    }
    if (grantType == "authorization_code"_L1) {
        redeemCode(call, *fields);
        return;
    }
    const QString deviceCode = fields->value(u"device_code"_s);
    if (deviceCode.isEmpty()) {
        call.responder.send(oauthRefusal({u"invalid_request"_s, u"device_code is missing"_s}));
        return;
    }
    const auto session = m_devices.poll(deviceCode, clientId, call.client());
    call.responder.send(session ? sessionAnswer(*session) : oauthRefusal(session.error()));
}

void OAuthRoutes::redeemCode(Call &call, const FormFields &fields)
{
    const QString clientId = fields.value(u"client_id"_s);
    for (const QString &required : {u"code"_s, u"redirect_uri"_s, u"code_verifier"_s}) {
        if (fields.value(required).isEmpty()) {
            call.responder.send(
                oauthRefusal({u"invalid_request"_s, u"%1 is missing"_s.arg(required)}));
            return;
        }
    }
    const auto session =
        m_broker.redeem(fields.value(u"code"_s), clientId, fields.value(u"redirect_uri"_s),
                        fields.value(u"code_verifier"_s), call.client());
    call.responder.send(session ? sessionAnswer(*session) : oauthRefusal(session.error()));
}

void OAuthRoutes::revoke(Call &call)
{
    const Result<FormFields> fields = parseForm(call.http.body);
    const QString token = fields ? fields->value(u"token"_s) : QString();
    if (token.isEmpty()) {
        call.responder.send(oauthRefusal({u"invalid_request"_s, u"token is missing"_s}));
        return;
    }
    const Status revoked = m_sessions.revokeToken(token.toLatin1(), call.client());
    if (!revoked) {
        call.responder.sendError(revoked.error());
        return;
    }
    call.responder.send(oauthAnswer(200, {{u"status"_s, u"success"_s}}));
}

void OAuthRoutes::metadata(Call &call)
{
    const QString base = m_broker.publicUrl();
    call.responder.send(HttpResponse::json(
        200, {{u"issuer"_s, base},
              {u"authorization_endpoint"_s, base + "/oauth/authorize"_L1},
              {u"token_endpoint"_s, base + "/oauth/token"_L1},
              {u"revocation_endpoint"_s, base + "/oauth/revoke"_L1},
              {u"device_authorization_endpoint"_s, base + "/oauth/device_authorization"_L1},
              {u"response_types_supported"_s, QJsonArray{u"code"_s}},
              {u"grant_types_supported"_s,
               QJsonArray{u"authorization_code"_s, u"refresh_token"_s, deviceCodeGrant}},
              {u"code_challenge_methods_supported"_s, QJsonArray{u"S256"_s}},
              {u"token_endpoint_auth_methods_supported"_s, QJsonArray{u"none"_s}},
              {u"revocation_endpoint_auth_methods_supported"_s, QJsonArray{u"none"_s}}}));
}

} // namespace latchkey
