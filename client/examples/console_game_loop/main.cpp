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
//   LATCHKEY_SERVER_URL      the account server (default http://127.0.0.1:8080)
//   LATCHKEY_CLIENT_ID       OAuth client ID of the game at the identity provider
//   LATCHKEY_CLIENT_SECRET   its secret (Google requires one for desktop apps)
//   LATCHKEY_ISSUER          an OpenID issuer; its discovery document then gives the
//                            endpoints (default: Google's built-in endpoints)
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

} // namespace

int main()
{
    // --- Configuration: what a game would hard-code or read from its own settings. ---
    latchkey::ClientConfig config;
    config.serverUrl =
        QUrl(qEnvironmentVariable("LATCHKEY_SERVER_URL", QStringLiteral("http://127.0.0.1:8080")));
    config.clientId = qEnvironmentVariable("LATCHKEY_CLIENT_ID");
    config.clientSecret = qEnvironmentVariable("LATCHKEY_CLIENT_SECRET");
    if (const QString issuer = qEnvironmentVariable("LATCHKEY_ISSUER"); !issuer.isEmpty()) {
        // Empty endpoints make the library read <issuer>/.well-known/openid-configuration.
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
        complain(QStringLiteral("LATCHKEY_SECRET_STORAGE must be automatic, keychain or file"));
        return 1;
    }
    config.secretStorage = *storage;
    if (const QString command = qEnvironmentVariable("LATCHKEY_BROWSER_COMMAND");
        !command.isEmpty()) {
        // Runs on the library's thread; started detached so it never holds up the login.
        config.openBrowser = [command](const QUrl &url) {
            return QProcess::startDetached(command, {url.toString(QUrl::FullyEncoded)});
        };
    } // else: the desktop's default browser

    bool timeoutOk = false;
    const int timeoutSecs = qEnvironmentVariableIntValue("LATCHKEY_TIMEOUT_SECONDS", &timeoutOk);
    const auto deadline =
        Clock::now() + std::chrono::seconds(timeoutOk && timeoutSecs > 0 ? timeoutSecs : 300);
    const QString requestedName = qEnvironmentVariable("LATCHKEY_NEW_USERNAME");

    // --- Game state that the callbacks change. They run inside processCallbacks() on this
    // thread, so plain variables are enough. ---
    enum class Step { WaitingForSession, Renaming, Done };
    Step step = Step::WaitingForSession;
    int exitCode = 0;
    bool sessionConfirmed = false; // the server has accepted the session (not just the cache)

    latchkey::Client client(config);

    auto rename = [&](const latchkey::User &player) {
        say(describe(player));
        const QString newName =
            requestedName.isEmpty() ? player.name + QStringLiteral("_renamed") : requestedName;
        say(QStringLiteral("renaming %1 to %2").arg(player.name, newName));
        step = Step::Renaming;
        client.updateUsername(newName, [&](const latchkey::Result<latchkey::User> &result) {
            if (result) {
                say(QStringLiteral("renamed: ") + describe(*result));
            } else {
                complain(QStringLiteral("rename failed: ") + describe(result.error()));
                exitCode = 2;
            }
            step = Step::Done;
        });
    };
    auto onLogin = [&](const latchkey::User &player) {
        if (!sessionConfirmed)
            say(QStringLiteral("welcome back (from the stored session): ") + player.name);
        else
            say(QStringLiteral("logged in: ") + player.name);
    };
    // Runs when the session ends: here, when the stored session was refused by the server
    // (expired, revoked): the player logs in again with the browser.
    std::function<void()> onLogout;
    onLogout = [&] {
        say(QStringLiteral("the stored session has ended: logging in with the browser"));
        client.login(
            [&](const latchkey::User &player) {
                sessionConfirmed = true;
                onLogin(player);
            },
            onLogout);
    };

    // The session also refreshes in the background; a stored one is confirmed by its first
    // refresh. The signal is emitted inside processCallbacks(), on this thread, as well.
    QObject::connect(&client, &latchkey::Client::sessionRefreshed, &client,
                     [&] { sessionConfirmed = true; });

    // --- Start: the stored session when there is one, else the browser. ---
    if (client.loadStoredCredentials(onLogin, onLogout)) {
        // user() is the cached player already; the server confirms the session shortly.
        say(QStringLiteral("restoring the stored session of ") + client.user().name);
    } else {
        say(QStringLiteral("opening the browser for the login"));
        client.login(
            [&](const latchkey::User &player) {
                sessionConfirmed = true;
                onLogin(player);
            },
            onLogout);
    }

    // --- The frame loop. ---
    auto nextFrame = Clock::now();
    while (step != Step::Done) {
        // 1. Run whatever the library finished since the last frame (callbacks, signals).
        client.processCallbacks();

        // 2. Game logic: poll the state the callbacks left.
        if (client.loginStatus() == latchkey::LoginStatus::Failed) {
            complain(QStringLiteral("login failed: ") + describe(client.loginError()));
            return 1; // ~Client abandons whatever is still running
        }
        if (step == Step::WaitingForSession && client.isLoggedIn() && sessionConfirmed)
            rename(client.user());
        if (Clock::now() >= deadline) {
            const QString what =
                step == Step::Renaming
                    ? QStringLiteral("for the account server to rename the player")
                : client.isLoggedIn()
                    ? QStringLiteral("for the account server to confirm the stored session")
                    : QStringLiteral("for the login");
            complain(QStringLiteral("timed out waiting %1 (is the account server at %2 up?)")
                         .arg(what, config.serverUrl.toString()));
            return 1;
        }

        // 3. Render, then wait for the next frame.
        nextFrame += framePeriod;
        std::this_thread::sleep_until(nextFrame);
    }
    return exitCode;
}
