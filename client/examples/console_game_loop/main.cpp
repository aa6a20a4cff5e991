// The example a game developer copies: Latchkey login from a plain game loop, no Qt app.
//
// A game has no QCoreApplication and no Qt event loop: it has a frame loop. Latchkey fits
// into it like this:
//
//  * The Client does all its network work on the library's own thread (the library starts
//    it, with its own Qt event loop, the first time a Client is created).
//  * Nothing the library finishes is handed to the game directly. Results are queued and
//    run only inside Client::processCallbacks(), on the thread that calls it. Call it once
//    per frame from the game's main thread: every callback below (onSuccess, onLogout, the
//    updateUsername() reply) then runs on that thread, between two frames, so game state
//    needs no locks.
//  * user(), isLoggedIn() and loginStatus() change only inside processCallbacks(): within
//    one frame the game sees one consistent picture.
//  * No call blocks on the network, so a frame never stalls on a slow server.
//
// Environment (all optional except where the server needs them):
//   LATCHKEY_SERVER_URL      the account server (default http://127.0.0.1:8000)
//   LATCHKEY_CLIENT_ID       the game's client ID (default latchkey-demo, which the server's
//                            embedded default registers)
//   LATCHKEY_PROVIDER        skip the server's sign-in chooser: dev, guest, github, ...
//   LATCHKEY_ISSUER          Direct mode instead: this OpenID issuer's discovery document
//                            gives the endpoints; LATCHKEY_CLIENT_ID is the client there
//   LATCHKEY_CLIENT_SECRET   its secret (Google requires one for desktop apps)
//   LATCHKEY_STORAGE_DIR     where the session is kept between runs
//   LATCHKEY_SECRET_STORAGE  automatic (default), keychain or file
//   LATCHKEY_NEW_USERNAME    the name to rename the player to (default "<name>_renamed")
//   LATCHKEY_TIMEOUT_SECONDS give up after this long (default 300)
//   LATCHKEY_BROWSER_COMMAND a program started with the login URL as its only argument,
//                            instead of the desktop's browser (tests drive the login with it)
//
// Exit status: 0 once the player was shown and renamed, 1 when the login failed or the
// timeout passed, 2 when the server refused the new name.

#include <latchkey/client.h>

#include <QProcess>

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <thread>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto framePeriod = std::chrono::microseconds(1'000'000 / 60); // 60 frames per second

void say(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

void complain(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
    std::fflush(stderr);
}

QString describe(const latchkey::Error &error)
{
    return QStringLiteral("%1: %2").arg(latchkey::wireName(error.code), error.message);
}

QString describe(const latchkey::User &user)
{
    return QStringLiteral("player: name=%1 email=%2 stars=%3 level=%4")
        .arg(user.name, user.email)
        .arg(user.stars)
        .arg(user.level);
}

std::optional<latchkey::SecretStorage> secretStorageFrom(const QString &name)
{
    if (name.isEmpty() || name == QLatin1StringView("automatic"))
        return latchkey::SecretStorage::Automatic;
    if (name == QLatin1StringView("keychain"))
        return latchkey::SecretStorage::Keychain;
    if (name == QLatin1StringView("file"))
        return latchkey::SecretStorage::File;
    return std::nullopt;
}

//! Configuration: what a game would hard-code or read from its own settings.
latchkey::Result<latchkey::ClientConfig> configFromEnvironment()
{
    latchkey::ClientConfig config;
    config.serverUrl =
        QUrl(qEnvironmentVariable("LATCHKEY_SERVER_URL", QStringLiteral("http://127.0.0.1:8000")));
    // The account server's sign-in page (any provider it offers), as the client the
    // server's embedded default registers; LATCHKEY_PROVIDER skips its chooser.
    config.clientId = qEnvironmentVariable("LATCHKEY_CLIENT_ID", QStringLiteral("latchkey-demo"));
    config.provider = qEnvironmentVariable("LATCHKEY_PROVIDER");
    if (const QString issuer = qEnvironmentVariable("LATCHKEY_ISSUER"); !issuer.isEmpty()) {
        // Direct mode: the game talks to this OpenID provider itself. Empty endpoints make
        // the library read <issuer>/.well-known/openid-configuration.
        config.mode = latchkey::LoginMode::Direct;
        config.clientSecret = qEnvironmentVariable("LATCHKEY_CLIENT_SECRET");
        config.issuer = QUrl(issuer);
        config.authorizationEndpoint.clear();
        config.tokenEndpoint.clear();
    }
    // Names the session's storage, so two games on one machine keep separate players.
    config.organization = QStringLiteral("Latchkey Examples");
    config.application = QStringLiteral("Console Game Loop");
    config.storageDirectory = qEnvironmentVariable("LATCHKEY_STORAGE_DIR");
    const std::optional<latchkey::SecretStorage> storage =
        secretStorageFrom(qEnvironmentVariable("LATCHKEY_SECRET_STORAGE"));
    if (!storage) {
        return latchkey::Error{latchkey::ErrorCode::InvalidField,
                               QStringLiteral("LATCHKEY_SECRET_STORAGE must be automatic, "
                                              "keychain or file")};
    }
    config.secretStorage = *storage;
    if (const QString command = qEnvironmentVariable("LATCHKEY_BROWSER_COMMAND");
        !command.isEmpty()) {
        // Runs on the library's thread; started detached so it never holds up the login.
        config.openBrowser = [command](const QUrl &url) {
            return QProcess::startDetached(command, {url.toString(QUrl::FullyEncoded)});
        };
    } // else: the desktop's default browser
    return config;
}

//! The game's state and what changes it. The callbacks run inside processCallbacks() on
//! this thread, so plain members are enough.
class Game
{
public:
    Game(const latchkey::ClientConfig &config, QString requestedName)
        : m_serverUrl(config.serverUrl), m_requestedName(std::move(requestedName)), m_client(config)
    {
        // The session also refreshes in the background; a stored one is confirmed by its
        // first refresh. The signal is emitted inside processCallbacks(), on this thread.
        QObject::connect(&m_client, &latchkey::Client::sessionRefreshed, &m_client,
                         [this] { m_sessionConfirmed = true; });
    }

    //! The stored session when there is one, else the browser.
    void start()
    {
        if (m_client.loadStoredCredentials([this](const latchkey::User &p) { onLogin(p); },
                                           [this] { onLogout(); })) {
            // user() is the cached player already; the server confirms the session shortly.
            say(QStringLiteral("restoring the stored session of ") + m_client.user().name);
        } else {
            say(QStringLiteral("opening the browser for the login"));
            loginWithBrowser();
        }
    }

    //! One frame: run what the library finished, then the game logic. The exit status
    //! once the game is over.
    std::optional<int> frame(Clock::time_point deadline)
    {
        // 1. Run whatever the library finished since the last frame (callbacks, signals).
        m_client.processCallbacks();

        // 2. Game logic: poll the state the callbacks left.
        if (m_step == Step::Done)
            return m_exitCode;
        if (m_client.loginStatus() == latchkey::LoginStatus::Failed) {
            complain(QStringLiteral("login failed: ") + describe(m_client.loginError()));
            return 1; // ~Client abandons whatever is still running
        }
        if (m_step == Step::WaitingForSession && m_client.isLoggedIn() && m_sessionConfirmed)
            rename(m_client.user());
        if (Clock::now() >= deadline) {
            complain(QStringLiteral("timed out waiting %1 (is the account server at %2 up?)")
                         .arg(waitingFor(), m_serverUrl.toString()));
            return 1;
        }
        return std::nullopt;
    }

private:
    enum class Step { WaitingForSession, Renaming, Done };

    void loginWithBrowser()
    {
        m_client.login(
            [this](const latchkey::User &player) {
                m_sessionConfirmed = true;
                onLogin(player);
            },
            [this] { onLogout(); });
    }

    void onLogin(const latchkey::User &player)
    {
        if (!m_sessionConfirmed)
            say(QStringLiteral("welcome back (from the stored session): ") + player.name);
        else
            say(QStringLiteral("logged in: ") + player.name);
    }

    // Runs when the session ends: here, when the stored session was refused by the server
    // (expired, revoked): the player logs in again with the browser.
    void onLogout()
    {
        say(QStringLiteral("the stored session has ended: logging in with the browser"));
        loginWithBrowser();
    }

    void rename(const latchkey::User &player)
    {
        say(describe(player));
        const QString newName =
            m_requestedName.isEmpty() ? player.name + QStringLiteral("_renamed") : m_requestedName;
        say(QStringLiteral("renaming %1 to %2").arg(player.name, newName));
        m_step = Step::Renaming;
        m_client.updateUsername(newName, [this](const latchkey::Result<latchkey::User> &result) {
            if (result) {
                say(QStringLiteral("renamed: ") + describe(*result));
            } else {
                complain(QStringLiteral("rename failed: ") + describe(result.error()));
                m_exitCode = 2;
            }
            m_step = Step::Done;
        });
    }

    QString waitingFor() const
    {
        if (m_step == Step::Renaming)
            return QStringLiteral("for the account server to rename the player");
        if (m_client.isLoggedIn())
            return QStringLiteral("for the account server to confirm the stored session");
        return QStringLiteral("for the login");
    }

    const QUrl m_serverUrl;
    const QString m_requestedName;
    Step m_step = Step::WaitingForSession;
    int m_exitCode = 0;
    bool m_sessionConfirmed = false; // the server has accepted the session (not just the cache)
    latchkey::Client m_client;       // last: destroyed first, nothing queued runs after
};

} // namespace

int main()
{
    const latchkey::Result<latchkey::ClientConfig> config = configFromEnvironment();
    if (!config) {
        complain(config.error().message);
        return 1;
    }
    bool timeoutOk = false;
    const int timeoutSecs = qEnvironmentVariableIntValue("LATCHKEY_TIMEOUT_SECONDS", &timeoutOk);
    const auto deadline =
        Clock::now() + std::chrono::seconds(timeoutOk && timeoutSecs > 0 ? timeoutSecs : 300);

    Game game(*config, qEnvironmentVariable("LATCHKEY_NEW_USERNAME"));
    game.start();

    // --- The frame loop. ---
    auto nextFrame = Clock::now();
    for (;;) {
        if (const std::optional<int> exitCode = game.frame(deadline))
            return *exitCode;
        // 3. Render, then wait for the next frame.
        nextFrame += framePeriod;
        std::this_thread::sleep_until(nextFrame);
    }
}
