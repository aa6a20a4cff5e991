// The live event socket (GET /api/events) on the library's thread: open while logged in,
// reconnected with jittered backoff, its messages handed to the engine.
#pragma once

#include <latchkey/client.h>

#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QWebSocket>

#include <functional>

namespace latchkey {

class EventSocket : public QObject
{
    Q_OBJECT
public:
    struct Handlers
    {
        std::function<void(const QJsonObject &)> message; //!< one event, parsed
        std::function<void(bool)> liveChanged;
        std::function<QByteArray()> accessToken;
        //! Renews the access token (a refresh); the callback says whether it worked. Used
        //! before retrying a handshake that failed: the token may have expired.
        std::function<void(std::function<void(bool)>)> renewToken;
    };

    EventSocket(const ClientConfig &config, Handlers handlers, QObject *parent);
    ~EventSocket() override;

    //! Logged in: keep the socket open (connects now unless it is open or a retry waits).
    void start();
    //! Logged out, or the session is about to be replaced: close it and stop retrying.
    void stop();
    bool isLive() const { return m_live; }

    static constexpr int maxBackoffSecs = 60;

private:
    void open();
    //! Lets go of the current socket (closing it), deaf to anything it still delivers.
    void drop();
    void onDisconnected();
    void retryLater();
    void setLive(bool live);

    QUrl m_url;
    Handlers m_handlers;
    QWebSocket *m_socket = nullptr; //!< one per connection attempt
    QTimer m_retry;
    bool m_wanted = false;
    bool m_connecting = false;
    bool m_renewFirst = false; //!< the last handshake failed: renew the token before the next
    bool m_live = false;
    int m_failures = 0;
};

} // namespace latchkey
