// The demo's page while the player signs in in the browser, with a way to cancel.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace latchkey::demo {

class BusyPage : public QWidget
{
    Q_OBJECT
public:
    explicit BusyPage(QWidget *parent = nullptr);

    //! Shown again: the waiting text, the cancel button enabled.
    void activate();
    //! Cancel was pressed; the page waits for the library to confirm.
    void showCancelling();

Q_SIGNALS:
    void cancelRequested();

private:
    QLabel *m_busyLabel;         //!< busyLabel
    QPushButton *m_cancelButton; //!< cancelButton
};

} // namespace latchkey::demo
