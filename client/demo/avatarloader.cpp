// Fetches a player's picture for the demo window: https only, bounded in size and time.
#include "avatarloader.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace latchkey::demo {

namespace {
constexpr char tooLargeProperty[] = "latchkeyTooLarge";
} // namespace

AvatarLoader::AvatarLoader(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this))
{
}

AvatarLoader::~AvatarLoader()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

void AvatarLoader::load(const QUrl &url)
{
    if (m_reply) {
        QNetworkReply *previous = m_reply;
        m_reply.clear();
        previous->disconnect(this);
        previous->abort();
        previous->deleteLater();
    }
    // The server only stores https pictures; anything else would leak the player's IP to a
    // plain-text host, so it is not fetched at all.
    if (url.isEmpty() || url.scheme() != QLatin1StringView("https") || url.host().isEmpty()) {
        const QString reason =
            url.isEmpty() ? QStringLiteral("no picture") : QStringLiteral("not an https URL");
        // Queued, so that a caller connecting after load() still hears about it.
        QTimer::singleShot(0, this, [this, url, reason] { Q_EMIT failed(url, reason); });
        return;
    }
    QNetworkRequest request(url);
    request.setTransferTimeout(int(m_timeout.count()));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setMaximumRedirectsAllowed(3);
    QNetworkReply *reply = m_network->get(request);
    m_reply = reply;
    connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64 total) {
        if (received > maxBytes || total > maxBytes) {
            reply->setProperty(tooLargeProperty, true);
            reply->abort(); // finished() follows with OperationCanceledError
        }
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { finish(reply); });
}

void AvatarLoader::finish(QNetworkReply *reply)
{
    reply->deleteLater();
    if (m_reply == reply)
        m_reply.clear();
    const QUrl url = reply->request().url();
    if (reply->error() != QNetworkReply::NoError) {
        // A transfer timeout is an OperationCanceledError as well: the property tells them apart.
        const QString reason = reply->property(tooLargeProperty).toBool()
                                   ? QStringLiteral("larger than %1 bytes").arg(maxBytes)
                                   : reply->errorString();
        Q_EMIT failed(url, reason);
        return;
    }
    const QImage image = QImage::fromData(reply->read(maxBytes));
    if (image.isNull()) {
        Q_EMIT failed(url, QStringLiteral("not an image"));
        return;
    }
    Q_EMIT loaded(url, image);
}

} // namespace latchkey::demo
