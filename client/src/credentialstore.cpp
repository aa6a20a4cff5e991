// QtKeychain jobs with a 0600-file fallback; the profile cache as JSON.
#include "credentialstore_p.h"
#include "logging_p.h"

#include <qt6keychain/keychain.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>

namespace latchkey {

namespace {
constexpr int storeVersion = 1;
const QString secretKey = QStringLiteral("refresh_token");
} // namespace

CredentialStore::CredentialStore(const ClientConfig &config, QObject *parent)
    : QObject(parent), m_config(config), m_directory(directoryFor(config))
{
    if (config.secretStorage == SecretStorage::File)
        m_backend = QStringLiteral("file");
}

QString CredentialStore::directoryFor(const ClientConfig &config)
{
    if (!config.storageDirectory.isEmpty())
        return config.storageDirectory;
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    const QString org =
        config.organization.isEmpty() ? QStringLiteral("default") : config.organization;
    const QString app =
        config.application.isEmpty() ? QStringLiteral("default") : config.application;
    return base + QStringLiteral("/latchkey/") + org + QLatin1Char('/') + app;
}

QString CredentialStore::secretFile() const
{
    return m_directory + QStringLiteral("/session.secret");
}

// QtKeychain jobs are never our children: its libsecret backend calls back into a job after
// the D-Bus round trip, so a job deleted while it runs (a Client destroyed mid-write) is a
// use-after-free. Jobs delete themselves when finished (autoDelete); our connections use
// this store as context, so a store that is gone simply hears nothing.
QString CredentialStore::keychainService() const
{
    return QStringLiteral("Latchkey %1/%2 %3")
        .arg(m_config.organization, m_config.application,
             m_config.serverUrl.toString(QUrl::RemoveUserInfo));
}

bool CredentialStore::writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(m_directory);
    QFile::setPermissions(m_directory,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        qCWarning(lcStore) << "cannot write" << path << ":" << file.errorString();
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(data);
    return file.commit();
}

std::optional<StoredProfile> CredentialStore::readProfile(const ClientConfig &config)
{
    QFile file(directoryFor(config) + QStringLiteral("/profile.json"));
    if (!file.open(QIODevice::ReadOnly) || file.size() > 64 * 1024)
        return std::nullopt;
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    if (json.value(QLatin1StringView("version")).toInt() != storeVersion)
        return std::nullopt;
    const QUrl server(json.value(QLatin1StringView("server")).toString());
    if (server != config.serverUrl)
        return std::nullopt; // another server's player: not ours to show
    const Result<User> user = User::fromJson(json.value(QLatin1StringView("user")).toObject());
    if (!user || user->id <= 0)
        return std::nullopt;
    return StoredProfile{server, *user};
}

void CredentialStore::writeProfile(const User &user)
{
    const QJsonObject json{{QStringLiteral("version"), storeVersion},
                           {QStringLiteral("server"), m_config.serverUrl.toString()},
                           {QStringLiteral("user"), user.toJson()}};
    writeFile(m_directory + QStringLiteral("/profile.json"),
              QJsonDocument(json).toJson(QJsonDocument::Compact));
}

void CredentialStore::useFile(const QString &why)
{
    if (m_backend != QLatin1StringView("file"))
        qCInfo(lcStore).noquote()
            << QStringLiteral(
                   "no OS secret store (%1): keeping the session in %2, readable by this user only")
                   .arg(why, secretFile());
    m_backend = QStringLiteral("file");
}

void CredentialStore::writeSecret(const QByteArray &refreshToken, std::function<void(bool)> done)
{
    auto toFile = [this, refreshToken, done] {
        const QJsonObject json{
            {QStringLiteral("version"), storeVersion},
            {QStringLiteral("server"), m_config.serverUrl.toString()},
            {QStringLiteral("refresh_token"), QString::fromLatin1(refreshToken)}};
        const bool ok = writeFile(secretFile(), QJsonDocument(json).toJson(QJsonDocument::Compact));
        if (done)
            done(ok);
    };
    if (m_backend == QLatin1StringView("file")) {
        toFile();
        return;
    }
    auto *job =
        new QKeychain::WritePasswordJob(keychainService()); // parentless: see keychainService()
    job->setKey(secretKey);
    job->setBinaryData(refreshToken);
    connect(job, &QKeychain::Job::finished, this, [this, job, toFile, done] {
        if (job->error() == QKeychain::NoError) {
            if (m_backend.isEmpty())
                qCInfo(lcStore) << "keeping the session in the OS secret store";
            m_backend = QStringLiteral("keychain");
            QFile::remove(secretFile()); // a stale fallback copy must not outlive the real one
            if (done)
                done(true);
            return;
        }
        if (m_config.secretStorage == SecretStorage::Keychain) {
            qCWarning(lcStore) << "the OS secret store refused the session:" << job->errorString();
            if (done)
                done(false);
            return;
        }
        useFile(job->errorString());
        toFile();
    });
    job->start();
}

void CredentialStore::readSecret(std::function<void(std::optional<QByteArray>)> done)
{
    auto fromFile = [this, done] {
        QFile file(secretFile());
        std::optional<QByteArray> token;
        if (file.open(QIODevice::ReadOnly) && file.size() < 64 * 1024) {
            const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
            const QByteArray value =
                json.value(QLatin1StringView("refresh_token")).toString().toLatin1();
            if (json.value(QLatin1StringView("version")).toInt() == storeVersion &&
                QUrl(json.value(QLatin1StringView("server")).toString()) == m_config.serverUrl &&
                !value.isEmpty())
                token = value;
        }
        done(token);
    };
    if (m_backend == QLatin1StringView("file")) {
        fromFile();
        return;
    }
    auto *job =
        new QKeychain::ReadPasswordJob(keychainService()); // parentless: see keychainService()
    job->setKey(secretKey);
    connect(job, &QKeychain::Job::finished, this, [this, job, fromFile, done] {
        if (job->error() == QKeychain::NoError) {
            m_backend = QStringLiteral("keychain");
            const QByteArray value = job->binaryData();
            done(value.isEmpty() ? std::nullopt : std::optional<QByteArray>(value));
            return;
        }
        if (job->error() == QKeychain::EntryNotFound ||
            m_config.secretStorage == SecretStorage::Keychain) {
            if (job->error() == QKeychain::EntryNotFound)
                m_backend = QStringLiteral("keychain");
            // Written to the file while the store was away? Fall through to it only then.
            if (m_config.secretStorage != SecretStorage::Keychain && QFile::exists(secretFile()))
                fromFile();
            else
                done(std::nullopt);
            return;
        }
        useFile(job->errorString());
        fromFile();
    });
    job->start();
}

void CredentialStore::clear(std::function<void()> done)
{
    QFile::remove(secretFile());
    QFile::remove(m_directory + QStringLiteral("/profile.json"));
    if (m_backend == QLatin1StringView("file")) {
        if (done)
            done();
        return;
    }
    auto *job =
        new QKeychain::DeletePasswordJob(keychainService()); // parentless: see keychainService()
    job->setKey(secretKey);
    connect(job, &QKeychain::Job::finished, this, [done] {
        if (done)
            done();
    });
    job->start();
}

} // namespace latchkey
