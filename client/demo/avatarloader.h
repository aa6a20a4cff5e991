// Fetches a player's picture for the demo window: https only, bounded in size and time.
#pragma once

#include <QImage>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <chrono>

class QNetworkAccessManager;
class QNetworkReply;

namespace latchkey::demo {

class AvatarLoader : public QObject
{
    Q_OBJECT
public:
    //! Pictures larger than this are not decoded (a profile picture is a few KiB).
    static constexpr qint64 maxBytes = 2 * 1024 * 1024;

    explicit AvatarLoader(QObject *parent = nullptr);
    ~AvatarLoader() override;

    //! Starts fetching \a url, abandoning the previous fetch. Every call ends in exactly one
    //! loaded() or failed() (at once for an empty or non-https URL), unless a later call
    //! or the loader's destruction abandons it.
    void load(const QUrl &url);
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }

Q_SIGNALS:
    void loaded(const QUrl &url, const QImage &image);
    void failed(const QUrl &url, const QString &reason);

private:
    void finish(QNetworkReply *reply);

    QNetworkAccessManager *m_network;
    QPointer<QNetworkReply> m_reply;
    std::chrono::milliseconds m_timeout{std::chrono::seconds(10)};
};

} // namespace latchkey::demo
