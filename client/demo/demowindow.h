// The demo launcher's window: log in through the browser, show the player, rename, log out.
#pragma once

#include <latchkey/client.h>

#include <QImage>
#include <QSize>
#include <QUrl>
#include <QWidget>

#include <memory>

class QLabel;
class QStackedWidget;

namespace latchkey::demo {

class BusyPage;
class LoggedOutPage;
class PlayerPage;

//! What a game launcher's account corner could be, on top of latchkey::Client: a header,
//! one page widget per state (LoggedOutPage, BusyPage, PlayerPage) and a status line. Every
//! interactive widget has an objectName (loginButton, cancelButton, busyLabel, avatarLabel,
//! nameLabel, emailLabel, starsLabel, levelLabel, usernameEdit, renameButton,
//! renameErrorLabel, logoutButton, statusLabel; in broker mode guestButton, identitiesLabel,
//! linkButton) so tests and tools can find it.
//! The window has one fixed size (windowSize).
class DemoWindow : public QWidget
{
    Q_OBJECT
public:
    enum class Page { LoggedOut, Busy, Player };
    Q_ENUM(Page)

    static constexpr QSize windowSize{420, 600};
    //! The avatar's edge in device-independent pixels.
    static constexpr int avatarSize = 96;

    //! Creates the Client (callbacks drained by the Qt loop) but does not touch the
    //! session yet: call restoreSession().
    explicit DemoWindow(const ClientConfig &config, QWidget *parent = nullptr);
    ~DemoWindow() override;

    //! Shows the stored player at once, without the browser, when a session is stored
    //! (it then refreshes in the background); false, and the login page, when none is.
    bool restoreSession();

    Page page() const { return m_page; }
    //! True while the avatar shows the placeholder (no picture, or it could not be fetched).
    bool showsPlaceholderAvatar() const;
    Client &client() { return *m_client; }

Q_SIGNALS:
    void pageChanged(latchkey::demo::DemoWindow::Page page);
    //! The avatar has been settled for the current player: a picture or the placeholder.
    void avatarSettled(bool placeholder);

private:
    void buildUi();
    void showPage(Page page);
    void setStatus(const QString &text, const QString &tone = {});

    void startLogin();
    void startGuest();
    //! Links another sign-in to the player through the server's sign-in page.
    void linkSignIn();
    //! Asks the server for the player's linked providers (broker mode).
    void refreshIdentities();
    void cancelLogin();
    void rename(const QString &name);
    void logOut();

    void onLoggedIn(const User &user);
    void onLoginFailed(const Error &error);
    void onLoggedOut();
    void onOnlineChanged(bool online);
    void onSessionRefreshed();

    const QUrl m_serverUrl;
    const bool m_viaServer; //!< logging in through the server's sign-in page (Broker mode)

    Page m_page = Page::LoggedOut;
    bool m_loggingOut = false;
    bool m_confirmingSession = false; //!< a restored session the server has not confirmed yet

    QStackedWidget *m_pages = nullptr;
    LoggedOutPage *m_loggedOutPage = nullptr;
    BusyPage *m_busyPage = nullptr;
    PlayerPage *m_playerPage = nullptr;
    QLabel *m_statusLabel = nullptr;

    // Declared last, destroyed first: no queued callback can reach the widgets above after
    // the window starts going away (~Client drops what it has not run).
    std::unique_ptr<Client> m_client;
};

} // namespace latchkey::demo
