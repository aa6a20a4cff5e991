// Checks that an installed Latchkey is usable: headers found, library linked, Client created.
#include <latchkey/client.h>

#include <cstdio>

int main()
{
    latchkey::ClientConfig config;
    config.serverUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    config.clientId = QStringLiteral("dummy-client-id");
    config.organization = QStringLiteral("Latchkey Examples");
    config.application = QStringLiteral("Find Package Consumer");
    config.openBrowser = [](const QUrl &) { return false; }; // never opened: no login runs

    latchkey::Client client(config);
    if (client.loginStatus() != latchkey::LoginStatus::NotStarted) {
        std::fprintf(stderr, "loginStatus() is not NotStarted\n");
        return 1;
    }
    if (client.isLoggedIn()) {
        std::fprintf(stderr, "isLoggedIn() is true before any login\n");
        return 1;
    }

    // Symbols of the shared vocabulary (common/), linked into the client library and exported.
    latchkey::User player = client.user();
    player.id = 1;
    player.name = QStringLiteral("player");
    const latchkey::Result<latchkey::User> user = latchkey::User::fromJson(player.toJson());
    if (latchkey::wireName(latchkey::ErrorCode::UsernameTaken) !=
            QLatin1StringView("username_taken") ||
        latchkey::errorCodeFromWire(u"timeout") != latchkey::ErrorCode::Timeout ||
        latchkey::httpStatus(latchkey::ErrorCode::NotFound) != 404 || !user ||
        user->name != player.name) {
        std::fprintf(stderr, "unexpected answers from the error/User functions\n");
        return 1;
    }

    std::printf("ok\n");
    return 0;
}
