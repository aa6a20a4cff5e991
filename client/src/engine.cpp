// Session logic: adopt tokens, refresh before expiry and after a 401, back off when offline.
#include "engine_p.h"
#include "logging_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>

namespace latchkey {

namespace {
constexpr int refreshMarginSecs = 60; // refresh this long before the access token expires
constexpr int maxRetryDelaySecs = 60;
} // namespace

Engine::Engine(const ClientConfig &config, EngineEvents events)
    : m_config(config), m_events(std::move(events)), m_network(this), m_store(config, this),
      m_refreshTimer(this)
{
    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] { refresh({}); });
    if (config.liveEvents)
        m_live = makeEventSocket();
}

Engine::~Engine() = default;

bool Engine::isTransient(const Error &error)
{
    switch (error.code) {
    case ErrorCode::NetworkError:
    case ErrorCode::Timeout:
    case ErrorCode::Internal:
    case ErrorCode::DatabaseUnavailable:
    case ErrorCode::ProviderUnavailable:
    case ErrorCode::ProviderTimeout:
    case ErrorCode::RateLimited:
        return true;
    default:
        return false;
    }
}

void Engine::setOnline(bool online)
{
    if (online == m_online)
        return;
    m_online = online;
    m_events.onlineChanged(online);
}

void Engine::call(const QByteArray &method, const QString &path, const QJsonObject &body,
                  const QByteArray &bearer, JsonReply reply)
{
    QUrl url = m_config.serverUrl;
    url.setPath(url.path().chopped(url.path().endsWith(QLatin1Char('/')) ? 1 : 0) + path);
    QNetworkRequest request(url);
    request.setTransferTimeout(int(m_config.requestTimeout.count()));
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);
    QByteArray payload;
    if (method == "POST" && !body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *r = m_network.sendCustomRequest(request, method, payload);
    connect(r, &QNetworkReply::finished, this, [this, r, reply = std::move(reply)] {
        r->deleteLater();
        const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject json = QJsonDocument::fromJson(r->readAll()).object();
        if (status == 0) {
            const bool timedOut = r->error() == QNetworkReply::OperationCanceledError ||
                                  r->error() == QNetworkReply::TimeoutError;
            setOnline(false);
            reply(
                Error{timedOut ? ErrorCode::Timeout : ErrorCode::NetworkError,
                      QStringLiteral("cannot reach the account server: %1").arg(r->errorString())});
            return;
        }
        if (status >= 200 && status < 300) {
            setOnline(true);
            reply(json);
            return;
        }
        const QString wire = json.value(QLatin1StringView("code")).toString();
        const std::optional<ErrorCode> code = errorCodeFromWire(wire);
        Error error{code.value_or(status >= 500 ? ErrorCode::Internal : ErrorCode::InvalidField),
                    json.value(QLatin1StringView("message"))
                        .toString(QStringLiteral("the account server answered %1").arg(status))};
        setOnline(!isTransient(error) || status < 500);
        reply(error);
    });
}

void Engine::adoptSession(const QJsonObject &answer, std::function<void()> stored)
{
    m_accessToken = answer.value(QLatin1StringView("access_token")).toString().toLatin1();
    m_refreshToken = answer.value(QLatin1StringView("refresh_token")).toString().toLatin1();
    const Result<User> user = User::fromJson(answer.value(QLatin1StringView("user")).toObject());
    if (user)
        m_user = *user;
    m_store.writeProfile(m_user);
    m_retryDelaySecs = 0;
    scheduleRefresh(answer.value(QLatin1StringView("expires_in")).toInt(3600) - refreshMarginSecs);
    // The game hears of the session once it is stored (the secret store answers
    // asynchronously, or falls back to the file): a game that quits right after the
    // login must find the player logged in on its next start.
    m_store.writeSecret(m_refreshToken, [stored = std::move(stored)](bool) { stored(); });
    if (m_live)
        m_live->start();
}

void Engine::scheduleRefresh(int inSeconds)
{
    m_refreshTimer.start(std::chrono::seconds(std::max(5, inSeconds)));
}

void Engine::endSession()
{
    m_refreshTimer.stop();
    if (m_live)
        m_live->stop();
    m_accessToken.clear();
    m_refreshToken.clear();
    m_user = User{};
    // The game hears of the logout only once the stored session is gone: a game that quits
    // in onLogout must not find the player logged in again on its next start.
    m_store.clear([events = m_events] { events.loggedOut(); });
}

bool Engine::startFlow(const QString &provider, const QString &linkTicket, FlowDone done)
{
    if (m_flow)
        return false;
    m_flow = new BrowserFlow(m_config, &m_network, this, provider, linkTicket);
    connect(m_flow, &BrowserFlow::finished, this,
            [this, done = std::move(done)](const Result<ProviderTokens> &tokens) {
                m_flow->deleteLater();
                m_flow = nullptr;
                done(tokens);
            });
    m_flow->start();
    return true;
}

void Engine::startLogin()
{
    const bool broker = m_config.mode == LoginMode::Broker;
    startFlow(broker ? m_config.provider : QString(), {},
              [this, broker](const Result<ProviderTokens> &tokens) {
                  if (!tokens) {
                      m_events.loginFailed(tokens.error());
                      return;
                  }
                  if (broker) {
                      finishLogin(tokens->session);
                      return;
                  }
                  const QString provider =
                      m_config.provider.isEmpty() ? QStringLiteral("google") : m_config.provider;
                  QJsonObject body{{QStringLiteral("provider"), provider}};
                  if (m_config.useAccessToken)
                      body.insert(QStringLiteral("access_token"), tokens->accessToken);
                  else
                      body.insert(QStringLiteral("id_token"), tokens->idToken);
                  call("POST", QStringLiteral("/api/login"), body, {},
                       [this](const Result<QJsonObject> &answer) { finishLogin(answer); });
              });
}

void Engine::finishLogin(const Result<QJsonObject> &answer)
{
    if (!answer) {
        m_events.loginFailed(answer.error());
        return;
    }
    adoptSession(*answer, [this] { m_events.loggedIn(m_user); });
}

void Engine::finishLink(const Result<QJsonObject> &answer, const UserReply &reply)
{
    if (!answer) {
        reply(answer.error());
        return;
    }
    // The link came with a new session of the same player: it replaces ours (and the event
    // socket of ours goes first, or it would hear its own session end).
    if (m_live)
        m_live->stop();
    if (!m_accessToken.isEmpty())
        call("POST", QStringLiteral("/api/logout"), {}, m_accessToken,
             [](const Result<QJsonObject> &) {});
    adoptSession(*answer, [this, reply] {
        m_events.userChanged(m_user);
        reply(m_user);
    });
}

void Engine::loginAsGuest()
{
    call("POST", QStringLiteral("/api/login/guest"), {}, {},
         [this](const Result<QJsonObject> &answer) { finishLogin(answer); });
}

void Engine::startDeviceLogin(std::function<void(const DeviceCode &)> onCode)
{
    if (m_device || m_flow) {
        m_events.loginFailed(
            Error{ErrorCode::InvalidField, QStringLiteral("a sign-in is already running")});
        return;
    }
    m_device = new DeviceFlow(m_config, &m_network, this);
    connect(m_device, &DeviceFlow::codeReady, this, std::move(onCode));
    connect(m_device, &DeviceFlow::finished, this, [this](const Result<QJsonObject> &session) {
        m_device->deleteLater();
        m_device = nullptr;
        finishLogin(session);
    });
    m_device->start();
}

void Engine::loginWithSteamTicket(const QString &hexTicket)
{
    call("POST", QStringLiteral("/api/login"),
         {{QStringLiteral("provider"), QStringLiteral("steam")},
          {QStringLiteral("ticket"), hexTicket}},
         {}, [this](const Result<QJsonObject> &answer) { finishLogin(answer); });
}

void Engine::linkSteam(const QString &hexTicket, UserReply reply)
{
    authorizedCall(
        "POST", QStringLiteral("/api/identities/link"), {},
        [this, hexTicket, reply](const Result<QJsonObject> &answer) {
            if (!answer) {
                reply(answer.error());
                return;
            }
            const QJsonObject body{
                {QStringLiteral("provider"), QStringLiteral("steam")},
                {QStringLiteral("ticket"), hexTicket},
                {QStringLiteral("link_ticket"), answer->value(QLatin1StringView("link_ticket"))}};
            call("POST", QStringLiteral("/api/login"), body, {},
                 [this, reply](const Result<QJsonObject> &linked) { finishLink(linked, reply); });
        });
}

void Engine::link(const QString &provider, UserReply reply)
{
    authorizedCall(
        "POST", QStringLiteral("/api/identities/link"), {},
        [this, provider, reply](const Result<QJsonObject> &answer) {
            if (!answer) {
                reply(answer.error());
                return;
            }
            const QString ticket = answer->value(QLatin1StringView("link_ticket")).toString();
            const bool started =
                startFlow(provider, ticket, [this, reply](const Result<ProviderTokens> &tokens) {
                    finishLink(tokens ? Result<QJsonObject>(tokens->session)
                                      : Result<QJsonObject>(tokens.error()),
                               reply);
                });
            if (!started)
                reply(Error{ErrorCode::InvalidField,
                            QStringLiteral("a sign-in is already running in the browser")});
        });
}

void Engine::identities(std::function<void(const Result<QList<Identity>> &)> reply)
{
    authorizedCall(
        "GET", QStringLiteral("/api/identities"), {}, [reply](const Result<QJsonObject> &answer) {
            if (!answer) {
                reply(answer.error());
                return;
            }
            QList<Identity> list;
            const QJsonArray array = answer->value(QLatin1StringView("identities")).toArray();
            for (const QJsonValue &value : array) {
                const QJsonObject o = value.toObject();
                list.append(
                    {o.value(QLatin1StringView("provider")).toString(),
                     o.value(QLatin1StringView("subject")).toString(),
                     o.value(QLatin1StringView("email")).toString(),
                     QDateTime::fromString(o.value(QLatin1StringView("created_at")).toString(),
                                           Qt::ISODateWithMs)});
            }
            reply(list);
        });
}

void Engine::unlink(const QString &provider, std::function<void(const Status &)> reply)
{
    authorizedCall("DELETE",
                   QStringLiteral("/api/identities/%1")
                       .arg(QString::fromLatin1(QUrl::toPercentEncoding(provider))),
                   {}, [reply](const Result<QJsonObject> &answer) {
                       if (answer)
                           reply(Done{});
                       else
                           reply(answer.error());
                   });
}

void Engine::cancelLogin()
{
    if (m_flow)
        m_flow->cancel();
    if (m_device)
        m_device->cancel();
}

void Engine::restore()
{
    // Reading the secret store is asynchronous: until it answers, count as refreshing, so
    // calls made right after loadStoredCredentials() wait for the session instead of
    // failing with "not logged in".
    m_refreshing = true;
    m_store.readSecret([this](std::optional<QByteArray> token) {
        m_refreshing = false;
        if (!token) {
            qCInfo(lcEngine) << "no stored session";
            auto waiters = std::exchange(m_refreshWaiters, {});
            for (auto &w : waiters)
                w(Error{ErrorCode::InvalidRefreshToken, QStringLiteral("no stored session")});
            endSession();
            return;
        }
        m_refreshToken = *token;
        refresh({});
    });
}

void Engine::refresh(UserReply reply)
{
    if (reply)
        m_refreshWaiters.push_back(std::move(reply));
    if (m_refreshing)
        return; // one refresh in flight; everyone waits for its answer
    if (m_refreshToken.isEmpty()) {
        auto waiters = std::exchange(m_refreshWaiters, {});
        for (auto &w : waiters)
            w(Error{ErrorCode::InvalidRefreshToken, QStringLiteral("not logged in")});
        return;
    }
    m_refreshing = true;
    m_refreshTimer.stop();
    call("POST", QStringLiteral("/api/refresh"),
         {{QStringLiteral("refresh_token"), QString::fromLatin1(m_refreshToken)}}, {},
         [this](const Result<QJsonObject> &answer) {
             m_refreshing = false;
             auto waiters = std::exchange(m_refreshWaiters, {});
             if (answer) {
                 adoptSession(*answer, [this, waiters = std::move(waiters)] {
                     m_events.refreshed(m_user);
                     for (auto &w : waiters)
                         w(m_user);
                 });
                 return;
             }
             const Result<User> result = answer.error();
             if (isTransient(answer.error())) {
                 // Not a logout: keep the session and try again later, backing off.
                 m_retryDelaySecs =
                     std::min(maxRetryDelaySecs, m_retryDelaySecs ? m_retryDelaySecs * 2 : 1);
                 qCInfo(lcEngine) << "refresh failed, retrying in" << m_retryDelaySecs
                                  << "s:" << answer.error().message;
                 m_refreshTimer.start(std::chrono::seconds(m_retryDelaySecs));
             } else {
                 qCInfo(lcEngine) << "the server ended the session:" << answer.error().message;
                 endSession();
             }
             for (auto &w : waiters)
                 w(result);
         });
}

void Engine::authorizedCall(const QByteArray &method, const QString &path, const QJsonObject &body,
                            JsonReply reply, bool mayRefresh)
{
    if (m_accessToken.isEmpty() && mayRefresh) {
        refresh([this, method, path, body, reply](const Result<User> &refreshed) {
            if (!refreshed)
                reply(refreshed.error());
            else
                authorizedCall(method, path, body, reply, false);
        });
        return;
    }
    call(method, path, body, m_accessToken,
         [this, method, path, body, reply, mayRefresh](const Result<QJsonObject> &answer) {
             // Once after a 401: the access token may have expired (a sleeping laptop).
             if (!answer && answer.error().code == ErrorCode::InvalidToken && mayRefresh) {
                 m_accessToken.clear();
                 authorizedCall(method, path, body, reply, true);
                 return;
             }
             reply(answer);
         });
}

void Engine::updateProfile(const QString &field, const QString &value, UserReply reply)
{
    const QString path = field == QLatin1StringView("new_username")
                             ? QStringLiteral("/api/update_username")
                             : QStringLiteral("/api/update_picture");
    changeProfile(path, {{field, value}}, std::move(reply));
}

void Engine::usernameFromSteam(UserReply reply)
{
    changeProfile(QStringLiteral("/api/update_username/steam"), {}, std::move(reply));
}

void Engine::changeProfile(const QString &path, const QJsonObject &body, UserReply reply)
{
    authorizedCall("POST", path, body, [this, reply](const Result<QJsonObject> &answer) {
        if (!answer) {
            reply(answer.error());
            return;
        }
        const Result<User> user =
            User::fromJson(answer->value(QLatin1StringView("user")).toObject());
        if (user) {
            m_user = *user;
            m_store.writeProfile(m_user);
            m_events.userChanged(m_user);
        }
        reply(user);
    });
}

void Engine::logout()
{
    if (!m_accessToken.isEmpty()) // best effort: the local logout does not wait for it
        call("POST", QStringLiteral("/api/logout"), {}, m_accessToken,
             [](const Result<QJsonObject> &) {});
    cancelLogin();
    endSession();
}

} // namespace latchkey
