// The demo's signed-in page: the player's picture, name, e-mail, stars and level, a rename
// field, the linked sign-ins and the logout button.
#pragma once

#include <latchkey/user.h>

#include <QImage>
#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace latchkey::demo {

class AvatarLoader;
class IdentitiesPanel;

class PlayerPage : public QWidget
{
    Q_OBJECT
public:
    //! \a windowWidth: the fixed width of the window, which gives the room for one line of
    //! text (names and addresses are elided to it).
    PlayerPage(int avatarSize, int windowWidth, QWidget *parent = nullptr);

    //! Shows \a user; the picture is fetched when it changed (the placeholder meanwhile).
    void showUser(const User &user);
    bool showsPlaceholderAvatar() const { return m_placeholderAvatar; }
    //! The linked providers and the link button (shown in broker mode only).
    IdentitiesPanel *identitiesPanel() const { return m_identities; }
    //! Shown again: the logout button is enabled.
    void activate();
    //! Logged out: the rename field is emptied and the picture forgotten.
    void reset();
    //! The logout was asked for; the button stays off until the page is shown again.
    void showLoggingOut();
    //! Whether the live event socket is open: changes made elsewhere show at once.
    void setLive(bool live);

    //! The answer to renameRequested(): the new name, or the server's words for a refusal.
    void renameSucceeded(const User &user);
    void renameFailed(const QString &message);
    //! The rename field takes input again (the answer came, whatever it was).
    void renameFinished();

Q_SIGNALS:
    void renameRequested(const QString &name);
    void logoutRequested();
    //! The picture has been settled for the current player: a picture or the placeholder.
    void avatarSettled(bool placeholder);

private:
    QWidget *buildStats();
    void buildRenameRow();
    void showAvatar(const QImage &image, bool placeholder);
    void requestRename();

    const int m_avatarSize;
    const int m_lineWidth;
    bool m_placeholderAvatar = true;
    std::optional<QString> m_avatarUrl; //!< the picture shown or being fetched; none when reset
    AvatarLoader *m_avatarLoader;

    QLabel *m_avatarLabel;                 //!< avatarLabel
    QLabel *m_nameLabel;                   //!< nameLabel
    QLabel *m_emailLabel;                  //!< emailLabel
    QLabel *m_starsLabel = nullptr;        //!< starsLabel
    QLabel *m_levelLabel = nullptr;        //!< levelLabel
    QLabel *m_liveLabel = nullptr;         //!< liveLabel
    QLineEdit *m_usernameEdit = nullptr;   //!< usernameEdit
    QPushButton *m_renameButton = nullptr; //!< renameButton
    QLabel *m_renameErrorLabel = nullptr;  //!< renameErrorLabel
    IdentitiesPanel *m_identities;
    QPushButton *m_logoutButton; //!< logoutButton
};

} // namespace latchkey::demo
