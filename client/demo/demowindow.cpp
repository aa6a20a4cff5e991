// The demo launcher's window: the header, the page of the current state, the status line,
// and the wiring between the pages and latchkey::Client.
#include "demowindow.h"

#include "busypage.h"
#include "demowidgets.h"
#include "identitiespanel.h"
#include "loggedoutpage.h"
#include "playerpage.h"

#include <QFile>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace latchkey::demo {

namespace {
QString loginFailureText(const Error &error)
{
    switch (error.code) {
    case ErrorCode::Cancelled:
        return QStringLiteral("Login cancelled.");
    case ErrorCode::Timeout:
        return QStringLiteral("The login timed out. Try again.");
    case ErrorCode::NetworkError:
    case ErrorCode::ProviderUnavailable:
    case ErrorCode::ProviderTimeout:
    case ErrorCode::DatabaseUnavailable:
        return QStringLiteral("Cannot log in right now: %1").arg(error.message);
    default:
        return QStringLiteral("Login failed: %1").arg(error.message);
    }
}

QWidget *buildHeader(QWidget *parent, qreal ratio)
{
    auto *header = new QFrame(parent);
    header->setObjectName(QStringLiteral("header"));
    auto *headerLayout = new QHBoxLayout(header);
    headerLayout->setContentsMargins(20, 14, 20, 14);
    headerLayout->setSpacing(12);
    headerLayout->addWidget(iconLabel(QStringLiteral("app"), 40, ratio, header));
    auto *titles = new QVBoxLayout;
    titles->setSpacing(0);
    titles->addWidget(
        textLabel(QStringLiteral("titleLabel"), QStringLiteral("Latchkey"), header, Qt::AlignLeft));
    titles->addWidget(textLabel(QStringLiteral("subtitleLabel"),
                                QStringLiteral("Demo game launcher"), header, Qt::AlignLeft));
    headerLayout->addLayout(titles, 1);
    return header;
}
} // namespace

DemoWindow::DemoWindow(const ClientConfig &config, QWidget *parent)
    : QWidget(parent), m_serverUrl(config.serverUrl), m_viaServer(config.mode == LoginMode::Broker),
      m_client(std::make_unique<Client>(config))
{
    setObjectName(QStringLiteral("DemoWindow"));
    setWindowTitle(QStringLiteral("Latchkey Demo"));
    setFixedSize(windowSize);
    // Without it a plain QWidget ignores the stylesheet's background.
    setAttribute(Qt::WA_StyledBackground);
    QFile style(QStringLiteral(":/demo/demo.qss"));
    if (style.open(QIODevice::ReadOnly))
        setStyleSheet(QString::fromUtf8(style.readAll()));
    else
        qWarning("latchkey-demo: the stylesheet is missing from the resources");
    setWindowIcon(QIcon(renderSvg(QStringLiteral("app"), QSize(64, 64), 1.0)));

    buildUi();

    // A Qt app: the Client's queue is drained by this thread's event loop, so every signal
    // below arrives here, on the GUI thread.
    m_client->setAutoProcessCallbacks(true);
    connect(m_client.get(), &Client::loggedIn, this, &DemoWindow::onLoggedIn);
    connect(m_client.get(), &Client::loginFailed, this, &DemoWindow::onLoginFailed);
    connect(m_client.get(), &Client::loggedOut, this, &DemoWindow::onLoggedOut);
    connect(m_client.get(), &Client::userChanged, m_playerPage, &PlayerPage::showUser);
    connect(m_client.get(), &Client::onlineChanged, this, &DemoWindow::onOnlineChanged);
    connect(m_client.get(), &Client::liveChanged, m_playerPage, &PlayerPage::setLive);
    connect(m_client.get(), &Client::sessionRefreshed, this, &DemoWindow::onSessionRefreshed);

    showPage(Page::LoggedOut);
    setStatus(QStringLiteral("Not signed in."));
}

DemoWindow::~DemoWindow() = default;

void DemoWindow::buildUi()
{
    auto *root = new QVBoxLayout(this);
    root->setContentsMargins(0, 0, 0, 0);
    root->setSpacing(0);
    root->addWidget(buildHeader(this, devicePixelRatioF()));

    // In the order of Page.
    m_pages = new QStackedWidget(this);
    m_loggedOutPage = new LoggedOutPage(m_pages);
    m_busyPage = new BusyPage(m_pages);
    m_playerPage = new PlayerPage(avatarSize, windowSize.width(), m_pages);
    m_pages->addWidget(m_loggedOutPage);
    m_pages->addWidget(m_busyPage);
    m_pages->addWidget(m_playerPage);
    root->addWidget(m_pages, 1);
    connect(m_loggedOutPage, &LoggedOutPage::loginRequested, this, &DemoWindow::startLogin);
    connect(m_loggedOutPage, &LoggedOutPage::guestRequested, this, &DemoWindow::startGuest);
    connect(m_playerPage->identitiesPanel(), &IdentitiesPanel::linkRequested, this,
            &DemoWindow::linkSignIn);
    // Guests and linking are the sign-in broker's: not offered in direct mode.
    m_loggedOutPage->setGuestOffered(m_viaServer);
    m_playerPage->identitiesPanel()->setVisible(m_viaServer);
    connect(m_busyPage, &BusyPage::cancelRequested, this, &DemoWindow::cancelLogin);
    connect(m_playerPage, &PlayerPage::renameRequested, this, &DemoWindow::rename);
    connect(m_playerPage, &PlayerPage::logoutRequested, this, &DemoWindow::logOut);
    connect(m_playerPage, &PlayerPage::avatarSettled, this, &DemoWindow::avatarSettled);

    auto *footer = new QFrame(this);
    footer->setObjectName(QStringLiteral("footer"));
    auto *footerLayout = new QHBoxLayout(footer);
    footerLayout->setContentsMargins(20, 10, 20, 10);
    m_statusLabel = textLabel(QStringLiteral("statusLabel"), QString(), footer,
                              Qt::AlignLeft | Qt::AlignVCenter);
    // Two lines at most, so a long server message never pushes the pages around.
    m_statusLabel->setFixedHeight(m_statusLabel->fontMetrics().lineSpacing() * 2 + 4);
    footerLayout->addWidget(m_statusLabel);
    root->addWidget(footer);
}

bool DemoWindow::restoreSession()
{
    if (!m_client->loadStoredCredentials())
        return false;
    // The cached player, at once; loggedIn() follows from the queue, the refresh later.
    m_confirmingSession = true;
    m_playerPage->showUser(m_client->user());
    showPage(Page::Player);
    setStatus(
        QStringLiteral("Welcome back, %1. Checking your session…").arg(m_client->user().name));
    return true;
}

bool DemoWindow::showsPlaceholderAvatar() const
{
    return m_playerPage->showsPlaceholderAvatar();
}

void DemoWindow::showPage(Page page)
{
    m_pages->setCurrentIndex(int(page));
    const bool changed = page != m_page;
    m_page = page;
    switch (page) {
    case Page::LoggedOut:
        m_loggedOutPage->activate();
        break;
    case Page::Busy:
        m_busyPage->activate();
        break;
    case Page::Player:
        m_playerPage->activate();
        break;
    }
    if (changed)
        Q_EMIT pageChanged(page);
}

void DemoWindow::setStatus(const QString &text, const QString &tone)
{
    m_statusLabel->setText(text);
    m_statusLabel->setToolTip(QString());
    if (m_statusLabel->property("tone").toString() != tone)
        setStyleProperty(m_statusLabel, "tone", tone);
}

void DemoWindow::startLogin()
{
    if (!m_client->login({})) {
        setStatus(QStringLiteral("A login is already running."), QStringLiteral("error"));
        return;
    }
    showPage(Page::Busy);
    setStatus(QStringLiteral("Waiting for the browser…"));
}

void DemoWindow::startGuest()
{
    if (!m_client->loginAsGuest({})) {
        setStatus(QStringLiteral("A login is already running."), QStringLiteral("error"));
        return;
    }
    showPage(Page::Busy);
    setStatus(QStringLiteral("Creating a guest player…"));
}

void DemoWindow::linkSignIn()
{
    IdentitiesPanel *panel = m_playerPage->identitiesPanel();
    panel->setLinking(true);
    setStatus(QStringLiteral("Waiting for the browser…"));
    QPointer<DemoWindow> self(this);
    m_client->linkIdentity({}, [self, panel](const Result<User> &result) {
        if (!self)
            return;
        panel->setLinking(false);
        if (self->m_page != Page::Player)
            return;
        if (!result) {
            const Error &error = result.error();
            self->setStatus(
                error.code == ErrorCode::IdentityInUse
                    ? QStringLiteral("That account already belongs to another player.")
                : error.code == ErrorCode::Cancelled ? QStringLiteral("Linking cancelled.")
                                                     : error.message,
                error.code == ErrorCode::Cancelled ? QString() : QStringLiteral("error"));
            return;
        }
        self->m_playerPage->showUser(*result);
        self->setStatus(QStringLiteral("Linked: you can sign in with it on any computer."),
                        QStringLiteral("good"));
        self->refreshIdentities();
    });
}

void DemoWindow::refreshIdentities()
{
    if (!m_viaServer)
        return;
    QPointer<DemoWindow> self(this);
    m_client->identities([self](const Result<QList<Identity>> &result) {
        if (self && result && self->m_page == Page::Player)
            self->m_playerPage->identitiesPanel()->showIdentities(*result);
    });
}

void DemoWindow::cancelLogin()
{
    // loginFailed(Cancelled) takes the window back to the login page.
    m_busyPage->showCancelling();
    m_client->cancelLogin();
}

void DemoWindow::rename(const QString &name)
{
    QPointer<DemoWindow> self(this);
    m_client->updateUsername(name, [self](const Result<User> &result) {
        if (!self)
            return;
        self->m_playerPage->renameFinished();
        if (self->m_page != Page::Player)
            return; // logged out meanwhile: nothing to show it on
        if (!result) {
            // The server's own words: "username is taken", the rule a name breaks, …
            self->m_playerPage->renameFailed(result.error().message);
            return;
        }
        self->m_playerPage->renameSucceeded(*result);
        self->setStatus(QStringLiteral("Your username is now %1.").arg(result->name),
                        QStringLiteral("good"));
    });
}

void DemoWindow::logOut()
{
    // loggedOut() follows once the library has forgotten the session.
    m_loggingOut = true;
    m_playerPage->showLoggingOut();
    setStatus(QStringLiteral("Signing out…"));
    m_client->logout();
}

void DemoWindow::onLoggedIn(const User &user)
{
    m_playerPage->showUser(user);
    showPage(Page::Player);
    refreshIdentities();
    // A restored session says so once the server has confirmed it (sessionRefreshed).
    if (m_client->isOnline() && !m_confirmingSession)
        setStatus(user.isGuest ? QStringLiteral("Playing as guest %1. Link a sign-in to keep this "
                                                "player on other computers.")
                                     .arg(user.name)
                               : QStringLiteral("Signed in as %1.").arg(user.name),
                  QStringLiteral("good"));
}

void DemoWindow::onSessionRefreshed()
{
    m_confirmingSession = false;
    if (m_page == Page::Player && m_client->isOnline())
        setStatus(QStringLiteral("Signed in as %1.").arg(m_client->user().name),
                  QStringLiteral("good"));
}

void DemoWindow::onLoginFailed(const Error &error)
{
    showPage(Page::LoggedOut);
    if (m_viaServer && error.code == ErrorCode::NetworkError) {
        // The zero-setup case gone wrong: most likely no local server.
        setStatus(QStringLiteral("Cannot reach the sign-in page. Is latchkey-server running at %1 "
                                 "(scripts/run.sh)?")
                      .arg(m_serverUrl.toString()),
                  QStringLiteral("error"));
        m_statusLabel->setToolTip(error.message);
        return;
    }
    setStatus(loginFailureText(error),
              error.code == ErrorCode::Cancelled ? QString() : QStringLiteral("error"));
}

void DemoWindow::onLoggedOut()
{
    showPage(Page::LoggedOut);
    m_playerPage->reset();
    m_confirmingSession = false;
    if (m_loggingOut)
        setStatus(QStringLiteral("Signed out."));
    else // the server refused the stored session (expired, revoked elsewhere)
        setStatus(QStringLiteral("Your session has ended. Log in again."), QStringLiteral("error"));
    m_loggingOut = false;
}

void DemoWindow::onOnlineChanged(bool online)
{
    if (online)
        setStatus(QStringLiteral("Back online."), QStringLiteral("good"));
    else
        setStatus(QStringLiteral("Offline: the server cannot be reached. Retrying…"),
                  QStringLiteral("error"));
}

} // namespace latchkey::demo
