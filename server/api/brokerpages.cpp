// HTML of the broker's pages; every reflected value is escaped here.
#include "brokerpages.h"

namespace latchkey::broker {

using namespace Qt::Literals::StringLiterals;

HttpResponse chooserPage(const QString &clientName, const QList<ChooserEntry> &entries)
{
    QString links;
    for (const ChooserEntry &entry : entries) {
        links +=
            u"<a href=\"%1\">%2</a>"_s.arg(entry.href.toHtmlEscaped(), entry.label.toHtmlEscaped());
    }
    const QString content =
        u"<h1>Sign in</h1><p><b>%1</b> asks you to sign in. Choose how:</p>"
        "<nav class=\"providers\">%2</nav>"_s.arg(clientName.toHtmlEscaped(), links);
    return htmlPage(200, u"Sign in to %1"_s.arg(clientName), content);
}

HttpResponse errorPage(int status, const QString &message)
{
    return htmlPage(
        status, u"Sign-in error"_s,
        u"<h1>This sign-in cannot go on</h1><p class=\"error\">%1</p>"
        "<p>Return to the game and start the sign-in again.</p>"_s.arg(message.toHtmlEscaped()));
}

} // namespace latchkey::broker
