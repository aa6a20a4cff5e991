// The demo's first page: what signing in gives, and the button that opens the browser.
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

Q_SIGNALS:
    void loginRequested();

private:
    QPushButton *m_loginButton; //!< loginButton
};

} // namespace latchkey::demo
