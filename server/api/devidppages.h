// The development provider's pages and answers: the sign-in form, the error page, the
// redirect back to the game, token endpoint errors.
#pragma once

#include "devidprequest.h"

#include "htmlpage.h"

#include <QList>
#include <QPair>

namespace latchkey::devidp {

//! An HTML page with the "not for production" banner, a strict CSP and no caching.
HttpResponse page(int status, const QString &title, const QString &content);
//! 400: a request that cannot be redirected back (\a message says why).
HttpResponse errorPage(const QString &message);
//! The "Sign in as…" form carrying \a request; 400 with \a problem shown when set.
HttpResponse signInForm(const AuthorizeRequest &request, const QString &name, const QString &email,
                        const QString &problem = {});
//! RFC 6749 §5.2: 400 {"error","error_description"}, not cached.
HttpResponse tokenError(QLatin1StringView error, const QString &description);

} // namespace latchkey::devidp
