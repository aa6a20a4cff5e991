// The demo's first page: what signing in gives, the button that opens the browser, and
// "Play as guest".
#pragma once

#include <QWidget>

class QPushButton;

namespace latchkey::demo {

class LoggedOutPage : public QWidget
{
    Q_OBJECT
public:
    explicit LoggedOutPage(QWidget *parent = nullptr);

    //! Shown again: the button is enabled and has the focus.
    void activate();
    //! "Play as guest" is offered (the server's sign-in broker; not in direct mode).
    void setGuestOffered(bool offered);

Q_SIGNALS:
    void loginRequested();
    void guestRequested();

private:
    QPushButton *m_loginButton; //!< loginButton
    QPushButton *m_guestButton; //!< guestButton
};

} // namespace latchkey::demo
