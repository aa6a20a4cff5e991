// The demo launcher's window: log in through the browser, show the player, rename, log out.
#include "demowindow.h"

#include "avatarloader.h"

#include <QFile>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPainterPath>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QStyle>
#include <QSvgRenderer>
#include <QVBoxLayout>

namespace latchkey::demo {

namespace {

// The player page's left and right margin: the room for one line of text follows from it.
constexpr int playerPageMargin = 32;

// Icons are SVG in the resources, rendered at the screen's pixel ratio so they stay sharp.
QPixmap renderSvg(const QString &name, QSize size, qreal ratio)
{
    QSvgRenderer renderer(QStringLiteral(":/demo/icons/%1.svg").arg(name));
    QPixmap pixmap(size * ratio);
    pixmap.fill(Qt::transparent);
    if (!renderer.isValid()) {
        qWarning("latchkey-demo: icon %s is missing from the resources", qPrintable(name));
        return pixmap;
    }
    QPainter painter(&pixmap);
    renderer.render(&painter);
    painter.end();
    pixmap.setDevicePixelRatio(ratio);
    return pixmap;
}

QLabel *iconLabel(const QString &icon, int edge, qreal ratio, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setPixmap(renderSvg(icon, QSize(edge, edge), ratio));
    label->setFixedSize(edge, edge);
    return label;
}

QLabel *textLabel(const QString &objectName, const QString &text, QWidget *parent,
                  Qt::Alignment alignment = Qt::AlignCenter)
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(objectName);
    label->setAlignment(alignment);
    label->setWordWrap(true);
    return label;
}

// A square image cut to a circle of \a edge device-independent pixels.
QPixmap roundAvatar(const QImage &image, int edge, qreal ratio)
{
    const int pixels = qRound(edge * ratio);
    const QImage square =
        image.scaled(pixels, pixels, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
    QPixmap pixmap(pixels, pixels);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    QPainterPath circle;
    circle.addEllipse(QRectF(0, 0, pixels, pixels));
    painter.setClipPath(circle);
    painter.drawImage(QPoint((pixels - square.width()) / 2, (pixels - square.height()) / 2),
                      square);
    painter.end();
    pixmap.setDevicePixelRatio(ratio);
    return pixmap;
}

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

} // namespace

DemoWindow::DemoWindow(const ClientConfig &config, QWidget *parent)
    : QWidget(parent), m_serverUrl(config.serverUrl),
      m_devProvider(config.provider == QLatin1StringView("dev")),
      m_avatarLoader(new AvatarLoader(this)), m_client(std::make_unique<Client>(config))
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
    connect(m_client.get(), &Client::userChanged, this, &DemoWindow::showPlayer);
    connect(m_client.get(), &Client::onlineChanged, this, &DemoWindow::onOnlineChanged);
    connect(m_client.get(), &Client::sessionRefreshed, this, [this] {
        m_confirmingSession = false;
        if (m_page == Page::Player && m_client->isOnline())
            setStatus(QStringLiteral("Signed in as %1.").arg(m_client->user().name),
                      QStringLiteral("good"));
    });

    connect(m_avatarLoader, &AvatarLoader::loaded, this,
            [this](const QUrl &url, const QImage &image) {
                if (m_avatarUrl && url == QUrl(*m_avatarUrl))
                    showAvatar(image, false);
            });
    connect(m_avatarLoader, &AvatarLoader::failed, this,
            [this](const QUrl &url, const QString &reason) {
                if (!m_avatarUrl || url != QUrl(*m_avatarUrl))
                    return;
                if (!url.isEmpty())
                    qInfo("latchkey-demo: the player's picture was not shown (%s)",
                          qPrintable(reason));
                showAvatar({}, true);
            });

    showPage(Page::LoggedOut);
    setStatus(QStringLiteral("Not signed in."));
}

DemoWindow::~DemoWindow() = default;

bool DemoWindow::restoreSession()
{
    if (!m_client->loadStoredCredentials())
        return false;
    // The cached player, at once; loggedIn() follows from the queue, the refresh later.
    m_confirmingSession = true;
    showPlayer(m_client->user());
    showPage(Page::Player);
    setStatus(
        QStringLiteral("Welcome back, %1. Checking your session…").arg(m_client->user().name));
    return true;
}

void DemoWindow::buildUi()
{
    auto *root = new QVBoxLayout(this);
    root->setContentsMargins(0, 0, 0, 0);
    root->setSpacing(0);

    auto *header = new QFrame(this);
    header->setObjectName(QStringLiteral("header"));
    auto *headerLayout = new QHBoxLayout(header);
    headerLayout->setContentsMargins(20, 14, 20, 14);
    headerLayout->setSpacing(12);
    headerLayout->addWidget(iconLabel(QStringLiteral("app"), 40, devicePixelRatioF(), header));
    auto *titles = new QVBoxLayout;
    titles->setSpacing(0);
    titles->addWidget(
        textLabel(QStringLiteral("titleLabel"), QStringLiteral("Latchkey"), header, Qt::AlignLeft));
    titles->addWidget(textLabel(QStringLiteral("subtitleLabel"),
                                QStringLiteral("Demo game launcher"), header, Qt::AlignLeft));
    headerLayout->addLayout(titles, 1);
    root->addWidget(header);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(buildLoggedOutPage());
    m_pages->addWidget(buildBusyPage());
    m_pages->addWidget(buildPlayerPage());
    root->addWidget(m_pages, 1);

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

QWidget *DemoWindow::buildLoggedOutPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(36, 24, 36, 24);
    layout->setSpacing(12);
    layout->addStretch(2);
    layout->addWidget(iconLabel(QStringLiteral("app"), 96, devicePixelRatioF(), page), 0,
                      Qt::AlignHCenter);
    layout->addSpacing(8);
    layout->addWidget(
        textLabel(QStringLiteral("headingLabel"), QStringLiteral("Sign in to play"), page));
    layout->addWidget(textLabel(QStringLiteral("hintLabel"),
                                QStringLiteral("Your stars and level follow your account to every "
                                               "computer you play on."),
                                page));
    layout->addSpacing(16);
    m_loginButton = new QPushButton(QStringLiteral("Log in"), page);
    m_loginButton->setObjectName(QStringLiteral("loginButton"));
    m_loginButton->setProperty("role", QStringLiteral("primary"));
    m_loginButton->setIcon(
        QIcon(renderSvg(QStringLiteral("login"), QSize(20, 20), devicePixelRatioF())));
    m_loginButton->setIconSize(QSize(20, 20));
    m_loginButton->setCursor(Qt::PointingHandCursor);
    m_loginButton->setDefault(true);
    connect(m_loginButton, &QPushButton::clicked, this, &DemoWindow::startLogin);
    layout->addWidget(m_loginButton);
    layout->addWidget(textLabel(QStringLiteral("hintLabel"),
                                QStringLiteral("Opens your browser to sign in."), page));
    layout->addStretch(3);
    return page;
}

QWidget *DemoWindow::buildBusyPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(36, 24, 36, 24);
    layout->setSpacing(12);
    layout->addStretch(2);
    layout->addWidget(iconLabel(QStringLiteral("browser"), 80, devicePixelRatioF(), page), 0,
                      Qt::AlignHCenter);
    layout->addSpacing(8);
    m_busyLabel = textLabel(QStringLiteral("busyLabel"),
                            QStringLiteral("Finish signing in in your browser…"), page);
    layout->addWidget(m_busyLabel);
    layout->addWidget(textLabel(QStringLiteral("hintLabel"),
                                QStringLiteral("This window carries on by itself after that."),
                                page));
    auto *progress = new QProgressBar(page);
    progress->setRange(0, 0); // busy, no known end
    progress->setTextVisible(false);
    layout->addSpacing(8);
    layout->addWidget(progress);
    layout->addSpacing(16);
    m_cancelButton = new QPushButton(QStringLiteral("Cancel"), page);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setCursor(Qt::PointingHandCursor);
    connect(m_cancelButton, &QPushButton::clicked, this, &DemoWindow::cancelLogin);
    layout->addWidget(m_cancelButton, 0, Qt::AlignHCenter);
    layout->addStretch(3);
    return page;
}

QWidget *DemoWindow::buildPlayerPage()
{
    const qreal ratio = devicePixelRatioF();
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(playerPageMargin, 22, playerPageMargin, 20);
    layout->setSpacing(6);

    m_avatarLabel = new QLabel(page);
    m_avatarLabel->setObjectName(QStringLiteral("avatarLabel"));
    m_avatarLabel->setFixedSize(avatarSize, avatarSize);
    layout->addWidget(m_avatarLabel, 0, Qt::AlignHCenter);
    layout->addSpacing(6);
    m_nameLabel = textLabel(QStringLiteral("nameLabel"), QString(), page);
    m_nameLabel->setWordWrap(false); // elided instead (showPlayer)
    m_nameLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_nameLabel);
    m_emailLabel = textLabel(QStringLiteral("emailLabel"), QString(), page);
    m_emailLabel->setWordWrap(false);
    layout->addWidget(m_emailLabel);
    layout->addSpacing(10);

    auto *stats = new QFrame(page);
    stats->setObjectName(QStringLiteral("statsCard"));
    auto *statsLayout = new QHBoxLayout(stats);
    statsLayout->setContentsMargins(18, 10, 18, 10);
    statsLayout->setSpacing(8);
    statsLayout->addStretch();
    statsLayout->addWidget(iconLabel(QStringLiteral("star"), 22, ratio, stats));
    m_starsLabel =
        textLabel(QStringLiteral("starsLabel"), QString(), stats, Qt::AlignLeft | Qt::AlignVCenter);
    m_starsLabel->setWordWrap(false);
    statsLayout->addWidget(m_starsLabel);
    statsLayout->addSpacing(28);
    statsLayout->addWidget(iconLabel(QStringLiteral("level"), 22, ratio, stats));
    m_levelLabel =
        textLabel(QStringLiteral("levelLabel"), QString(), stats, Qt::AlignLeft | Qt::AlignVCenter);
    m_levelLabel->setWordWrap(false);
    statsLayout->addWidget(m_levelLabel);
    statsLayout->addStretch();
    layout->addWidget(stats);
    layout->addSpacing(14);

    layout->addWidget(textLabel(QStringLiteral("fieldLabel"), QStringLiteral("Change username"),
                                page, Qt::AlignLeft));
    auto *renameRow = new QHBoxLayout;
    renameRow->setSpacing(8);
    m_usernameEdit = new QLineEdit(page);
    m_usernameEdit->setObjectName(QStringLiteral("usernameEdit"));
    m_usernameEdit->setPlaceholderText(QStringLiteral("New username"));
    m_usernameEdit->setMaxLength(64); // the server's rules are stricter; it says which
    m_usernameEdit->setClearButtonEnabled(true);
    renameRow->addWidget(m_usernameEdit, 1);
    m_renameButton = new QPushButton(QStringLiteral("Change"), page);
    m_renameButton->setObjectName(QStringLiteral("renameButton"));
    m_renameButton->setEnabled(false);
    m_renameButton->setCursor(Qt::PointingHandCursor);
    renameRow->addWidget(m_renameButton);
    layout->addLayout(renameRow);
    m_renameErrorLabel = textLabel(QStringLiteral("renameErrorLabel"), QString(), page,
                                   Qt::AlignLeft | Qt::AlignTop);
    // Room for two lines kept free, so an error does not move the buttons below.
    m_renameErrorLabel->setFixedHeight(m_renameErrorLabel->fontMetrics().lineSpacing() * 2 + 4);
    layout->addWidget(m_renameErrorLabel);
    connect(m_usernameEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_renameButton->setEnabled(!text.trimmed().isEmpty());
        if (m_usernameEdit->property("invalid").toBool()) {
            m_usernameEdit->setProperty("invalid", false);
            m_usernameEdit->style()->unpolish(m_usernameEdit);
            m_usernameEdit->style()->polish(m_usernameEdit);
        }
    });
    connect(m_usernameEdit, &QLineEdit::returnPressed, this, [this] {
        if (m_renameButton->isEnabled())
            rename();
    });
    connect(m_renameButton, &QPushButton::clicked, this, &DemoWindow::rename);

    layout->addStretch(1);
    m_logoutButton = new QPushButton(QStringLiteral("Log out"), page);
    m_logoutButton->setObjectName(QStringLiteral("logoutButton"));
    m_logoutButton->setIcon(QIcon(renderSvg(QStringLiteral("logout"), QSize(18, 18), ratio)));
    m_logoutButton->setIconSize(QSize(18, 18));
    m_logoutButton->setCursor(Qt::PointingHandCursor);
    connect(m_logoutButton, &QPushButton::clicked, this, &DemoWindow::logOut);
    layout->addWidget(m_logoutButton);
    return page;
}

void DemoWindow::showPage(Page page)
{
    m_pages->setCurrentIndex(int(page));
    const bool changed = page != m_page;
    m_page = page;
    switch (page) {
    case Page::LoggedOut:
        m_loginButton->setEnabled(true);
        m_loginButton->setFocus();
        break;
    case Page::Busy:
        m_cancelButton->setEnabled(true);
        m_busyLabel->setText(QStringLiteral("Finish signing in in your browser…"));
        break;
    case Page::Player:
        m_logoutButton->setEnabled(true);
        break;
    }
    if (changed)
        Q_EMIT pageChanged(page);
}

void DemoWindow::showPlayer(const User &user)
{
    // One line each, elided: the window's size is fixed (names go up to 32 characters,
    // addresses much further); the whole text is in the tooltip.
    const auto setLine = [](QLabel *label, const QString &text) {
        label->ensurePolished(); // the stylesheet's font, also before the first show()
        const int room = DemoWindow::windowSize.width() - 2 * playerPageMargin;
        label->setText(label->fontMetrics().elidedText(text, Qt::ElideMiddle, room));
        label->setToolTip(text);
    };
    setLine(m_nameLabel, user.name);
    setLine(m_emailLabel, user.email);
    m_starsLabel->setText(user.stars == 1 ? QStringLiteral("1 star")
                                          : QStringLiteral("%1 stars").arg(user.stars));
    m_levelLabel->setText(QStringLiteral("Level %1").arg(user.level));
    if (!m_avatarUrl || *m_avatarUrl != user.picture) {
        m_avatarUrl = user.picture;
        // The placeholder until the picture arrives (or for good, when there is none).
        showAvatar({}, true);
        m_avatarLoader->load(QUrl(user.picture));
    }
}

void DemoWindow::showAvatar(const QImage &image, bool placeholder)
{
    m_placeholderAvatar = placeholder;
    if (placeholder)
        m_avatarLabel->setPixmap(renderSvg(QStringLiteral("avatar-placeholder"),
                                           QSize(avatarSize, avatarSize), devicePixelRatioF()));
    else
        m_avatarLabel->setPixmap(roundAvatar(image, avatarSize, devicePixelRatioF()));
    Q_EMIT avatarSettled(placeholder);
}

void DemoWindow::setStatus(const QString &text, const QString &tone)
{
    m_statusLabel->setText(text);
    m_statusLabel->setToolTip(QString());
    if (m_statusLabel->property("tone").toString() != tone) {
        m_statusLabel->setProperty("tone", tone);
        m_statusLabel->style()->unpolish(m_statusLabel);
        m_statusLabel->style()->polish(m_statusLabel);
    }
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

void DemoWindow::cancelLogin()
{
    // loginFailed(Cancelled) takes the window back to the login page.
    m_cancelButton->setEnabled(false);
    m_busyLabel->setText(QStringLiteral("Cancelling…"));
    m_client->cancelLogin();
}

void DemoWindow::rename()
{
    const QString name = m_usernameEdit->text().trimmed();
    if (name.isEmpty())
        return;
    m_renameButton->setEnabled(false);
    m_usernameEdit->setEnabled(false);
    m_renameErrorLabel->clear();
    QPointer<DemoWindow> self(this);
    m_client->updateUsername(name, [self, name](const Result<User> &result) {
        if (!self)
            return;
        self->m_usernameEdit->setEnabled(true);
        if (self->m_page != Page::Player)
            return; // logged out meanwhile: nothing to show it on
        if (result) {
            self->m_usernameEdit->clear(); // disables the button again
            self->showPlayer(*result);
            self->setStatus(QStringLiteral("Your username is now %1.").arg(result->name),
                            QStringLiteral("good"));
            return;
        }
        // The server's own words: "username is taken", the rule a name breaks, …
        self->m_renameErrorLabel->setText(result.error().message);
        self->m_renameButton->setEnabled(true);
        self->m_usernameEdit->setProperty("invalid", true);
        self->m_usernameEdit->style()->unpolish(self->m_usernameEdit);
        self->m_usernameEdit->style()->polish(self->m_usernameEdit);
        self->m_usernameEdit->setFocus();
        self->m_usernameEdit->selectAll();
    });
}

void DemoWindow::logOut()
{
    // loggedOut() follows once the library has forgotten the session.
    m_loggingOut = true;
    m_logoutButton->setEnabled(false);
    setStatus(QStringLiteral("Signing out…"));
    m_client->logout();
}

void DemoWindow::onLoggedIn(const User &user)
{
    showPlayer(user);
    showPage(Page::Player);
    // A restored session says so once the server has confirmed it (sessionRefreshed).
    if (m_client->isOnline() && !m_confirmingSession)
        setStatus(QStringLiteral("Signed in as %1.").arg(user.name), QStringLiteral("good"));
}

void DemoWindow::onLoginFailed(const Error &error)
{
    showPage(Page::LoggedOut);
    if (m_devProvider && error.code == ErrorCode::NetworkError) {
        // The zero-setup case gone wrong: most likely no local server, or one without /dev-idp/.
        setStatus(
            QStringLiteral("Cannot reach the sign-in page. Is latchkey-server running at %1 with "
                           "DEV_IDP=true?")
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
    m_usernameEdit->clear();
    m_renameErrorLabel->clear();
    m_avatarUrl.reset();
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
