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

HttpResponse codeEntryPage(int status, const QString &typed, const QString &error)
{
    const QString problem =
        error.isEmpty() ? QString() : u"<p class=\"error\">%1</p>"_s.arg(error.toHtmlEscaped());
    const QString content =
        u"<h1>Sign in on your device</h1>"
        "<p>Type the code your console, TV or program shows.</p>%1"
        "<form method=\"get\" action=\"/device\"><label>Code<input name=\"user_code\" "
        "value=\"%2\" placeholder=\"BCDF-GHJK\" autocomplete=\"off\" "
        "autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"32\" required "
        "autofocus></label><button type=\"submit\">Continue</button></form>"_s.arg(
            problem, typed.left(32).toHtmlEscaped());
    return htmlPage(status, u"Sign in on your device"_s, content);
}

HttpResponse consentPage(const QString &ticket, const QString &clientName, const QString &userName)
{
    const QString content =
        u"<h1>Allow %1 on this device?</h1>"
        "<p>You are signed in as <b>%2</b>. If you allow it, <b>%1</b> on the device that "
        "showed you the code plays as you. Deny it if you did not start this sign-in.</p>"
        "<form method=\"post\" action=\"/device/decision\">"
        "<input type=\"hidden\" name=\"ticket\" value=\"%3\">"
        "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>"
        "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>"
        "</form>"_s.arg(clientName.toHtmlEscaped(), userName.toHtmlEscaped(),
                        ticket.toHtmlEscaped());
    return htmlPage(200, u"Allow %1?"_s.arg(clientName), content);
}

HttpResponse deviceDonePage(bool allowed, const QString &clientName)
{
    const QString name = clientName.toHtmlEscaped();
    return htmlPage(
        200, allowed ? u"Device signed in"_s : u"Sign-in denied"_s,
        allowed ? u"<h1>You're signed in</h1><p><b>%1</b> on your device is signing you in now. "
                  "You can close this page.</p>"_s.arg(name)
                : u"<h1>Sign-in denied</h1><p><b>%1</b> on that device was not signed in. You "
                  "can close this page.</p>"_s.arg(name));
}

} // namespace latchkey::broker
