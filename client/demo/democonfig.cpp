// The demo's ClientConfig from its command line and environment (the local dev provider by
// default).
#include "democonfig.h"

namespace latchkey::demo {

namespace {

Result<QUrl> serverUrlFrom(const QStringList &arguments, const QProcessEnvironment &environment)
{
    QString text = environment.value(QStringLiteral("LATCHKEY_SERVER_URL"));
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (arg == QLatin1StringView("--server")) {
            if (i + 1 >= arguments.size())
                return Error{ErrorCode::InvalidField, QStringLiteral("--server needs a URL")};
            text = arguments.at(++i);
        } else if (arg.startsWith(QLatin1StringView("--server="))) {
            text = arg.sliced(QLatin1StringView("--server=").size());
        } else {
            return Error{ErrorCode::InvalidField, QStringLiteral("unknown argument: %1").arg(arg)};
        }
    }
    if (text.isEmpty())
        text = QString::fromLatin1(defaultServerUrl);
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1StringView("http") && url.scheme() != QLatin1StringView("https")))
        return Error{
            ErrorCode::InvalidField,
            QStringLiteral("the server URL must be http(s)://host[:port], not \"%1\"").arg(text)};
    return url;
}

} // namespace

QString usage()
{
    return QStringLiteral("Usage: latchkey-demo [--server URL]\n"
                          "  --server URL           the Latchkey account server (default %1,\n"
                          "                         or LATCHKEY_SERVER_URL)\n"
                          "Environment:\n"
                          "  LATCHKEY_CLIENT_ID     the client ID registered with the server "
                          "(default %2)\n"
                          "  LATCHKEY_PROVIDER      skip the server's chooser: dev, github, "
                          "guest, ...\n"
                          "  GOOGLE_CLIENT_ID       log in with Google directly (with "
                          "GOOGLE_CLIENT_SECRET)\n"
                          "                         instead of through the server's sign-in "
                          "page\n"
                          "  LATCHKEY_STORAGE_DIR   where the session is kept between runs\n")
        .arg(QString::fromLatin1(defaultServerUrl), QString::fromLatin1(brokerClientId));
}

Result<ClientConfig> clientConfigFrom(const QStringList &arguments,
                                      const QProcessEnvironment &environment)
{
    const Result<QUrl> server = serverUrlFrom(arguments, environment);
    if (!server)
        return server.error();

    ClientConfig config;
    config.serverUrl = *server;
    if (const QString googleId = environment.value(QStringLiteral("GOOGLE_CLIENT_ID"));
        !googleId.isEmpty()) {
        // ClientConfig's defaults are Google's endpoints.
        config.provider = QStringLiteral("google");
        config.clientId = googleId;
        config.clientSecret = environment.value(QStringLiteral("GOOGLE_CLIENT_SECRET"));
        config.mode = LoginMode::Direct;
    } else {
        // The account server's sign-in page: every provider it offers, and guests.
        config.mode = LoginMode::Broker;
        config.clientId = environment.value(QStringLiteral("LATCHKEY_CLIENT_ID"),
                                            QString::fromLatin1(brokerClientId));
        config.provider = environment.value(QStringLiteral("LATCHKEY_PROVIDER"));
    }
    config.organization = QStringLiteral("Latchkey");
    config.application = QStringLiteral("Demo");
    config.storageDirectory = environment.value(QStringLiteral("LATCHKEY_STORAGE_DIR"));
    return config;
}

} // namespace latchkey::demo
