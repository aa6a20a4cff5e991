// The player's ways to sign in (broker mode): the providers linked to the account and the
// button that links another one through the server's sign-in page.
#pragma once

#include <latchkey/client.h>

#include <QWidget>

class QLabel;
class QPushButton;

namespace latchkey::demo {

class IdentitiesPanel : public QWidget
{
    Q_OBJECT
public:
    explicit IdentitiesPanel(QWidget *parent = nullptr);

    //! "Sign-ins: Guest, GitHub"; an empty list while not known yet.
    void showIdentities(const QList<Identity> &identities);
    //! While a link runs the button is off and says so.
    void setLinking(bool linking);
    //! A provider's name as players know it ("dev" → "Development sign-in").
    static QString providerLabel(const QString &provider);

Q_SIGNALS:
    void linkRequested();

private:
    QLabel *m_label;           //!< identitiesLabel
    QPushButton *m_linkButton; //!< linkButton
};

} // namespace latchkey::demo
