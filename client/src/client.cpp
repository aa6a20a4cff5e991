// Client and its game-side state; everything network goes to the Engine on the library thread.
#include <latchkey/client.h>

#include "callbackqueue_p.h"
#include "credentialstore_p.h"
#include "engine_p.h"
#include "librarythread_p.h"

#include <QPointer>

namespace latchkey {

class Client::Private
{
public:
    Private(Client *q, ClientConfig config) : q(q), config(std::move(config)) {}

    // Queues \a f to run inside processCallbacks() (on the game's thread).
    void post(std::function<void()> f) { queue->push(std::move(f)); }

    template <typename F> void toEngine(F &&f)
    {
        QMetaObject::invokeMethod(engine, std::forward<F>(f), Qt::QueuedConnection);
    }

    // A reply that the engine calls on its thread and the game receives on its own.
    template <typename T> std::function<void(const T &)> reply(std::function<void(const T &)> done)
    {
        return [queue = queue, done = std::move(done)](const T &result) {
            if (done)
                queue->push([done, result] { done(result); });
        };
    }
    UserReply userReply(UserCallback done) { return reply<Result<User>>(std::move(done)); }

    // Starts \a start (a browser login, a guest) unless a login runs already.
    bool beginLogin(LoginCallback success, LogoutCallback logout, void (Engine::*start)())
    {
        return beginLogin(std::move(success), std::move(logout),
                          [start](Engine *engine) { (engine->*start)(); });
    }
    bool beginLogin(LoginCallback success, LogoutCallback logout,
                    std::function<void(Engine *)> start)
    {
        if (status == LoginStatus::InProgress)
            return false;
        onLogin = std::move(success);
        if (logout)
            onLogout = std::move(logout);
        status = LoginStatus::InProgress;
        loginError = Error{};
        toEngine([engine = engine, start = std::move(start)] { start(engine); });
        return true;
    }

    EngineEvents events()
    {
        EngineEvents e;
        e.loggedIn = [this](const User &user) {
            post([this, user] {
                this->user = user;
                loggedIn = true;
                status = LoginStatus::Success;
                if (onLogin)
                    onLogin(user);
                Q_EMIT q->loggedIn(user);
            });
        };
        e.loginFailed = [this](const Error &error) {
            post([this, error] {
                status = LoginStatus::Failed;
                loginError = error;
                Q_EMIT q->loginFailed(error);
            });
        };
        e.refreshed = [this](const User &user) {
            post([this, user] {
                const bool changed = !(user == this->user);
                this->user = user;
                loggedIn = true;
                if (changed)
                    Q_EMIT q->userChanged(user);
                Q_EMIT q->sessionRefreshed();
            });
        };
        e.userChanged = [this](const User &user) {
            post([this, user] {
                this->user = user;
                Q_EMIT q->userChanged(user);
            });
        };
        e.loggedOut = [this] { post([this] { endLocally(); }); };
        e.onlineChanged = [this](bool online) {
            post([this, online] {
                this->online = online;
                Q_EMIT q->onlineChanged(online);
            });
        };
        e.liveChanged = [this](bool live) {
            post([this, live] {
                this->live = live;
                Q_EMIT q->liveChanged(live);
            });
        };
        e.identityLinked = [this](const QString &provider) {
            post([this, provider] { Q_EMIT q->identityLinked(provider); });
        };
        return e;
    }

    void endLocally()
    {
        if (!loggedIn)
            return;
        loggedIn = false;
        user = User{};
        if (status == LoginStatus::Success)
            status = LoginStatus::NotStarted;
        if (onLogout)
            onLogout();
        Q_EMIT q->loggedOut();
    }

    Client *q;
    ClientConfig config;
    std::shared_ptr<CallbackQueue> queue = std::make_shared<CallbackQueue>();
    std::shared_ptr<LibraryThread> library;
    Engine *engine = nullptr;

    // What the game sees; touched only on the game's thread.
    User user;
    bool loggedIn = false;
    LoginStatus status = LoginStatus::NotStarted;
    Error loginError;
    bool online = true;
    bool live = false;
    LoginCallback onLogin;
    LogoutCallback onLogout;
};

Client::Client(ClientConfig config, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, std::move(config)))
{
    d->library = LibraryThread::acquire();
    d->engine = new Engine(d->config, d->events());
    d->engine->moveToThread(d->library->thread());
    d->queue->setNotify([this] { Q_EMIT callbacksPending(); });
}

Client::~Client()
{
    d->queue->setNotify({});
    // Destroyed on its own thread: replies abort, the listener closes, timers stop there.
    Engine *engine = d->engine;
    QMetaObject::invokeMethod(
        engine, [engine] { delete engine; }, Qt::BlockingQueuedConnection);
    // Whatever the engine queued is never run: its closures point at this object.
}

bool Client::login(LoginCallback onSuccess, LogoutCallback onLogout)
{
    return d->beginLogin(std::move(onSuccess), std::move(onLogout), &Engine::startLogin);
}

bool Client::loginAsGuest(LoginCallback onSuccess, LogoutCallback onLogout)
{
    return d->beginLogin(std::move(onSuccess), std::move(onLogout), &Engine::loginAsGuest);
}

bool Client::loginWithDeviceCode(DeviceCodeCallback onCode, LoginCallback onSuccess,
                                 LogoutCallback onLogout)
{
    auto shown = d->reply<DeviceCode>(std::move(onCode));
    return d->beginLogin(
        std::move(onSuccess), std::move(onLogout),
        [shown = std::move(shown)](Engine *engine) { engine->startDeviceLogin(shown); });
}

bool Client::loginWithSteamTicket(const QString &hexTicket, LoginCallback onSuccess,
                                  LogoutCallback onLogout)
{
    return d->beginLogin(std::move(onSuccess), std::move(onLogout),
                         [hexTicket](Engine *engine) { engine->loginWithSteamTicket(hexTicket); });
}

void Client::linkSteamTicket(const QString &hexTicket, UserCallback done)
{
    d->toEngine([engine = d->engine, hexTicket, reply = d->userReply(std::move(done))] {
        engine->linkSteam(hexTicket, reply);
    });
}

void Client::linkIdentity(const QString &provider, UserCallback done)
{
    d->toEngine([engine = d->engine, provider, reply = d->userReply(std::move(done))] {
        engine->link(provider, reply);
    });
}

void Client::identities(IdentitiesCallback done)
{
    d->toEngine([engine = d->engine, reply = d->reply<Result<QList<Identity>>>(std::move(done))] {
        engine->identities(reply);
    });
}

void Client::unlinkIdentity(const QString &provider, DoneCallback done)
{
    d->toEngine([engine = d->engine, provider, reply = d->reply<Status>(std::move(done))] {
        engine->unlink(provider, reply);
    });
}

void Client::cancelLogin()
{
    if (d->status == LoginStatus::InProgress)
        d->toEngine([engine = d->engine] { engine->cancelLogin(); });
}

int Client::processCallbacks()
{
    int ran = 0;
    CallbackQueue::Callback callback;
    while (d->queue->pop(&callback)) {
        callback();
        ++ran;
    }
    return ran;
}

void Client::setAutoProcessCallbacks(bool enabled)
{
    if (!enabled) {
        d->queue->setNotify([this] { Q_EMIT callbacksPending(); });
        return;
    }
    QPointer<Client> self(this);
    d->queue->setNotify([this, self] {
        Q_EMIT callbacksPending();
        QMetaObject::invokeMethod(
            this,
            [self] {
                if (self)
                    self->processCallbacks();
            },
            Qt::QueuedConnection);
    });
    processCallbacks();
}

bool Client::loadStoredCredentials(LoginCallback onSuccess, LogoutCallback onLogout)
{
    if (onSuccess)
        d->onLogin = std::move(onSuccess);
    if (onLogout)
        d->onLogout = std::move(onLogout);
    const std::optional<StoredProfile> profile = CredentialStore::readProfile(d->config);
    if (!profile)
        return false;
    d->user = profile->user;
    d->loggedIn = true;
    d->status = LoginStatus::Success;
    d->post([this] {
        if (d->loggedIn && d->onLogin)
            d->onLogin(d->user);
        if (d->loggedIn)
            Q_EMIT loggedIn(d->user);
    });
    d->toEngine([engine = d->engine] { engine->restore(); });
    return true;
}

void Client::refreshTokens(UserCallback done)
{
    d->toEngine(
        [engine = d->engine, reply = d->userReply(std::move(done))] { engine->refresh(reply); });
}

void Client::logout()
{
    // onLogout runs (inside processCallbacks) after the engine has forgotten the session.
    d->toEngine([engine = d->engine] { engine->logout(); });
}

void Client::updateUsername(const QString &newUsername, UserCallback done)
{
    d->toEngine([engine = d->engine, newUsername, reply = d->userReply(std::move(done))] {
        engine->updateProfile(QStringLiteral("new_username"), newUsername, reply);
    });
}

void Client::updatePicture(const QString &pictureUrl, UserCallback done)
{
    d->toEngine([engine = d->engine, pictureUrl, reply = d->userReply(std::move(done))] {
        engine->updateProfile(QStringLiteral("new_picture"), pictureUrl, reply);
    });
}

void Client::updateUsernameFromSteam(UserCallback done)
{
    d->toEngine([engine = d->engine, reply = d->userReply(std::move(done))] {
        engine->usernameFromSteam(reply);
    });
}

User Client::user() const
{
    return d->user;
}

bool Client::isLoggedIn() const
{
    return d->loggedIn;
}

LoginStatus Client::loginStatus() const
{
    return d->status;
}

Error Client::loginError() const
{
    return d->loginError;
}

bool Client::isOnline() const
{
    return d->online;
}

bool Client::isLive() const
{
    return d->live;
}

} // namespace latchkey
