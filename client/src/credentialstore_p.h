// Where a session survives restarts: the refresh token in the OS secret store (or a 0600
// file), and a non-secret profile cache so the game can show the player at once.
#pragma once

#include <latchkey/client.h>

#include <QJsonObject>
#include <QObject>

#include <functional>
#include <optional>

namespace latchkey {

//! What is cached in the clear: who the player is, and for which server.
struct StoredProfile
{
    QUrl serverUrl;
    User user;
};

class CredentialStore : public QObject
{
    Q_OBJECT
public:
    CredentialStore(const ClientConfig &config, QObject *parent = nullptr);

    //! The folder of this game's files.
    static QString directoryFor(const ClientConfig &config);

    // Profile cache: small synchronous file operations (any thread).
    //! std::nullopt when missing, corrupt or for another server.
    static std::optional<StoredProfile> readProfile(const ClientConfig &config);
    void writeProfile(const User &user);

    // The secret: asynchronous (the OS store answers later); on the library's thread.
    void writeSecret(const QByteArray &refreshToken, std::function<void(bool ok)> done = {});
    void readSecret(std::function<void(std::optional<QByteArray>)> done);
    //! Forgets the secret and the profile.
    void clear(std::function<void()> done = {});

    //! "keychain" or "file", once known (tests and the log line).
    QString backend() const { return m_backend; }

private:
    QString secretFile() const;
    QString keychainService() const;
    bool writeFile(const QString &path, const QByteArray &data);
    void useFile(const QString &why);

    ClientConfig m_config;
    QString m_directory;
    QString m_backend;
};

} // namespace latchkey
