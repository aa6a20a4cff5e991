// The client's work on the library's thread: login, refresh, calls to the Latchkey server.
#pragma once

#include "browserflow_p.h"
#include "credentialstore_p.h"
#include "deviceflow_p.h"
#include "eventsocket_p.h"

#include <latchkey/client.h>

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

namespace latchkey {

//! How the engine tells the game's side what happened. Each function only queues a
//! closure; nothing here runs game code on the library's thread.
struct EngineEvents
{
    std::function<void(const User &)> loggedIn; //!< a login finished
    std::function<void(const Error &)> loginFailed;
    std::function<void(const User &)> refreshed; //!< tokens renewed, player data fresh
    std::function<void(const User &)> userChanged;
    std::function<void()> loggedOut; //!< the session is over
    std::function<void(bool)> onlineChanged;
    std::function<void(bool)> liveChanged; //!< the event socket opened or closed
    std::function<void(const QString &)> identityLinked;
};

using UserReply = std::function<void(const Result<User> &)>;

class Engine : public QObject
{
    Q_OBJECT
public:
    Engine(const ClientConfig &config, EngineEvents events);
    ~Engine() override;

    void startLogin();
    void cancelLogin();
    void loginAsGuest();
    //! The device grant: \a onCode gets the code to show; then as startLogin().
    void startDeviceLogin(std::function<void(const DeviceCode &)> onCode);
    void loginWithSteamTicket(const QString &hexTicket);
    //! POST /api/identities/link, then /api/login with the Steam ticket and the link ticket.
    void linkSteam(const QString &hexTicket, UserReply reply);
    //! POST /api/identities/link, then the browser flow with the ticket; the renewed
    //! session replaces the current one.
    void link(const QString &provider, UserReply reply);
    void identities(std::function<void(const Result<QList<Identity>> &)> reply);
    void unlink(const QString &provider, std::function<void(const Status &)> reply);
    void restore();
    void refresh(UserReply reply);
    void logout();
    void updateProfile(const QString &field, const QString &value, UserReply reply);
    //! POST /api/update_username/steam: the name from the player's Steam persona.
    void usernameFromSteam(UserReply reply);

    //! Test hook: the loopback port of the running login (0 when none).
    quint16 loginPort() const { return m_flow ? m_flow->port() : 0; }

private:
    using JsonReply = std::function<void(const Result<QJsonObject> &)>;
    void call(const QByteArray &method, const QString &path, const QJsonObject &body,
              const QByteArray &bearer, JsonReply reply);
    void authorizedCall(const QByteArray &method, const QString &path, const QJsonObject &body,
                        JsonReply reply, bool mayRefresh = true);
    using FlowDone = std::function<void(const Result<ProviderTokens> &)>;
    //! Starts the browser flow (one at a time: false while one runs).
    bool startFlow(const QString &provider, const QString &linkTicket, FlowDone done);
    //! Takes the tokens and player of a login/refresh answer; \a stored runs once the
    //! refresh token is in the secret store (or its file).
    void adoptSession(const QJsonObject &answer, std::function<void()> stored);
    //! A login's answer: adopt it and say loggedIn, or say loginFailed.
    void finishLogin(const Result<QJsonObject> &answer);
    //! A link's answer: a new session of the same player that replaces ours.
    void finishLink(const Result<QJsonObject> &answer, const UserReply &reply);
    void endSession();
    //! A profile change answered with the player, who then replaces ours.
    void changeProfile(const QString &path, const QJsonObject &body, UserReply reply);
    void setOnline(bool online);
    //! The event socket wired to this engine, and what its messages do (eventsocket.cpp).
    EventSocket *makeEventSocket();
    void handleEvent(const QJsonObject &event);
    void scheduleRefresh(int inSeconds);
    static bool isTransient(const Error &error);

    ClientConfig m_config;
    EngineEvents m_events;
    QNetworkAccessManager m_network;
    CredentialStore m_store;
    BrowserFlow *m_flow = nullptr;
    DeviceFlow *m_device = nullptr;
    QByteArray m_accessToken;
    QByteArray m_refreshToken;
    User m_user;
    bool m_refreshing = false;
    std::vector<UserReply> m_refreshWaiters;
    QTimer m_refreshTimer;
    int m_retryDelaySecs = 0;
    bool m_online = true;
    EventSocket *m_live = nullptr; //!< unless ClientConfig::liveEvents is off
};

} // namespace latchkey
