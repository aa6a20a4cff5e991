#include "oidcprovider.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QStandardPaths>
#include <QTimer>

#ifndef LATCHKEY_OIDC_FIXTURE_DIR
#error "LATCHKEY_OIDC_FIXTURE_DIR must name tests/fixtures/oidc"
#endif

namespace latchkey::test {

namespace {
constexpr int startTimeoutMs = 20000;
constexpr int scriptTimeoutMs = 90000; // a browser script that hangs is killed after this

QString missingSetup()
{
    const QString dir = oidcFixtureDir();
    if (nodeExecutable().isEmpty())
        return QStringLiteral("node is not installed (scripts/deps.sh test)");
    if (!QFileInfo::exists(dir + QStringLiteral("/node_modules/oidc-provider/package.json")))
        return QStringLiteral(
                   "%1/node_modules is missing: run `npm ci` there (scripts/test.sh does)")
            .arg(dir);
    return {};
}

// Runs `node <script> <args>` on the application's main thread, recording into \a run.
// Returns at once; false only when there is no application object to run it on.
bool launchScript(const QString &script, const QStringList &args,
                  const std::shared_ptr<BrowserRun> &run, const QUrl &url)
{
    run->setLaunched(url);
    QCoreApplication *app = QCoreApplication::instance();
    if (!app) {
        run->setFinished(-1, {}, "no QCoreApplication to run the browser script on");
        return false;
    }
    const QString problem = missingSetup();
    if (!problem.isEmpty()) {
        run->setFinished(-1, {}, problem.toUtf8());
        return true; // the login then times out or is cancelled; the test reads run->errors()
    }
    QMetaObject::invokeMethod(
        app,
        [app, script, args, run] {
            // Owned by the application: if a test ends first, ~QProcess kills the script.
            auto *process = new QProcess(app);
            process->setWorkingDirectory(oidcFixtureDir());
            process->setProgram(nodeExecutable());
            process->setArguments(QStringList{oidcFixtureDir() + QLatin1Char('/') + script} + args);
            QObject::connect(process, &QProcess::finished, process,
                             [process, run](int code, QProcess::ExitStatus status) {
                                 run->setFinished(status == QProcess::NormalExit ? code : -1,
                                                  process->readAllStandardOutput(),
                                                  process->readAllStandardError());
                                 process->deleteLater();
                             });
            QObject::connect(process, &QProcess::errorOccurred, process,
                             [process, run](QProcess::ProcessError error) {
                                 if (error != QProcess::FailedToStart)
                                     return; // crashes and kills end in finished()
                                 run->setFinished(-1, {}, process->errorString().toUtf8());
                                 process->deleteLater();
                             });
            QTimer::singleShot(scriptTimeoutMs, process, [process] { process->kill(); });
            process->start();
        },
        Qt::QueuedConnection);
    return true;
}
} // namespace

QString oidcFixtureDir()
{
    return QDir::cleanPath(QStringLiteral(LATCHKEY_OIDC_FIXTURE_DIR));
}

QString nodeExecutable()
{
    const QString fromEnv = qEnvironmentVariable("LATCHKEY_NODE");
    return fromEnv.isEmpty() ? QStandardPaths::findExecutable(QStringLiteral("node")) : fromEnv;
}

OidcProvider::OidcProvider(QObject *parent) : QObject(parent)
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        const QByteArray chunk = m_process.readAllStandardError();
        m_stderr += chunk;
        // The provider is quiet unless something is wrong: show it with the test's output.
        for (const QByteArray &line : chunk.split('\n'))
            if (!line.trimmed().isEmpty())
                qWarning("oidc-provider: %s", line.constData());
    });
}

OidcProvider::~OidcProvider()
{
    stop();
}

bool OidcProvider::start()
{
    m_error = missingSetup();
    if (!m_error.isEmpty())
        return false;
    m_process.setWorkingDirectory(oidcFixtureDir());
    m_process.start(nodeExecutable(), {oidcFixtureDir() + QStringLiteral("/provider.mjs"),
                                       QStringLiteral("0"), QStringLiteral("--exit-with-stdin")});

    // Wait on the event loop for the one JSON line (or the process's end, or the deadline).
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(&m_process, &QProcess::readyReadStandardOutput, &loop, [this, &loop] {
        m_stdout += m_process.readAllStandardOutput();
        if (m_stdout.contains('\n'))
            loop.quit();
    });
    connect(&m_process, &QProcess::finished, &loop, &QEventLoop::quit);
    connect(&m_process, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    deadline.start(startTimeoutMs);
    if (m_process.state() != QProcess::NotRunning)
        loop.exec();
    disconnect(&m_process, &QProcess::readyReadStandardOutput, &loop, nullptr);

    if (!m_stdout.contains('\n')) {
        m_error =
            m_process.state() == QProcess::NotRunning
                ? QStringLiteral("provider.mjs ended before listening (%1): %2")
                      .arg(m_process.errorString(), QString::fromUtf8(m_stderr))
                : QStringLiteral("provider.mjs did not listen within %1 ms").arg(startTimeoutMs);
        stop();
        return false;
    }
    const QJsonObject ready =
        QJsonDocument::fromJson(m_stdout.left(m_stdout.indexOf('\n'))).object();
    m_issuer = QUrl(ready.value(QLatin1StringView("issuer")).toString());
    const int port = ready.value(QLatin1StringView("port")).toInt();
    if (!m_issuer.isValid() || port <= 0 || m_issuer.port() != port) {
        m_error = QStringLiteral("provider.mjs printed an unexpected line: %1")
                      .arg(QString::fromUtf8(m_stdout));
        stop();
        return false;
    }

    // Through QNetworkAccessManager, like the library (its Host header carries the port,
    // which oidc-provider builds its endpoint URLs from).
    QNetworkAccessManager network;
    QNetworkRequest request(
        QUrl(m_issuer.toString() + QStringLiteral("/.well-known/openid-configuration")));
    request.setTransferTimeout(startTimeoutMs);
    QNetworkReply *reply = network.get(request);
    QEventLoop wait;
    connect(reply, &QNetworkReply::finished, &wait, &QEventLoop::quit);
    wait.exec();
    const QByteArray body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    reply->deleteLater();
    m_discovery = QJsonDocument::fromJson(body).object();
    if (status != 200 ||
        m_discovery.value(QLatin1StringView("issuer")).toString() != m_issuer.toString()) {
        m_error = QStringLiteral("the provider's discovery answered %1 (%2): %3")
                      .arg(status)
                      .arg(reply->errorString(), QString::fromUtf8(body.left(500)));
        stop();
        return false;
    }
    return true;
}

void OidcProvider::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(3000)) {
        m_process.kill();
        m_process.waitForFinished(3000);
    }
}

QUrl OidcProvider::jwksUri() const
{
    return QUrl(m_discovery.value(QLatin1StringView("jwks_uri")).toString());
}

bool BrowserRun::launched() const
{
    QMutexLocker lock(&m_mutex);
    return m_launched;
}

bool BrowserRun::finished() const
{
    QMutexLocker lock(&m_mutex);
    return m_finished;
}

int BrowserRun::exitCode() const
{
    QMutexLocker lock(&m_mutex);
    return m_exitCode;
}

QUrl BrowserRun::url() const
{
    QMutexLocker lock(&m_mutex);
    return m_url;
}

QString BrowserRun::output() const
{
    QMutexLocker lock(&m_mutex);
    return m_output;
}

QString BrowserRun::errors() const
{
    QMutexLocker lock(&m_mutex);
    return m_errors;
}

QString BrowserRun::describe() const
{
    QMutexLocker lock(&m_mutex);
    return QStringLiteral(
               "browser script: launched=%1 finished=%2 exit=%3\nurl: %4\nstdout: %5\nstderr: %6")
        .arg(m_launched)
        .arg(m_finished)
        .arg(m_exitCode)
        .arg(m_url.toString(), m_output.trimmed(), m_errors.trimmed());
}

void BrowserRun::setLaunched(const QUrl &url)
{
    QMutexLocker lock(&m_mutex);
    m_launched = true;
    m_url = url;
}

void BrowserRun::setFinished(int exitCode, const QByteArray &out, const QByteArray &err)
{
    QMutexLocker lock(&m_mutex);
    m_finished = true;
    m_exitCode = exitCode;
    m_output = QString::fromUtf8(out);
    m_errors = QString::fromUtf8(err);
}

Opener scriptedBrowser(const QString &login, ScriptedBrowserOptions options,
                       std::shared_ptr<BrowserRun> run)
{
    if (!run)
        run = std::make_shared<BrowserRun>();
    return [login, options, run](const QUrl &url) {
        QStringList args{url.toString(QUrl::FullyEncoded), login};
        if (options.tamperState)
            args << QStringLiteral("--tamper-state");
        return launchScript(QStringLiteral("scripted-browser.mjs"), args, run, url);
    };
}

Opener chromiumBrowser(const QString &login, const QString &screenshotPath,
                       std::shared_ptr<BrowserRun> run, const QString &choose)
{
    if (!run)
        run = std::make_shared<BrowserRun>();
    return [login, screenshotPath, run, choose](const QUrl &url) {
        QStringList args{url.toString(QUrl::FullyEncoded), login};
        if (!screenshotPath.isEmpty())
            args << screenshotPath;
        if (!choose.isEmpty())
            args << QStringLiteral("--choose=") + choose;
        return launchScript(QStringLiteral("chromium-login.mjs"), args, run, url);
    };
}

} // namespace latchkey::test
