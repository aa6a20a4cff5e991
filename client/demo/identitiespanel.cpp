// The linked providers and the link button.
#include "identitiespanel.h"

#include "demowidgets.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace latchkey::demo {

IdentitiesPanel::IdentitiesPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    m_label = textLabel(QStringLiteral("identitiesLabel"), QString(), this,
                        Qt::AlignLeft | Qt::AlignVCenter);
    layout->addWidget(m_label, 1);
    m_linkButton = new QPushButton(this);
    m_linkButton->setObjectName(QStringLiteral("linkButton"));
    m_linkButton->setCursor(Qt::PointingHandCursor);
    m_linkButton->setToolTip(
        QStringLiteral("Opens the sign-in page: the account you choose there is added to "
                       "this player, so you can sign in with it anywhere."));
    connect(m_linkButton, &QPushButton::clicked, this, &IdentitiesPanel::linkRequested);
    layout->addWidget(m_linkButton);
    setLinking(false);
    showIdentities({});
}

QString IdentitiesPanel::providerLabel(const QString &provider)
{
    static const QHash<QString, QString> known{
        {QStringLiteral("guest"), QStringLiteral("Guest")},
        {QStringLiteral("dev"), QStringLiteral("Development sign-in")},
        {QStringLiteral("google"), QStringLiteral("Google")},
        {QStringLiteral("github"), QStringLiteral("GitHub")},
        {QStringLiteral("discord"), QStringLiteral("Discord")},
        {QStringLiteral("slack"), QStringLiteral("Slack")},
        {QStringLiteral("atlassian"), QStringLiteral("Atlassian")}};
    return known.value(provider, provider);
}

void IdentitiesPanel::showIdentities(const QList<Identity> &identities)
{
    QStringList names;
    for (const Identity &identity : identities) {
        const QString name = providerLabel(identity.provider);
        if (!names.contains(name))
            names << name;
    }
    m_label->setText(names.isEmpty()
                         ? QStringLiteral("Sign-ins: …")
                         : QStringLiteral("Sign-ins: ") + names.join(QStringLiteral(", ")));
}

void IdentitiesPanel::setLinking(bool linking)
{
    m_linkButton->setEnabled(!linking);
    m_linkButton->setText(linking ? QStringLiteral("Linking…") : QStringLiteral("Link…"));
}

} // namespace latchkey::demo
