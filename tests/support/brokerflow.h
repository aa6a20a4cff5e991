// Test helpers for the sign-in broker over HTTP: PKCE pairs, authorization URLs, following
// the redirects a browser would, redeeming codes. Used by tst_broker (both drivers).
#pragma once

#include "testclient.h"

#include <QJsonObject>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

namespace latchkey::test {

struct Pkce
{
    QString verifier;
    QString challenge; //!< S256
};
Pkce newPkce();

//! The game's loopback redirect the tests use.
inline const QString gameRedirect = QStringLiteral("http://127.0.0.1:5555/callback");

//! "/oauth/authorize?response_type=code&client_id=…&redirect_uri=…&code_challenge=…&state=…"
//! plus \a extra; a parameter in \a extra replaces the default of the same name.
QByteArray authorizePath(const Pkce &pkce, const QList<QPair<QString, QString>> &extra = {},
                         const QString &clientId = QStringLiteral("latchkey-demo"));

//! One GET on a fresh connection to \a port (path and query of \a url, or a path).
TestResponse getOnce(quint16 port, const QByteArray &pathAndQuery);
//! The Location of a 302 (an empty URL when \a r is not one).
QUrl locationOf(const TestResponse &r);
QString queryValue(const QUrl &url, const QString &name);
//! path?query of \a url, for getOnce() on our server.
QByteArray pathAndQuery(const QUrl &url);

//! POST /oauth/token grant_type=authorization_code.
TestResponse redeem(quint16 port, const QString &code, const QString &verifier,
                    const QString &redirectUri = gameRedirect,
                    const QString &clientId = QStringLiteral("latchkey-demo"));
//! Where a browser ends up following the broker's redirects.
struct Walk
{
    TestResponse last; //!< the last answer read (a page, or the 302 back to the game)
    QUrl game;         //!< the game's redirect with code or error (empty when a page stopped it)
};
//! Follows redirects from \a path on our server like a browser, until the browser would go
//! back to the game (gameRedirect's port) or a page answers. The development provider's form
//! is submitted with \a devEmail (or cancelled when \a devEmail is "cancel").
Walk walk(quint16 port, const QByteArray &path,
          const QString &devEmail = QStringLiteral("dev@example.test"));
//! The "code" of a walk that reached the game (empty otherwise).
QString codeOf(const Walk &walk);

//! The player's part of a device login (RFC 8628) in a browser: types \a userCode at /device
//! and signs in with the development provider as \a email (or cancels: "cancel"). The page it
//! ends on: "Allow <game> on this device?" when all went well.
TestResponse deviceSignIn(quint16 port, const QString &userCode, const QString &email);
//! Presses \a decision ("allow", "deny", …) on \a consentPage: POST /device/decision.
TestResponse deviceDecide(quint16 port, const TestResponse &consentPage, const QString &decision);

//! A session a test signed in through the development provider.
struct SignedIn
{
    QByteArray access;
    QByteArray refresh;
    qint64 sessionId = 0; //!< the access token's "sid"
    qint64 userId = 0;
};
//! Signs \a email in through the broker's development provider (authorize, walk, redeem):
//! a new session; empty tokens when the sign-in was refused.
SignedIn devSignIn(quint16 port, const QString &email);

//! POST application/x-www-form-urlencoded \a form to \a path.
TestResponse postForm(quint16 port, const QByteArray &path, const QUrlQuery &form);

} // namespace latchkey::test
