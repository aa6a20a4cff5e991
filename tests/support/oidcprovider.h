// A real OpenID provider for the end-to-end login tests: npm oidc-provider run by Node from
// tests/fixtures/oidc (provider.mjs) on loopback, plus "browsers" that click through its
// login and consent pages: a scripted HTTP client and headless Chromium (playwright-core).
// Needs `npm ci` in tests/fixtures/oidc (scripts/test.sh does it) and /usr/bin/chromium for
// chromiumBrowser().
#pragma once

#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>

namespace latchkey::test {

//! The fixture's one client: native, public (no secret), PKCE S256 required, any loopback port.
inline constexpr char oidcClientId[] = "latchkey-test";

class OidcProvider : public QObject
{
    Q_OBJECT
public:
    explicit OidcProvider(QObject *parent = nullptr);
    ~OidcProvider() override;

    //! Starts `node provider.mjs` on a free port and waits (running the event loop, at most
    //! 20 s) for it to listen, then reads its discovery document. False on failure, with
    //! errorString() saying why.
    bool start();
    //! SIGTERM, then SIGKILL when it does not exit within 3 s.
    void stop();

    QUrl issuer() const { return m_issuer; }
    QString clientId() const { return QString::fromLatin1(oidcClientId); }
    //! /.well-known/openid-configuration as the provider serves it.
    QJsonObject discovery() const { return m_discovery; }
    QUrl jwksUri() const;
    QString errorString() const { return m_error; }
    //! What the provider wrote to stderr (it is quiet unless something went wrong).
    QString stderrOutput() const { return QString::fromUtf8(m_stderr); }

private:
    QProcess m_process;
    QUrl m_issuer;
    QJsonObject m_discovery;
    QString m_error;
    QByteArray m_stdout;
    QByteArray m_stderr;
};

//! What one browser script run did. Written on the thread that runs the script, read by
//! the test: every accessor is thread-safe.
class BrowserRun
{
public:
    bool launched() const;    //!< the opener was called
    bool finished() const;    //!< the script exited (or could not start)
    int exitCode() const;     //!< -1 while running, when it crashed or could not start
    QUrl url() const;         //!< the authorization URL the library opened
    QString output() const;   //!< the script's stdout (the listener's status and page text)
    QString errors() const;   //!< its stderr, or why it could not start
    QString describe() const; //!< all of the above, for failure messages

    void setLaunched(const QUrl &url);
    void setFinished(int exitCode, const QByteArray &out, const QByteArray &err);

private:
    mutable QMutex m_mutex;
    bool m_launched = false;
    bool m_finished = false;
    int m_exitCode = -1;
    QUrl m_url;
    QString m_output;
    QString m_errors;
};

//! Same type as latchkey::BrowserOpener (no client headers needed here).
using Opener = std::function<bool(const QUrl &url)>;

struct ScriptedBrowserOptions
{
    bool tamperState = false; //!< change the state parameter of the final redirect
};

//! An opener that runs scripted-browser.mjs as \a login. It never blocks the calling thread
//! (the library's, whose event loop also runs the loopback listener): the Node process is
//! started on the application's main thread (the test's), which must keep running its
//! event loop (QTRY_*, qWait). \a run, when given, records what happened.
Opener scriptedBrowser(const QString &login, ScriptedBrowserOptions options = {},
                       std::shared_ptr<BrowserRun> run = {});

//! An opener that runs chromium-login.mjs as \a login: headless /usr/bin/chromium driven by
//! playwright-core, saving a screenshot of the listener's page to \a screenshotPath when set.
//! \a choose: on Latchkey's sign-in chooser, click the entry with this label first.
Opener chromiumBrowser(const QString &login, const QString &screenshotPath = {},
                       std::shared_ptr<BrowserRun> run = {}, const QString &choose = {});

//! The fixture directory (tests/fixtures/oidc) and the Node executable used.
QString oidcFixtureDir();
QString nodeExecutable();

} // namespace latchkey::test
