// The sign-in broker's pages: the provider chooser, the error page, and the device grant's
// pages (enter the code, "Allow <game> on this device?", done).
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

//! /device: the form for the code a device shows; \a typed and \a error when a code was
//! refused (\a status 400, or 429 past the limit of wrong codes).
HttpResponse codeEntryPage(int status, const QString &typed = {}, const QString &error = {});
//! "Allow <game> on this device?" for \a userName, posting \a ticket to /device/decision.
HttpResponse consentPage(const QString &ticket, const QString &clientName, const QString &userName);
//! The end of a device sign-in: allowed or denied.
HttpResponse deviceDonePage(bool allowed, const QString &clientName);

} // namespace latchkey::broker
