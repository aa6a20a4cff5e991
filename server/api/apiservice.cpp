// Routes, request checks (JSON body, Bearer, rate limit) and the handlers of the wire API.
#include "apiservice.h"

#include "http/httprequest.h"

#include <username.h>

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcApi, "latchkey.api")

namespace latchkey {

namespace {
enum class Body { None, Json, Form }; //!< None: any body is ignored (but must be JSON, as ever)
enum class Auth { None, Bearer };
enum class Scope { Api, DevIdp }; //!< DevIdp: routed only when the development provider is on

struct Route
{
    QByteArrayView path;
    QByteArrayView method;
    Body body;
    Auth auth;
    Scope scope;
    void (ApiService::*handler)(ApiService::Call &);
};

QByteArray mediaTypeOf(const HttpRequest &request)
{
    const QByteArray contentType = request.header("content-type");
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
}

Error missing(const char *field)
{
    return Error{ErrorCode::MissingField, QStringLiteral("missing field: %1").arg(QLatin1StringView(field))};
}

//! The string field \a name: MissingField when absent (or null), InvalidField when not a string.
Result<QString> stringField(const QJsonObject &body, const char *name)
{
    const QJsonValue v = body.value(QLatin1StringView(name));
    if (v.isUndefined() || v.isNull())
        return missing(name);
    if (!v.isString())
        return Error{ErrorCode::InvalidField, QStringLiteral("%1 must be a string").arg(QLatin1StringView(name))};
    return v.toString();
}

QJsonObject success(const User &user)
{
    return {{QStringLiteral("status"), QStringLiteral("success")}, {QStringLiteral("user"), user.toJson()}};
}
} // namespace

struct Routes
{
    static const std::initializer_list<Route> &all()
    {
        static const std::initializer_list<Route> routes = {
            {"/api/login", "POST", Body::Json, Auth::None, Scope::Api, &ApiService::login},
            {"/api/refresh", "POST", Body::Json, Auth::None, Scope::Api, &ApiService::refresh},
            {"/api/update_username", "POST", Body::Json, Auth::Bearer, Scope::Api, &ApiService::updateUsername},
            {"/api/update_picture", "POST", Body::Json, Auth::Bearer, Scope::Api, &ApiService::updatePicture},
            {"/api/me", "GET", Body::None, Auth::Bearer, Scope::Api, &ApiService::me},
            {"/api/logout", "POST", Body::None, Auth::Bearer, Scope::Api, &ApiService::logout},
            {"/health", "GET", Body::None, Auth::None, Scope::Api, &ApiService::health},
            {"/health/ready", "GET", Body::None, Auth::None, Scope::Api, &ApiService::ready},
            {"/dev-idp/.well-known/openid-configuration", "GET", Body::None, Auth::None, Scope::DevIdp,
             &ApiService::devDiscovery},
            {"/dev-idp/jwks", "GET", Body::None, Auth::None, Scope::DevIdp, &ApiService::devJwks},
            {"/dev-idp/authorize", "GET", Body::None, Auth::None, Scope::DevIdp, &ApiService::devAuthorize},
            {"/dev-idp/approve", "POST", Body::Form, Auth::None, Scope::DevIdp, &ApiService::devApprove},
            {"/dev-idp/approve", "GET", Body::None, Auth::None, Scope::DevIdp, &ApiService::devApprove},
            {"/dev-idp/token", "POST", Body::Form, Auth::None, Scope::DevIdp, &ApiService::devToken},
        };
        return routes;
    }
};

ApiService::ApiService(ServerContext &context, int workerIndex)
    : m_context(context), m_workerIndex(workerIndex),
      m_google(context.config.google, context.clock, this)
{
    ensureDatabase();
}

ApiService::~ApiService()
{
    m_users.reset();
    m_sessions.reset();
    m_db.reset(); // on the worker thread that opened it
}

bool ApiService::ensureDatabase()
{
    if (m_db)
        return true;
    if (nowMs() < m_nextDatabaseAttemptMs)
        return false;
    Result<std::unique_ptr<Database>> db =
        Database::open(m_context.config.database, QStringLiteral("latchkey-worker-%1").arg(m_workerIndex));
    if (!db) {
        qCCritical(lcApi) << db.error().message;
        m_nextDatabaseAttemptMs = nowMs() + 2000; // do not stall every request on a dead server
        return false;
    }
    m_db = std::move(db).value();
    m_users = std::make_unique<UserStore>(*m_db);
    m_sessions = std::make_unique<SessionStore>(*m_db);
    return true;
}

void ApiService::handle(const HttpRequest &request, Responder responder)
{
    const bool devIdp = m_context.devIdp != nullptr;
    const Route *route = nullptr;
    for (const Route &r : Routes::all()) {
        if (r.scope == Scope::DevIdp && !devIdp)
            continue;
        if (r.path == request.path && r.method == request.method) {
            route = &r;
            break;
        }
    }
    if (!route) {
        QByteArray allow; // only built for the miss, off the hot path
        for (const Route &r : Routes::all()) {
            if (r.path == request.path && (r.scope == Scope::Api || devIdp))
                allow += (allow.isEmpty() ? "" : ", ") + r.method.toByteArray();
        }
        if (allow.isEmpty()) {
            responder.sendError({ErrorCode::NotFound, QStringLiteral("no such endpoint")});
            return;
        }
        HttpResponse r = HttpResponse::error({ErrorCode::MethodNotAllowed,
                                              QStringLiteral("method not allowed; use %1").arg(QString::fromLatin1(allow))});
        r.headers.emplaceBack("Allow", allow);
        responder.send(std::move(r));
        return;
    }

    Call call{request, responder, {}, {}, {}};
    if (!request.body.isEmpty()) {
        // The HTTP layer may let forms through (for the development provider's token
        // endpoint); every other route still takes JSON only.
        const QByteArrayView wanted = route->body == Body::Form ? QByteArrayView("application/x-www-form-urlencoded")
                                                                : QByteArrayView("application/json");
        if (mediaTypeOf(request) != wanted) {
            responder.sendError({ErrorCode::UnsupportedMediaType,
                                 QStringLiteral("request bodies must be Content-Type: %1")
                                     .arg(QLatin1StringView(wanted.data(), wanted.size()))});
            return;
        }
    }
    if (route->body == Body::Json) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
        if (!doc.isObject()) {
            responder.sendError({ErrorCode::InvalidJson, QStringLiteral("the body must be a JSON object")});
            return;
        }
        call.body = doc.object();
    }
    if (route->scope == Scope::Api && route->handler != &ApiService::health && !ensureDatabase()) {
        responder.sendError({ErrorCode::DatabaseUnavailable, QStringLiteral("the database is unavailable")});
        return;
    }
    if (route->auth == Auth::Bearer && !authenticate(call))
        return;
    (this->*route->handler)(call);
}

bool ApiService::authenticate(Call &call)
{
    const QByteArray header = call.http.header("authorization");
    if (!header.startsWith("Bearer ") && !header.startsWith("bearer ")) {
        call.responder.sendError({ErrorCode::InvalidToken, QStringLiteral("an Authorization: Bearer token is required")});
        return false;
    }
    const qint64 now = nowMs() / 1000;
    const Result<AccessClaims> claims =
        m_context.tokens.verifyAccessToken(QByteArrayView(header).sliced(7).trimmed(), now);
    if (!claims) {
        call.responder.sendError(claims.error());
        return false;
    }
    const Result<std::optional<User>> user = m_users->byLiveSession(claims->sessionId, claims->userId, now);
    if (!user) {
        call.responder.sendError(user.error());
        return false;
    }
    if (!user->has_value()) {
        call.responder.sendError({ErrorCode::InvalidToken, QStringLiteral("the session has ended")});
        return false;
    }
    call.auth = *claims;
    call.user = **user;
    return true;
}

void ApiService::fail(const Call &call, const Error &error, const char *event, bool countsAsFailure)
{
    if (countsAsFailure)
        m_context.limiter.recordFailure(call.http.peer, nowMs());
    m_context.loginLog.write(event, call.http.peer, {{"reason", error.message}});
    call.responder.sendError(error);
}

bool ApiService::refuseWhenLimited(const Call &call)
{
    const int wait = m_context.limiter.retryAfter(call.http.peer, nowMs());
    if (wait == 0)
        return false;
    HttpResponse r = HttpResponse::error({ErrorCode::RateLimited, QStringLiteral("too many failed attempts; try again later")});
    r.headers.emplaceBack("Retry-After", QByteArray::number(wait));
    call.responder.send(std::move(r));
    return true;
}

void ApiService::login(Call &call)
{
    if (refuseWhenLimited(call))
        return;
    const QJsonValue provider = call.body.value(QLatin1StringView("provider"));
    const bool dev = m_context.devIdp && provider == QJsonValue(QStringLiteral("dev"));
    if (!provider.isUndefined() && provider != QJsonValue(QStringLiteral("google")) && !dev) {
        call.responder.sendError({ErrorCode::InvalidField, m_context.devIdp
                                                               ? QStringLiteral("provider must be \"google\" or \"dev\"")
                                                               : QStringLiteral("provider must be \"google\"")});
        return;
    }
    // The development provider issues ID tokens only.
    const bool hasIdToken = dev || call.body.contains(QLatin1StringView("id_token"));
    const Result<QString> token = stringField(call.body, hasIdToken ? "id_token" : "access_token");
    if (!token) {
        Error error = token.error();
        if (error.code == ErrorCode::MissingField && !dev)
            error.message = QStringLiteral("missing field: access_token or id_token");
        call.responder.sendError(error);
        return;
    }
    auto done = [this, http = call.http, responder = call.responder](Result<ExternalIdentity> identity) {
        if (!identity) {
            Call failed{http, responder, {}, {}, {}};
            fail(failed, identity.error(), "login_failed",
                 identity.error().code == ErrorCode::InvalidProviderToken);
            return;
        }
        finishLogin(http, responder, *identity);
    };
    if (dev)
        done(m_context.devIdp->verifyIdToken(*token)); // local: its key is ours
    else if (hasIdToken)
        m_google.verifyIdToken(*token, std::move(done));
    else
        m_google.verifyAccessToken(*token, std::move(done));
}

void ApiService::finishLogin(const HttpRequest &http, const Responder &responder,
                             const ExternalIdentity &identity)
{
    if (responder.isClientGone())
        return; // no one would receive the session: do not create one
    const qint64 now = nowMs();
    bool created = false;
    const Result<User> user = m_users->loginOrCreate(identity, username::fromEmail(identity.email),
                                                     QDateTime::fromMSecsSinceEpoch(now, Qt::UTC), &created);
    if (!user) {
        responder.sendError(user.error());
        return;
    }
    const Result<SessionRecord> session =
        m_sessions->create(user->id, now / 1000, now / 1000 + m_context.tokens.refreshLifetimeSecs(),
                           http.peer.toString(), QString::fromUtf8(http.header("user-agent")),
                           m_context.config.security.maxSessionsPerUser);
    if (!session) {
        responder.sendError(session.error());
        return;
    }
    if (created) {
        m_context.loginLog.write("new_user", http.peer,
                                 {{"user_id", QString::number(user->id)}, {"name", user->name}, {"email", user->email}});
    }
    m_context.loginLog.write("login", http.peer,
                             {{"user_id", QString::number(user->id)}, {"session", QString::number(session->id)}});
    answerWithTokens(responder, *user, session->id, session->counter);
}

void ApiService::answerWithTokens(const Responder &responder, const User &user, qint64 sessionId, qint64 counter)
{
    QJsonObject body = success(user);
    body.insert(QStringLiteral("access_token"),
                QString::fromLatin1(m_context.tokens.accessToken(user.id, sessionId, nowMs() / 1000)));
    body.insert(QStringLiteral("refresh_token"), QString::fromLatin1(m_context.tokens.refreshToken(sessionId, counter)));
    body.insert(QStringLiteral("token_type"), QStringLiteral("Bearer"));
    body.insert(QStringLiteral("expires_in"), m_context.tokens.accessTokenLifetimeSecs());
    responder.send(HttpResponse::json(200, body));
}

void ApiService::refresh(Call &call)
{
    if (refuseWhenLimited(call))
        return;
    const Result<QString> token = stringField(call.body, "refresh_token");
    if (!token) {
        call.responder.sendError(token.error());
        return;
    }
    const Error invalid{ErrorCode::InvalidRefreshToken, QStringLiteral("the refresh token is invalid or expired")};
    const std::optional<RefreshClaims> claims = m_context.tokens.verifyRefreshToken(token->toLatin1());
    if (!claims) {
        fail(call, invalid, "refresh_failed", true);
        return;
    }
    const qint64 now = nowMs() / 1000;
    const Result<std::optional<User>> advanced =
        m_sessions->advance(claims->sessionId, claims->counter, now, now + m_context.tokens.refreshLifetimeSecs());
    if (!advanced) {
        call.responder.sendError(advanced.error());
        return;
    }
    std::optional<User> user = *advanced;
    if (!user) {
        // Lost the race, or an old token. One step behind inside the grace window is a client
        // retrying a lost answer (or a concurrent refresh): answer with the current token.
        // Anything older is a stolen token being replayed: end the whole session.
        const Result<std::optional<SessionRecord>> session = m_sessions->find(claims->sessionId);
        if (!session) {
            call.responder.sendError(session.error());
            return;
        }
        const std::optional<SessionRecord> &s = *session;
        if (!s || s->revoked || s->expiresAt <= now) {
            fail(call, invalid, "refresh_failed", true);
            return;
        }
        if (s->counter != claims->counter + 1 || now - s->refreshedAt > m_context.config.security.refreshGraceSeconds) {
            if (s->counter > claims->counter) {
                const Status revoked = m_sessions->revoke(s->id, now, QStringLiteral("reuse"));
                if (!revoked) {
                    call.responder.sendError(revoked.error());
                    return;
                }
                m_context.loginLog.write("refresh_reuse", call.http.peer,
                                         {{"user_id", QString::number(s->userId)}, {"session", QString::number(s->id)}});
            }
            fail(call,
                 {ErrorCode::InvalidRefreshToken,
                  QStringLiteral("the refresh token was already used; the session has been ended")},
                 "refresh_failed", true);
            return;
        }
        const Result<std::optional<User>> owner = m_users->byId(s->userId);
        if (!owner) {
            call.responder.sendError(owner.error());
            return;
        }
        user = *owner;
    }
    if (!user) {
        fail(call, invalid, "refresh_failed", true);
        return;
    }
    m_context.loginLog.write("refresh", call.http.peer,
                             {{"user_id", QString::number(user->id)}, {"session", QString::number(claims->sessionId)}});
    answerWithTokens(call.responder, *user, claims->sessionId, claims->counter + 1);
}

void ApiService::updateUsername(Call &call)
{
    const Result<QString> raw = stringField(call.body, "new_username");
    if (!raw) {
        call.responder.sendError(raw.error());
        return;
    }
    const Result<QString> name = username::normalize(*raw);
    if (!name) {
        call.responder.sendError(name.error());
        return;
    }
    const Result<User> user = m_users->rename(call.user.id, *name, username::foldKey(*name));
    if (!user) {
        if (user.error().code == ErrorCode::UsernameTaken) {
            m_context.loginLog.write("username_taken", call.http.peer,
                                     {{"user_id", QString::number(call.user.id)}, {"wanted", *name}});
        }
        call.responder.sendError(user.error());
        return;
    }
    m_context.loginLog.write("username_change", call.http.peer,
                             {{"user_id", QString::number(user->id)}, {"old", call.user.name}, {"new", user->name}});
    call.responder.send(HttpResponse::json(200, success(*user)));
}

void ApiService::updatePicture(Call &call)
{
    const Result<QString> picture = stringField(call.body, "new_picture");
    if (!picture) {
        call.responder.sendError(picture.error());
        return;
    }
    const QUrl url(*picture, QUrl::StrictMode);
    if (picture->size() > 2048 || !url.isValid() || url.scheme() != QLatin1StringView("https") || url.host().isEmpty()) {
        call.responder.sendError({ErrorCode::InvalidPicture, QStringLiteral("new_picture must be an https URL of at most 2048 characters")});
        return;
    }
    const Result<User> user = m_users->setPicture(call.user.id, *picture);
    if (!user) {
        call.responder.sendError(user.error());
        return;
    }
    call.responder.send(HttpResponse::json(200, success(*user)));
}

void ApiService::me(Call &call)
{
    call.responder.send(HttpResponse::json(200, success(call.user)));
}

void ApiService::logout(Call &call)
{
    const Status revoked = m_sessions->revoke(call.auth.sessionId, nowMs() / 1000, QStringLiteral("logout"));
    if (!revoked) {
        call.responder.sendError(revoked.error());
        return;
    }
    m_context.loginLog.write("logout", call.http.peer,
                             {{"user_id", QString::number(call.user.id)}, {"session", QString::number(call.auth.sessionId)}});
    call.responder.send(HttpResponse::json(200, {{QStringLiteral("status"), QStringLiteral("success")}}));
}

void ApiService::health(Call &call)
{
    call.responder.send(HttpResponse::json(200, {{QStringLiteral("status"), QStringLiteral("ok")}}));
}

void ApiService::ready(Call &call)
{
    if (!m_db->ping()) {
        call.responder.sendError({ErrorCode::DatabaseUnavailable, QStringLiteral("the database is unavailable")});
        return;
    }
    call.responder.send(HttpResponse::json(200, {{QStringLiteral("status"), QStringLiteral("ready")}}));
}

} // namespace latchkey
