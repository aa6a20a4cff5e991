// The /dev-idp/ handlers: each checks its request and answers with a page, a redirect or JSON.
#include "devidproutes.h"

#include "devidppages.h"
#include "logging.h"

#include "http/formdata.h"

#include <QHostAddress>
#include <QJsonDocument>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;
using namespace devidp;

namespace {
//! True when \a host (a Host header, port included or not) names this machine: a page on
//! another site that reaches 127.0.0.1 through DNS rebinding still sends its own name.
bool isLoopbackName(QByteArrayView host)
{
    QByteArrayView name = host;
    if (name.startsWith('[')) {
        const qsizetype close = name.indexOf(']');
        name = close < 0 ? QByteArrayView() : name.sliced(1, close - 1);
    } else if (const qsizetype colon = name.lastIndexOf(':'); colon >= 0) {
        name = name.first(colon);
    }
    if (name.compare("localhost", Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(QString::fromLatin1(name));
    return !address.isNull() && address.isLoopback();
}
} // namespace

void DevIdpRoutes::addRoutes(Router &router)
{
    enum Answer { Json, Page }; // how a refusal is worded: for programs, or for people
    const auto add = [this, &router](QByteArrayView method, QByteArrayView path, RouteRules rules,
                                     Answer answer, void (DevIdpRoutes::*handler)(Call &)) {
        router.add(method, path, rules, [this, answer, handler](Call &call) {
            if (!isLoopbackName(call.http.header("host"))) {
                const QString why = u"This development sign-in only answers requests addressed "
                                    "to localhost, 127.0.0.1 or [::1]."_s;
                if (answer == Page)
                    call.responder.send(errorPage(why));
                else
                    call.responder.sendError({ErrorCode::BadRequest, why});
                return;
            }
            (this->*handler)(call);
        });
    };
    const RouteRules form{.body = Body::Form};
    add("GET", "/dev-idp/.well-known/openid-configuration", {}, Json, &DevIdpRoutes::discovery);
    add("GET", "/dev-idp/jwks", {}, Json, &DevIdpRoutes::jwks);
    add("GET", "/dev-idp/authorize", {}, Page, &DevIdpRoutes::authorize);
    add("POST", "/dev-idp/approve", form, Page, &DevIdpRoutes::approve);
    add("GET", "/dev-idp/approve", {}, Page, &DevIdpRoutes::approve);
    add("POST", "/dev-idp/token", form, Json, &DevIdpRoutes::token);
}

void DevIdpRoutes::discovery(Call &call)
{
    call.responder.send(HttpResponse::json(200, m_provider.discovery()));
}

void DevIdpRoutes::jwks(Call &call)
{
    call.responder.send(HttpResponse::json(200, m_provider.jwks()));
}

namespace {
//! The authorization request in \a form, checked; a refusal is the answer to send instead
//! (an error page, or a redirect with error=).
Result<AuthorizeRequest, HttpResponse> checkedRequest(const QByteArray &form,
                                                      const QStringList &clientIds)
{
    const Result<FormFields> fields = parseForm(form);
    if (!fields)
        return errorPage(u"A parameter appears more than once in the request."_s);
    AuthorizeRequest request{*fields};
    if (const Status trusted = unredirectableProblem(request, clientIds); !trusted)
        return errorPage(trusted.error().message);
    if (const Result<Done, OAuthError> usable = redirectableProblem(request); !usable) {
        return redirect(request.redirectUri(), {{u"error"_s, usable.error().first},
                                                {u"error_description"_s, usable.error().second},
                                                {u"state"_s, request.state()}});
    }
    return request;
}
} // namespace

void DevIdpRoutes::authorize(Call &call)
{
    const Result<AuthorizeRequest, HttpResponse> request =
        checkedRequest(call.http.query, m_provider.clientIds());
    call.responder.send(request ? signInForm(*request, u"Dev Player"_s, u"player@example.com"_s)
                                : request.error());
}

void DevIdpRoutes::approve(Call &call)
{
    const Result<AuthorizeRequest, HttpResponse> checked = checkedRequest(
        call.http.method == "GET" ? call.http.query : call.http.body, m_provider.clientIds());
    if (!checked) {
        call.responder.send(checked.error());
        return;
    }
    const AuthorizeRequest &request = *checked;
    const FormFields *fields = &request.fields;
    if (fields->value(u"action"_s) == "cancel"_L1) {
        call.responder.send(redirect(request.redirectUri(), {{u"error"_s, u"access_denied"_s},
                                                             {u"state"_s, request.state()}}));
        return;
    }
    const QString email = fields->value(u"email"_s).trimmed();
    QString name = fields->value(u"name"_s).trimmed();
    if (!isPlausibleEmail(email)) {
        call.responder.send(signInForm(request, name, email,
                                       u"Enter an e-mail address, such as player@example.com."_s));
        return;
    }
    if (name.size() > 100 || hasControl(name)) {
        call.responder.send(signInForm(request, name.left(100), email,
                                       u"Enter a name of at most 100 characters."_s));
        return;
    }
    if (name.isEmpty())
        name = email.left(email.indexOf(u'@'));
    const Result<QByteArray> code = m_provider.issueCode({request.clientId(), request.redirectUri(),
                                                          request.value("code_challenge"),
                                                          request.value("nonce"), name, email, 0});
    if (!code) {
        qCWarning(lcDevIdp) << "too many unused authorization codes; refusing a sign-in";
        call.responder.send(
            redirect(request.redirectUri(),
                     {{u"error"_s, u"temporarily_unavailable"_s}, {u"state"_s, request.state()}}));
        return;
    }
    qCInfo(lcDevIdp).noquote() << "development sign-in approved for" << email << "by client"
                               << request.clientId();
    call.responder.send(redirect(request.redirectUri(), {{u"code"_s, QString::fromLatin1(*code)},
                                                         {u"state"_s, request.state()}}));
}

void DevIdpRoutes::token(Call &call)
{
    const Result<FormFields> fields = parseForm(call.http.body);
    if (!fields) {
        call.responder.send(
            tokenError("invalid_request"_L1, u"a parameter appears more than once"_s));
        return;
    }
    const QString grantType = fields->value(u"grant_type"_s);
    if (grantType.isEmpty()) {
        call.responder.send(tokenError("invalid_request"_L1, u"grant_type is missing"_s));
        return;
    }
    if (grantType != "authorization_code"_L1) {
        call.responder.send(
            tokenError("unsupported_grant_type"_L1, u"only authorization_code is supported"_s));
        return;
    }
    for (const QString &required :
         {u"code"_s, u"redirect_uri"_s, u"client_id"_s, u"code_verifier"_s}) {
        if (fields->value(required).isEmpty()) {
            call.responder.send(tokenError("invalid_request"_L1, u"%1 is missing"_s.arg(required)));
            return;
        }
    }
    auto result =
        m_provider.redeem(fields->value(u"code"_s), fields->value(u"client_id"_s),
                          fields->value(u"redirect_uri"_s), fields->value(u"code_verifier"_s));
    if (!result) {
        call.responder.send(tokenError(result.error().error, result.error().description));
        return;
    }
    HttpResponse r = HttpResponse::json(200, *result);
    r.headers.emplaceBack("Cache-Control", "no-store");
    r.headers.emplaceBack("Pragma", "no-cache");
    call.responder.send(std::move(r));
}

} // namespace latchkey
