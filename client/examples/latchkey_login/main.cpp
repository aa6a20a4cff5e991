// latchkey-login: sign in from a terminal (a console, a TV box, a server's shell) with the
// device authorization grant: it shows a code, the address to type it at and a QR code of
// that address, waits while the player signs in on a phone or computer, and prints the player.
//
//   latchkey-login --server http://127.0.0.1:8000 [--client-id latchkey-demo]
//
// Exit status: 0 signed in; 1 denied, expired or failed; 2 bad usage.
#include "terminalqr.h"

#include <latchkey/client.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTextStream>

#include <cstdio>

using namespace latchkey;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("latchkey-login"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Signs in to a Latchkey server with a code typed in any browser "
                       "(RFC 8628 device authorization)."));
    parser.addHelpOption();
    const QCommandLineOption server(QStringLiteral("server"),
                                    QStringLiteral("The Latchkey server (default %1)."),
                                    QStringLiteral("url"), QStringLiteral("http://127.0.0.1:8000"));
    const QCommandLineOption clientId(
        QStringLiteral("client-id"),
        QStringLiteral("A client registered with device: true (default %1)."), QStringLiteral("id"),
        QStringLiteral("latchkey-demo"));
    const QCommandLineOption storage(
        QStringLiteral("storage"),
        QStringLiteral("Keep the session in a private file in this directory instead of the "
                       "system's secret store."),
        QStringLiteral("dir"));
    const QCommandLineOption noQr(QStringLiteral("no-qr"),
                                  QStringLiteral("Do not draw the QR code."));
    const QCommandLineOption invert(QStringLiteral("invert-qr"),
                                    QStringLiteral("Draw the QR code for a light terminal."));
    parser.addOptions({server, clientId, storage, noQr, invert});
    parser.process(app);

    QTextStream out(stdout);
    QTextStream err(stderr);
    const QUrl serverUrl(parser.value(server), QUrl::StrictMode);
    if (!serverUrl.isValid() || (serverUrl.scheme() != QLatin1StringView("http") &&
                                 serverUrl.scheme() != QLatin1StringView("https"))) {
        err << "latchkey-login: --server must be an http(s) URL, e.g. http://127.0.0.1:8000\n";
        return 2;
    }
    ClientConfig config;
    config.serverUrl = serverUrl;
    config.clientId = parser.value(clientId);
    config.organization = QStringLiteral("Latchkey");
    config.application = QStringLiteral("latchkey-login");
    if (parser.isSet(storage)) {
        config.storageDirectory = QDir(parser.value(storage)).absolutePath();
        config.secretStorage = SecretStorage::File;
    }
    Client client(config);
    client.setAutoProcessCallbacks(true);
    const auto showCode = [&](const DeviceCode &code) {
        out << "To sign in, open " << code.verificationUri.toString() << "\n"
            << "and enter the code:  " << code.userCode << "\n\n"
            << "Or open: " << code.verificationUriComplete.toString() << "\n";
        if (!parser.isSet(noQr))
            out << "\n"
                << terminalQr(code.verificationUriComplete.toEncoded(), parser.isSet(invert));
        out << "\nWaiting for you to sign in (the code expires at "
            << code.expiresAt.toLocalTime().toString(QStringLiteral("HH:mm")) << ")...\n";
        out.flush();
    };
    const auto signedIn = [&](const User &user) {
        out << "Signed in as " << user.name << " (id " << user.id;
        if (!user.email.isEmpty())
            out << ", " << user.email;
        out << ")\n";
        out.flush();
        QCoreApplication::exit(0);
    };
    QObject::connect(&client, &Client::loginFailed, &app, [&](const Error &error) {
        err << "latchkey-login: " << error.message << "\n";
        err.flush();
        QCoreApplication::exit(1);
    });
    client.loginWithDeviceCode(showCode, signedIn);
    return app.exec();
}
