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
    layout->addStretch(3);
}

void LoggedOutPage::activate()
{
    m_loginButton->setEnabled(true);
    m_loginButton->setFocus();
}

} // namespace latchkey::demo
