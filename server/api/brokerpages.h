// The sign-in broker's pages: the provider chooser and the error page.
#pragma once

#include "htmlpage.h"

namespace latchkey::broker {

//! A button on the chooser: its label and the URL it opens.
struct ChooserEntry
{
    QString label;
    QString href;
};

//! "Sign in to <game>" with one link per provider (and "Play as guest" when allowed).
HttpResponse chooserPage(const QString &clientName, const QList<ChooserEntry> &entries);
//! A refusal that cannot go back to the game (unknown client, untrusted redirect, unknown
//! flow): \a status with \a message.
HttpResponse errorPage(int status, const QString &message);

} // namespace latchkey::broker
