// The waiting page of a browser sign-in.
#include "busypage.h"

#include "demowidgets.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace latchkey::demo {

namespace {
const QString waitingText = QStringLiteral("Finish signing in in your browser…");
} // namespace

BusyPage::BusyPage(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(36, 24, 36, 24);
    layout->setSpacing(12);
    layout->addStretch(2);
    layout->addWidget(iconLabel(QStringLiteral("browser"), 80, devicePixelRatioF(), this), 0,
                      Qt::AlignHCenter);
    layout->addSpacing(8);
    m_busyLabel = textLabel(QStringLiteral("busyLabel"), waitingText, this);
    layout->addWidget(m_busyLabel);
    layout->addWidget(textLabel(QStringLiteral("hintLabel"),
                                QStringLiteral("This window carries on by itself after that."),
                                this));
    auto *progress = new QProgressBar(this);
    progress->setRange(0, 0); // busy, no known end
    progress->setTextVisible(false);
    layout->addSpacing(8);
    layout->addWidget(progress);
    layout->addSpacing(16);
    m_cancelButton = new QPushButton(QStringLiteral("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setCursor(Qt::PointingHandCursor);
    connect(m_cancelButton, &QPushButton::clicked, this, &BusyPage::cancelRequested);
    layout->addWidget(m_cancelButton, 0, Qt::AlignHCenter);
    layout->addStretch(3);
}

void BusyPage::activate()
{
    m_cancelButton->setEnabled(true);
    m_busyLabel->setText(waitingText);
}

void BusyPage::showCancelling()
{
    m_cancelButton->setEnabled(false);
    m_busyLabel->setText(QStringLiteral("Cancelling…"));
}

} // namespace latchkey::demo
