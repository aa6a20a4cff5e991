// latchkey-demo: a small game-launcher window logging the player in with Latchkey.
#include "democonfig.h"
#include "demowindow.h"

#include <QApplication>
#include <QProcessEnvironment>

#include <cstdio>

int main(int argc, char *argv[])
{
    // Before QApplication, which needs a display.
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--help") == 0 || qstrcmp(argv[i], "-h") == 0) {
            std::printf("%s", qPrintable(latchkey::demo::usage()));
            return 0;
        }
    }
    // The Client needs the application object first: its callbacks then run on this thread.
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Latchkey"));
    QApplication::setApplicationName(QStringLiteral("Demo"));

    // QApplication::arguments() no longer holds Qt's own options (-platform, -style, …).
    const latchkey::Result<latchkey::ClientConfig> config = latchkey::demo::clientConfigFrom(
        QApplication::arguments(), QProcessEnvironment::systemEnvironment());
    if (!config) {
        std::fprintf(stderr, "latchkey-demo: %s\n%s", qPrintable(config.error().message),
                     qPrintable(latchkey::demo::usage()));
        return 2;
    }

    latchkey::demo::DemoWindow window(*config);
    window.restoreSession(); // the stored player without the browser, or the login page
    window.show();
    return QApplication::exec();
}
