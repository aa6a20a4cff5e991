// The HTML pages people see (sign-in chooser, errors, the development provider's form): one
// layout, a strict Content-Security-Policy, never cached.
#pragma once

#include "http/httpresponse.h"

#include <QList>
#include <QPair>

namespace latchkey {

//! \a content is HTML whose reflected values the caller escaped; \a banner, when set, is a
//! red warning line above it. CSP: default-src 'none', inline style only, no framing.
HttpResponse htmlPage(int status, const QString &title, const QString &content,
                      const QString &banner = {});

//! 302 to \a redirectUri (validated by the caller) with \a parameters appended to its query.
HttpResponse redirect(const QString &redirectUri, const QList<QPair<QString, QString>> &parameters);

} // namespace latchkey
