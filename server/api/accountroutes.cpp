// /api/login, /api/refresh, /api/update_username, /api/update_picture, /api/me, /api/logout.
#include "accountroutes.h"

#include "jsonbody.h"

#include "auth/picturerules.h"

#include <latchkey/username.h>

namespace latchkey {

namespace {
void answer(const Responder &responder, const Result<IssuedSession> &session)
{
    if (session)
        responder.send(json::session(*session));
    else
        responder.sendError(session.error());
}
} // namespace

AccountRoutes::AccountRoutes(SignInService &signIn, SessionService &sessions, Storage &storage,
                             const Config &config, KeySet &googleKeys,
                             const DevIdentityProvider *devIdp, Broker &broker, AuditLog &log,
                             ProviderCallGate &gate, Clock clock)
    : m_signIn(signIn), m_sessions(sessions), m_storage(storage), m_devIdp(devIdp),
      m_broker(broker), m_log(log), m_gate(gate),
      m_allowPrivatePictureHosts(config.security.allowPrivatePictureHosts),
      m_google(config.google, googleKeys, std::move(clock)),
      m_steam(config.steam.enabled() ? std::make_unique<SteamProvider>(config.steam) : nullptr)
{
}

AccountRoutes::~AccountRoutes()
{
    // Their queued sign-ins would start on a thread that is gone.
    m_gate.forget(m_google.context());
    if (m_steam)
        m_gate.forget(m_steam->context());
}

void AccountRoutes::addRoutes(Router &router)
{
    // The failure limit: SignInService's for logins (checked before the provider call),
    // SessionService's for refreshes (it spares tokens that are ours).
    const RouteRules signIn{.body = Body::Json, .database = true};
    const RouteRules json{.body = Body::Json, .auth = Auth::Bearer, .database = true};
    const RouteRules bearer{.auth = Auth::Bearer, .database = true};
    router.add("POST", "/api/login", signIn, this, &AccountRoutes::login);
    router.add("POST", "/api/refresh", signIn, this, &AccountRoutes::refresh);
    router.add("POST", "/api/update_username", json, this, &AccountRoutes::updateUsername);
    router.add("POST", "/api/update_picture", json, this, &AccountRoutes::updatePicture);
    if (m_steam)
        router.add("POST", "/api/update_username/steam", bearer, this,
                   &AccountRoutes::usernameFromSteam);
    router.add("GET", "/api/me", bearer, this, &AccountRoutes::me);
    router.add("POST", "/api/logout", bearer, this, &AccountRoutes::logout);
}

void AccountRoutes::login(Call &call)
{
    const QJsonValue provider = call.body.value(QLatin1StringView("provider"));
    if (m_steam && provider == QJsonValue(QStringLiteral("steam"))) {
        steamLogin(call);
        return;
    }
    const bool dev = m_devIdp && provider == QJsonValue(QStringLiteral("dev"));
    const bool google = provider.isUndefined() || provider == QJsonValue(QStringLiteral("google"));
    // Another provider of the sign-in page: the ID token the game got from it itself (Google
    // keeps its own checks, access tokens included).
    Upstream *upstream =
        google || dev ? nullptr : m_broker.upstream(provider.toString()); // "" when not a string
    if (!google && !dev && !upstream) {
        QStringList names{QStringLiteral("\"google\"")};
        if (m_devIdp)
            names << QStringLiteral("\"dev\"");
        if (m_steam)
            names << QStringLiteral("\"steam\"");
        for (const auto &u : m_broker.upstreams()) {
            if (u->name() != QLatin1StringView("google"))
                names << QStringLiteral("\"%1\"").arg(u->name());
        }
        call.responder.sendError(
            {ErrorCode::InvalidField,
             QStringLiteral("provider must be one of: %1").arg(names.join(QStringLiteral(", ")))});
        return;
    }
    // The development provider and the upstreams take ID tokens only.
    const bool hasIdToken = dev || upstream || call.body.contains(QLatin1StringView("id_token"));
    const Result<QString> token =
        json::stringField(call.body, hasIdToken ? "id_token" : "access_token");
    if (!token) {
        Error error = token.error();
        if (error.code == ErrorCode::MissingField && !dev && !upstream)
            error.message = QStringLiteral("missing field: access_token or id_token");
        call.responder.sendError(error);
        return;
    }
    Result<SignInAttempt> attempt = m_signIn.begin(call.client());
    if (!attempt) {
        call.responder.sendError(attempt.error());
        return;
    }
    const QString providerName = dev        ? QStringLiteral("dev")
                                 : upstream ? upstream->name()
                                            : QStringLiteral("google");
    auto done = [this, client = call.client(), responder = call.responder, providerName,
                 attempt = std::move(*attempt)](Result<ExternalIdentity> identity) {
        if (identity && responder.isClientGone())
            return; // no one would receive the session: do not open one
        answer(responder, m_signIn.finish(identity, client, providerName));
    };
    if (dev) {
        done(m_devIdp->verifyIdToken(*token)); // local: its key is ours
        return;
    }
    auto check = [this, token = *token, hasIdToken, upstream, responder = call.responder,
                  done = std::move(done)](const ProviderCallSlot &slot) {
        if (responder.isClientGone())
            return; // it waited for a place and no one is left to answer
        auto finish = [done, slot](Result<ExternalIdentity> identity) { done(identity); };
        if (upstream)
            upstream->verifyIdToken(token, std::move(finish));
        else if (hasIdToken)
            m_google.verifyIdToken(token, std::move(finish));
        else
            m_google.verifyAccessToken(token, std::move(finish));
    };
    if (const Status entered =
            m_gate.enter(call.client().address, m_google.context(), std::move(check));
        !entered)
        call.responder.sendError(entered.error());
}

void AccountRoutes::steamLogin(Call &call)
{
    const Result<QString> ticket = json::stringField(call.body, "ticket");
    const Status usable = ticket ? SteamProvider::checkTicket(*ticket) : Status(ticket.error());
    if (!usable) {
        call.responder.sendError(usable.error());
        return;
    }
    QString linkTicket;
    if (call.body.contains(QLatin1StringView("link_ticket"))) {
        const Result<QString> field = json::stringField(call.body, "link_ticket");
        if (!field) {
            call.responder.sendError(field.error());
            return;
        }
        linkTicket = *field;
    }
    Result<SignInAttempt> attempt = m_signIn.begin(call.client());
    if (!attempt) {
        call.responder.sendError(attempt.error());
        return;
    }
    auto done = [this, client = call.client(), responder = call.responder, linkTicket,
                 attempt = std::move(*attempt)](Result<ExternalIdentity> identity) {
        if (identity && responder.isClientGone())
            return; // no one would receive the session: do not open one
        if (linkTicket.isEmpty() || !identity) {
            answer(responder, m_signIn.finish(identity, client, u"steam"));
            return;
        }
        // Used only now: a ticket Steam refused leaves the link ticket for another try.
        const Result<qint64> user = m_broker.useLinkTicket(linkTicket);
        if (!user && user.error().code == ErrorCode::NotFound)
            responder.sendError({ErrorCode::InvalidField, user.error().message});
        else
            answer(responder, user ? m_signIn.finishLink(*user, identity, client, u"steam")
                                   : Result<IssuedSession>(user.error()));
    };
    auto check = [this, ticket = *ticket, responder = call.responder,
                  done = std::move(done)](const ProviderCallSlot &slot) {
        if (responder.isClientGone())
            return;
        m_steam->verifyTicket(ticket,
                              [done, slot](Result<ExternalIdentity> identity) { done(identity); });
    };
    if (const Status entered =
            m_gate.enter(call.client().address, m_steam->context(), std::move(check));
        !entered)
        call.responder.sendError(entered.error());
}

void AccountRoutes::refresh(Call &call)
{
    const Result<QString> token = json::stringField(call.body, "refresh_token");
    if (!token) {
        call.responder.sendError(token.error());
        return;
    }
    answer(call.responder, m_sessions.refresh(token->toLatin1(), call.client()));
}

void AccountRoutes::updateUsername(Call &call)
{
    const Result<QString> raw = json::stringField(call.body, "new_username");
    if (!raw) {
        call.responder.sendError(raw.error());
        return;
    }
    const Result<QString> name = username::normalize(*raw);
    if (!name) {
        call.responder.sendError(name.error());
        return;
    }
    rename(call.responder, call.http.peer, call.session.user, *name);
}

void AccountRoutes::rename(const Responder &responder, const QHostAddress &peer, const User &before,
                           const QString &name)
{
    const Result<User> user = m_storage.users().rename(before.id, name);
    if (!user) {
        if (user.error().code == ErrorCode::UsernameTaken) {
            m_log.write("username_taken", peer,
                        {{"user_id", QString::number(before.id)}, {"wanted", name}});
        }
        responder.sendError(user.error());
        return;
    }
    m_log.write(
        "username_change", peer,
        {{"user_id", QString::number(user->id)}, {"old", before.name}, {"new", user->name}});
    responder.send(HttpResponse::json(200, json::success(*user)));
}

void AccountRoutes::usernameFromSteam(Call &call)
{
    const Result<QList<LinkedIdentity>> identities =
        m_storage.users().identities(call.session.user.id);
    if (!identities) {
        call.responder.sendError(identities.error());
        return;
    }
    const auto steam =
        std::find_if(identities->begin(), identities->end(), [](const LinkedIdentity &i) {
            return i.provider == QLatin1StringView("steam");
        });
    if (steam == identities->end()) {
        call.responder.sendError(
            Error::notFound(QStringLiteral("this account has no Steam sign-in; link one first")));
        return;
    }
    auto check = [this, steamId = steam->subject, before = call.session.user, peer = call.http.peer,
                  responder = call.responder](const ProviderCallSlot &slot) {
        if (responder.isClientGone())
            return;
        m_steam->personaName(steamId, [=, this](Result<QString> persona) {
            (void)slot; // the provider place is held until Steam answered
            if (!persona) {
                responder.sendError(persona.error());
                return;
            }
            // A persona name breaks our rules more often than not ("xX_Bob_Xx!!"): cleaned the
            // way an e-mail's local part is, never refused for it.
            const Result<QString> name = username::normalize(*persona);
            rename(responder, peer, before, name ? *name : username::fromEmail(*persona));
        });
    };
    if (const Status entered =
            m_gate.enter(call.client().address, m_steam->context(), std::move(check));
        !entered)
        call.responder.sendError(entered.error());
}

void AccountRoutes::updatePicture(Call &call)
{
    const Result<QString> picture = json::stringField(call.body, "new_picture");
    if (!picture) {
        call.responder.sendError(picture.error());
        return;
    }
    if (const Status usable = checkPictureUrl(*picture, m_allowPrivatePictureHosts); !usable) {
        call.responder.sendError(usable.error());
        return;
    }
    const Result<User> user = m_storage.users().setPicture(call.session.user.id, *picture);
    if (!user) {
        call.responder.sendError(user.error());
        return;
    }
    call.responder.send(HttpResponse::json(200, json::success(*user)));
}

void AccountRoutes::me(Call &call)
{
    call.responder.send(HttpResponse::json(200, json::success(call.session.user)));
}

void AccountRoutes::logout(Call &call)
{
    const Status done = m_sessions.logout(call.session, call.client());
    if (!done) {
        call.responder.sendError(done.error());
        return;
    }
    call.responder.send(
        HttpResponse::json(200, {{QStringLiteral("status"), QStringLiteral("success")}}));
}

} // namespace latchkey
