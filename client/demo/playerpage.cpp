// The signed-in page and its rename field.
#include "playerpage.h"

#include "avatarloader.h"
#include "demowidgets.h"
#include "identitiespanel.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace latchkey::demo {

namespace {
// The page's left and right margin: the room for one line of text follows from it.
constexpr int pageMargin = 32;
} // namespace

PlayerPage::PlayerPage(int avatarSize, int windowWidth, QWidget *parent)
    : QWidget(parent), m_avatarSize(avatarSize), m_lineWidth(windowWidth - 2 * pageMargin),
      m_avatarLoader(new AvatarLoader(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(pageMargin, 22, pageMargin, 20);
    layout->setSpacing(6);

    m_avatarLabel = new QLabel(this);
    m_avatarLabel->setObjectName(QStringLiteral("avatarLabel"));
    m_avatarLabel->setFixedSize(avatarSize, avatarSize);
    layout->addWidget(m_avatarLabel, 0, Qt::AlignHCenter);
    layout->addSpacing(6);
    m_nameLabel = textLabel(QStringLiteral("nameLabel"), QString(), this);
    m_nameLabel->setWordWrap(false); // elided instead (showUser)
    m_nameLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_nameLabel);
    m_emailLabel = textLabel(QStringLiteral("emailLabel"), QString(), this);
    m_emailLabel->setWordWrap(false);
    layout->addWidget(m_emailLabel);
    layout->addSpacing(10);
    layout->addWidget(buildStats());
    layout->addSpacing(14);

    layout->addWidget(textLabel(QStringLiteral("fieldLabel"), QStringLiteral("Change username"),
                                this, Qt::AlignLeft));
    buildRenameRow();
    layout->addSpacing(10);
    m_identities = new IdentitiesPanel(this);
    layout->addWidget(m_identities);

    layout->addStretch(1);
    m_logoutButton = new QPushButton(QStringLiteral("Log out"), this);
    m_logoutButton->setObjectName(QStringLiteral("logoutButton"));
    m_logoutButton->setIcon(
        QIcon(renderSvg(QStringLiteral("logout"), QSize(18, 18), devicePixelRatioF())));
    m_logoutButton->setIconSize(QSize(18, 18));
    m_logoutButton->setCursor(Qt::PointingHandCursor);
    connect(m_logoutButton, &QPushButton::clicked, this, &PlayerPage::logoutRequested);
    layout->addWidget(m_logoutButton);

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
}

QWidget *PlayerPage::buildStats()
{
    const qreal ratio = devicePixelRatioF();
    auto *stats = new QFrame(this);
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
    statsLayout->addSpacing(28);
    m_liveLabel =
        textLabel(QStringLiteral("liveLabel"), QString(), stats, Qt::AlignLeft | Qt::AlignVCenter);
    m_liveLabel->setWordWrap(false);
    statsLayout->addWidget(m_liveLabel);
    setLive(false);
    statsLayout->addStretch();
    return stats;
}

void PlayerPage::buildRenameRow()
{
    auto *layout = static_cast<QVBoxLayout *>(this->layout());
    auto *renameRow = new QHBoxLayout;
    renameRow->setSpacing(8);
    m_usernameEdit = new QLineEdit(this);
    m_usernameEdit->setObjectName(QStringLiteral("usernameEdit"));
    m_usernameEdit->setPlaceholderText(QStringLiteral("New username"));
    m_usernameEdit->setMaxLength(64); // the server's rules are stricter; it says which
    m_usernameEdit->setClearButtonEnabled(true);
    renameRow->addWidget(m_usernameEdit, 1);
    m_renameButton = new QPushButton(QStringLiteral("Change"), this);
    m_renameButton->setObjectName(QStringLiteral("renameButton"));
    m_renameButton->setEnabled(false);
    m_renameButton->setCursor(Qt::PointingHandCursor);
    renameRow->addWidget(m_renameButton);
    layout->addLayout(renameRow);
    m_renameErrorLabel = textLabel(QStringLiteral("renameErrorLabel"), QString(), this,
                                   Qt::AlignLeft | Qt::AlignTop);
    // Room for two lines kept free, so an error does not move the buttons below.
    m_renameErrorLabel->setFixedHeight(m_renameErrorLabel->fontMetrics().lineSpacing() * 2 + 4);
    layout->addWidget(m_renameErrorLabel);
    connect(m_usernameEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_renameButton->setEnabled(!text.trimmed().isEmpty());
        if (m_usernameEdit->property("invalid").toBool())
            setStyleProperty(m_usernameEdit, "invalid", false);
    });
    connect(m_usernameEdit, &QLineEdit::returnPressed, this, [this] {
        if (m_renameButton->isEnabled())
            requestRename();
    });
    connect(m_renameButton, &QPushButton::clicked, this, &PlayerPage::requestRename);
}

void PlayerPage::showUser(const User &user)
{
    // One line each, elided: the window's size is fixed (names go up to 32 characters,
    // addresses much further); the whole text is in the tooltip.
    const auto setLine = [this](QLabel *label, const QString &text) {
        label->ensurePolished(); // the stylesheet's font, also before the first show()
        label->setText(label->fontMetrics().elidedText(text, Qt::ElideMiddle, m_lineWidth));
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

void PlayerPage::showAvatar(const QImage &image, bool placeholder)
{
    m_placeholderAvatar = placeholder;
    const qreal ratio = devicePixelRatioF();
    if (placeholder)
        m_avatarLabel->setPixmap(renderSvg(QStringLiteral("avatar-placeholder"),
                                           QSize(m_avatarSize, m_avatarSize), ratio));
    else
        m_avatarLabel->setPixmap(roundAvatar(image, m_avatarSize, ratio));
    Q_EMIT avatarSettled(placeholder);
}

void PlayerPage::activate()
{
    m_logoutButton->setEnabled(true);
}

void PlayerPage::reset()
{
    m_usernameEdit->clear();
    m_renameErrorLabel->clear();
    m_avatarUrl.reset();
    m_identities->showIdentities({});
    m_identities->setLinking(false);
}

void PlayerPage::showLoggingOut()
{
    m_logoutButton->setEnabled(false);
}

void PlayerPage::requestRename()
{
    const QString name = m_usernameEdit->text().trimmed();
    if (name.isEmpty())
        return;
    m_renameButton->setEnabled(false);
    m_usernameEdit->setEnabled(false);
    m_renameErrorLabel->clear();
    Q_EMIT renameRequested(name);
}

void PlayerPage::renameFinished()
{
    m_usernameEdit->setEnabled(true);
}

void PlayerPage::renameSucceeded(const User &user)
{
    m_usernameEdit->clear(); // disables the button again
    showUser(user);
}

void PlayerPage::renameFailed(const QString &message)
{
    m_renameErrorLabel->setText(message);
    m_renameButton->setEnabled(true);
    setStyleProperty(m_usernameEdit, "invalid", true);
    m_usernameEdit->setFocus();
    m_usernameEdit->selectAll();
}

void PlayerPage::setLive(bool live)
{
    m_liveLabel->setText(live ? QStringLiteral("\u25CF live") : QStringLiteral("\u25CB not live"));
    m_liveLabel->setToolTip(live
                                ? QStringLiteral("Changes made on other devices show here at once.")
                                : QStringLiteral("Reconnecting: changes made on other devices "
                                                 "show at the next refresh."));
}

} // namespace latchkey::demo
