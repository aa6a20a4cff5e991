// The signed-out page.
#include "loggedoutpage.h"

#include "demowidgets.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace latchkey::demo {

LoggedOutPage::LoggedOutPage(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(36, 24, 36, 24);
    layout->setSpacing(12);
    layout->addStretch(2);
    layout->addWidget(iconLabel(QStringLiteral("app"), 96, devicePixelRatioF(), this), 0,
                      Qt::AlignHCenter);
    layout->addSpacing(8);
    layout->addWidget(
        textLabel(QStringLiteral("headingLabel"), QStringLiteral("Sign in to play"), this));
    layout->addWidget(textLabel(QStringLiteral("hintLabel"),
                                QStringLiteral("Your stars and level follow your account to every "
                                               "computer you play on."),
                                this));
    layout->addSpacing(16);
    m_loginButton = new QPushButton(QStringLiteral("Log in"), this);
    m_loginButton->setObjectName(QStringLiteral("loginButton"));
    m_loginButton->setProperty("role", QStringLiteral("primary"));
    m_loginButton->setIcon(
        QIcon(renderSvg(QStringLiteral("login"), QSize(20, 20), devicePixelRatioF())));
    m_loginButton->setIconSize(QSize(20, 20));
    m_loginButton->setCursor(Qt::PointingHandCursor);
    m_loginButton->setDefault(true);
    connect(m_loginButton, &QPushButton::clicked, this, &LoggedOutPage::loginRequested);
    layout->addWidget(m_loginButton);
    layout->addWidget(textLabel(QStringLiteral("hintLabel"),
                                QStringLiteral("Opens your browser to sign in."), this));
    m_guestButton = new QPushButton(QStringLiteral("Play as guest"), this);
    m_guestButton->setObjectName(QStringLiteral("guestButton"));
    m_guestButton->setCursor(Qt::PointingHandCursor);
    m_guestButton->setToolTip(QStringLiteral("No browser: a new player at once. Link a sign-in "
                                             "later to keep it on other computers."));
    connect(m_guestButton, &QPushButton::clicked, this, &LoggedOutPage::guestRequested);
    layout->addSpacing(8);
    layout->addWidget(m_guestButton);
    layout->addStretch(3);
}

void LoggedOutPage::setGuestOffered(bool offered)
{
    m_guestButton->setVisible(offered);
}

void LoggedOutPage::activate()
{
    m_loginButton->setEnabled(true);
    m_loginButton->setFocus();
}

} // namespace latchkey::demo
