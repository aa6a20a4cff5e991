// Latchkey's client library: browser login with PKCE, a session that persists and refreshes
// itself, and results delivered on the game's own thread.
#pragma once

#include <latchkey/error.h>
#include <latchkey/latchkey_client_export.h>
#include <latchkey/user.h>

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>

namespace latchkey {

//! Where the login stands (the seed's OAuthManager reported the same four states).
enum class LoginStatus { NotStarted, InProgress, Success, Failed };

//! Where the refresh token is kept.
enum class SecretStorage {
    Automatic, //!< the OS secret store (QtKeychain); a 0600 file when none answers
    Keychain,  //!< the OS secret store only
    File,      //!< a file only the user can read (tests, headless machines)
};

//! A provider account attached to the player's account (identities()).
struct Identity
{
    QString provider; //!< "google", "github", "guest", ...
    QString subject;  //!< the provider's id of the account
    QString email;
    QDateTime createdAt;
};

//! A device login's code (RFC 8628): show userCode and verificationUri (or a QR code of
//! verificationUriComplete); the player types the code there on a phone or computer.
struct DeviceCode
{
    QString userCode;             //!< "BCDF-GHJK"
    QUrl verificationUri;         //!< e.g. https://accounts.example.com/device
    QUrl verificationUriComplete; //!< the same with the code filled in
    QDateTime expiresAt;          //!< UTC
};

//! Opens \a url in the player's browser; returns false when it could not.
using BrowserOpener = std::function<bool(const QUrl &url)>;

//! How login() signs the player in.
enum class LoginMode {
    //! Through the account server's sign-in page (its /oauth/authorize): the player picks
    //! any provider the server offers, or plays as a guest. Needs serverUrl and clientId.
    Broker,
    //! The game talks to one OpenID provider itself and sends its ID token (or access
    //! token) to /api/login: for seed-generation servers. Uses issuer, the endpoints,
    //! clientSecret, scopes and useAccessToken below.
    Direct,
};

struct ClientConfig
{
    QUrl serverUrl;   //!< the Latchkey account server, e.g. https://accounts.example.com
    QString clientId; //!< the game's client ID (Broker: registered in the server's clients:;
                      //!< Direct: at the provider)
    LoginMode mode = LoginMode::Broker;
    //! Broker: a provider to go to straight away, skipping the chooser ("github", "guest");
    //! empty shows the chooser. Direct: the provider named to /api/login (empty: "google").
    QString provider;

    // Direct mode only.
    QString clientSecret; //!< Google requires one for desktop apps (it is not secret there)
    //! OpenID provider; its /.well-known/openid-configuration is read when the two
    //! endpoints below are empty. Defaults to Google's endpoints.
    QUrl issuer{QStringLiteral("https://accounts.google.com")};
    QUrl authorizationEndpoint{QStringLiteral("https://accounts.google.com/o/oauth2/v2/auth")};
    QUrl tokenEndpoint{QStringLiteral("https://oauth2.googleapis.com/token")};
    QStringList scopes{QStringLiteral("openid"), QStringLiteral("email"),
                       QStringLiteral("profile")};
    //! Send the provider's access token to /api/login instead of its ID token (seed servers).
    bool useAccessToken = false;

    QString organization; //!< with application: names the storage ("Acme", "Space Game")
    QString application;
    QString storageDirectory; //!< default: <XDG data>/latchkey/<organization>/<application>
    SecretStorage secretStorage = SecretStorage::Automatic;

    //! While logged in, keep the server's live event socket open (GET /api/events): a
    //! session ended elsewhere (logout on another device, an admin, a ban) logs the player
    //! out at once, and a changed profile updates user(). Off: they are seen at the next
    //! refresh. A server without /api/events (seed generation: 404) is left alone.
    bool liveEvents = true;

    std::chrono::milliseconds loginTimeout{std::chrono::minutes(5)};
    std::chrono::milliseconds requestTimeout{std::chrono::seconds(15)};
    //! Default: the desktop's browser (xdg-open, open, or the Windows shell).
    BrowserOpener openBrowser;
};

//! One player's session with a Latchkey server.
//!
//! Threads: every network call runs on the library's own thread (with its own Qt event
//! loop, also when the host has no QCoreApplication). Results and callbacks are queued and
//! run only inside processCallbacks(), on the thread that calls it; in a Qt app,
//! setAutoProcessCallbacks(true) drains the queue on this object's thread by itself.
//! State getters (user(), isLoggedIn(), loginStatus()) change only when callbacks run, so
//! the game always sees a consistent picture. No call blocks on the network.
class LATCHKEY_CLIENT_EXPORT Client : public QObject
{
    Q_OBJECT
public:
    using LoginCallback = std::function<void(const User &user)>;
    using LogoutCallback = std::function<void()>;
    using UserCallback = std::function<void(const Result<User> &result)>;
    using IdentitiesCallback = std::function<void(const Result<QList<Identity>> &result)>;
    using DoneCallback = std::function<void(const Status &result)>;
    using DeviceCodeCallback = std::function<void(const DeviceCode &code)>;

    explicit Client(ClientConfig config, QObject *parent = nullptr);
    //! Safe while a login or refresh is in flight: they are abandoned, their callbacks dropped.
    ~Client() override;

    //! Opens the browser at the account server's sign-in page (Broker mode) or the
    //! provider's (Direct mode), then trades the code for a Latchkey session. \a onSuccess gets the
    //! player; \a onLogout runs whenever the session ends later (logout(), or a refresh the server
    //! rejects). A failed login is reported by loginStatus() == Failed, loginError() and
    //! loginFailed(). Returns false, and does nothing, while a login is already running.
    bool login(LoginCallback onSuccess, LogoutCallback onLogout = {});
    //! Ends a running login (closes the loopback listener, stops polling); loginError() says
    //! Cancelled.
    void cancelLogin();
    //! Signs in as a new guest (POST /api/login/guest), no browser: a full session that a
    //! later linkIdentity() turns into a full account. Same callbacks and states as login().
    bool loginAsGuest(LoginCallback onSuccess, LogoutCallback onLogout = {});
    //! For consoles, TVs and command lines (RFC 8628): asks the server for a code, hands it
    //! to \a onCode (show it), then polls on the library's thread, honouring slow_down, until
    //! the player signed in on another device and allowed this one. The client's clientId
    //! must have `device: true` on the server. Denied: loginError() is Cancelled; expired:
    //! Timeout; cancelLogin() ends it. Same callbacks and states as login() otherwise.
    bool loginWithDeviceCode(DeviceCodeCallback onCode, LoginCallback onSuccess,
                             LogoutCallback onLogout = {});
    //! Signs in with a Steam session ticket the game got from Steamworks
    //! (ISteamUser::GetAuthTicketForWebApi, hex-encoded); the library does not link Steamworks.
    //! AccountBanned when the server's ban policy refuses the Steam account.
    bool loginWithSteamTicket(const QString &hexTicket, LoginCallback onSuccess,
                              LogoutCallback onLogout = {});
    //! Logged in: attaches the Steam account of \a hexTicket to the player's account (a
    //! guest becomes a full account); IdentityInUse when it belongs to another player.
    void linkSteamTicket(const QString &hexTicket, UserCallback done);
    //! Broker mode, logged in: opens the browser at \a provider's sign-in and attaches that
    //! account to the player's (a guest becomes a full account). \a done gets the player
    //! (the session is renewed), or IdentityInUse when that account belongs to another player.
    void linkIdentity(const QString &provider, UserCallback done);
    //! The provider accounts attached to the player's account.
    void identities(IdentitiesCallback done);
    //! Detaches \a provider's accounts; LastIdentity when it is the only way left to sign in.
    void unlinkIdentity(const QString &provider, DoneCallback done);

    //! Runs the queued callbacks on the calling thread; returns how many ran.
    int processCallbacks();
    //! In a Qt app: drain the queue on this object's thread without processCallbacks().
    void setAutoProcessCallbacks(bool enabled);

    //! Restores the stored session without the browser: when one is stored, user() is the
    //! cached player at once (and onSuccess of \a onSuccess / login() runs on the next
    //! processCallbacks()) while the session refreshes in the background. False when
    //! nothing usable is stored (missing, corrupt or another server's data: logged out).
    bool loadStoredCredentials(LoginCallback onSuccess = {}, LogoutCallback onLogout = {});
    //! Trades the refresh token for new tokens and the latest player data.
    void refreshTokens(UserCallback done = {});
    //! Ends the session at the server, forgets it locally, runs onLogout.
    void logout();

    void updateUsername(const QString &newUsername, UserCallback done);
    void updatePicture(const QString &pictureUrl, UserCallback done);
    //! Renames the player after their Steam persona name (cleaned to the username rules);
    //! NotFound without a Steam sign-in, UsernameTaken when another player has that name.
    void updateUsernameFromSteam(UserCallback done);

    User user() const;
    bool isLoggedIn() const;
    LoginStatus loginStatus() const;
    Error loginError() const; //!< why the last login failed (code + message)
    //! False while the server cannot be reached; the session is kept and retried.
    bool isOnline() const;
    //! True while the live event socket is open (logged in, liveEvents on, server reached):
    //! changes made elsewhere reach this client as they happen.
    bool isLive() const;

Q_SIGNALS:
    void loggedIn(const latchkey::User &user);
    void loginFailed(const latchkey::Error &error);
    void loggedOut();
    void userChanged(const latchkey::User &user);
    void sessionRefreshed();
    void onlineChanged(bool online);
    void liveChanged(bool live);
    //! A provider account was attached to the player's account (here or on another device).
    void identityLinked(const QString &provider);
    //! Emitted on the library's thread whenever a callback was queued: a host without
    //! setAutoProcessCallbacks() may use it to wake its loop.
    void callbacksPending();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace latchkey
