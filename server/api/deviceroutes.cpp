// The device grant's handlers: they check the request, call the DeviceGrant or the Broker,
// and answer with RFC 8628 JSON or a page.
#include "deviceroutes.h"

#include "brokerpages.h"
#include "oauthroutes.h"

#include "http/formdata.h"

#include <QUrlQuery>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

void DeviceRoutes::addRoutes(Router &router)
{
    const RouteRules page{.database = true};
    const RouteRules form{.body = Body::Form, .database = true};
    router.add("POST", "/oauth/device_authorization", form, this,
               &DeviceRoutes::deviceAuthorization);
    router.add("GET", "/device", page, this, &DeviceRoutes::page);
    router.add("POST", "/device/decision", form, this, &DeviceRoutes::decision);
}

void DeviceRoutes::deviceAuthorization(Call &call)
{
    const Result<FormFields> fields = parseForm(call.http.body);
    if (!fields) {
        call.responder.send(
            oauthRefusal({u"invalid_request"_s, u"a parameter appears more than once"_s}));
        return;
    }
    const auto granted = m_grant.authorize(fields->value(u"client_id"_s), call.client());
    if (!granted) {
        call.responder.send(oauthRefusal(granted.error()));
        return;
    }
    call.responder.send(
        oauthAnswer(200, {{u"device_code"_s, granted->deviceCode},
                          {u"user_code"_s, granted->userCode},
                          {u"verification_uri"_s, granted->verificationUri},
                          {u"verification_uri_complete"_s, granted->verificationUriComplete},
                          {u"expires_in"_s, granted->expiresIn},
                          {u"interval"_s, granted->interval}}));
}

void DeviceRoutes::page(Call &call)
{
    const Result<FormFields> fields = parseForm(call.http.query);
    if (!fields) {
        call.responder.send(broker::codeEntryPage(
            400, {}, u"A parameter appears more than once in the request."_s));
        return;
    }
    const QString typed = fields->value(u"user_code"_s);
    if (typed.isEmpty()) {
        call.responder.send(broker::codeEntryPage(200));
        return;
    }
    const Result<DeviceEntry> entry = m_grant.find(typed, call.client());
    if (!entry) {
        const Error &why = entry.error();
        if (why.code == ErrorCode::RateLimited) {
            HttpResponse r = broker::codeEntryPage(
                429, typed,
                u"Too many wrong codes from your network. Wait %1 seconds and try again."_s.arg(
                    why.retryAfterSecs));
            r.headers.emplaceBack("Retry-After", QByteArray::number(why.retryAfterSecs));
            call.responder.send(std::move(r));
        } else if (why.code == ErrorCode::NotFound) {
            call.responder.send(broker::codeEntryPage(400, typed, why.message));
        } else {
            call.responder.send(broker::errorPage(httpStatus(why.code), why.message));
        }
        return;
    }
    const QString provider = fields->value(u"provider"_s);
    if (provider.isEmpty()) {
        QList<broker::ChooserEntry> entries;
        for (const auto &upstream : m_broker.upstreams()) {
            QUrlQuery choice{{u"user_code"_s, entry->userCode}, {u"provider"_s, upstream->name()}};
            entries.append(
                {upstream->displayName(), "/device?"_L1 + choice.query(QUrl::FullyEncoded)});
        }
        call.responder.send(broker::chooserPage(entry->client->name, entries));
        return;
    }
    Upstream *upstream = m_broker.upstream(provider);
    if (!upstream) {
        call.responder.send(broker::errorPage(
            400, u"Sign-in with \"%1\" is not enabled on this server."_s.arg(provider.left(64))));
        return;
    }
    const GameRequest request{entry->client, {}, {}, {}, entry->hash};
    m_broker.start(request, *upstream, {}, call.client(),
                   [responder = call.responder](Result<QUrl, OAuthRefusal> url) {
                       if (url) {
                           HttpResponse r = redirect(url->toString(QUrl::FullyEncoded), {});
                           r.body = "Redirecting to the provider.\n";
                           responder.send(std::move(r));
                       } else {
                           responder.send(broker::errorPage(503, url.error().description));
                       }
                   });
}

void DeviceRoutes::decision(Call &call)
{
    const Result<FormFields> fields = parseForm(call.http.body);
    const QString decision = fields ? fields->value(u"decision"_s) : QString();
    if (decision != "allow"_L1 && decision != "deny"_L1) {
        call.responder.send(broker::errorPage(400, u"The answer must be allow or deny."_s));
        return;
    }
    const Result<DeviceDecision> decided =
        m_grant.decide(fields->value(u"ticket"_s), decision == "allow"_L1, call.client());
    if (!decided) {
        call.responder.send(
            broker::errorPage(httpStatus(decided.error().code), decided.error().message));
        return;
    }
    call.responder.send(broker::deviceDonePage(decided->allowed, decided->clientName));
}

} // namespace latchkey
