// The listening thread: two connections, a heartbeat timer, reconnection with backoff.
#include "changelistener.h"

#include "database.h"
#include "logging.h"

#include <latchkey/crypto.h>

#include <QSqlDriver>
#include <QTimer>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

//! Lives on the listener's thread; everything it touches is its own but the feed.
class Listening : public QObject
{
public:
    Listening(const Config::Database &config, ChangeFeed &feed, Clock clock)
        : m_config(config), m_feed(feed), m_clock(std::move(clock)),
          m_id(QString::fromLatin1(crypto::randomBytes(6).toHex()))
    {
        m_timer.setInterval(ChangeListener::beatMs);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    }

    void start()
    {
        m_timer.start();
        tick();
    }

private:
    void tick()
    {
        const qint64 now = m_clock();
        if (!m_listen) {
            if (now >= m_retryAtMs)
                open(now);
            return;
        }
        QSqlQuery beat(m_beat->connection());
        beat.prepare(u"SELECT pg_notify(?, ?)"_s);
        beat.addBindValue(QLatin1StringView(ChangeListener::channel));
        beat.addBindValue(u"hb:%1:%2"_s.arg(m_id).arg(now));
        if (now - m_heardMs > ChangeListener::silentMs)
            down(now, u"no heartbeat came back"_s);
        else if (!beat.exec())
            down(now, beat.lastError().text());
    }

    void open(qint64 now)
    {
        Result<std::unique_ptr<Database>> listen = Database::open(m_config, u"latchkey-listen"_s);
        Result<std::unique_ptr<Database>> beat =
            listen ? Database::open(m_config, u"latchkey-heartbeat"_s) : listen.error();
        QSqlDriver *driver = listen ? (*listen)->connection().driver() : nullptr;
        if (!beat || !driver->subscribeToNotification(QLatin1StringView(ChangeListener::channel))) {
            m_backoffMs = std::min<qint64>(m_backoffMs * 2, 5000);
            m_retryAtMs = now + m_backoffMs;
            if (!m_warned)
                qCWarning(lcDb).noquote()
                    << "change notifications unavailable, sessions are not cached until they are:"
                    << (beat ? driver->lastError().text() : beat.error().message);
            m_warned = true;
            return;
        }
        QObject::connect(driver, &QSqlDriver::notification, this,
                         [this](const QString &, QSqlDriver::NotificationSource,
                                const QVariant &payload) { heard(payload.toString()); });
        m_listen = std::move(listen).value();
        m_beat = std::move(beat).value();
        m_heardMs = now; // the first heartbeat has silentMs to come back
        m_backoffMs = 125;
        if (m_warned)
            qCInfo(lcDb) << "change notifications are back";
        m_warned = false;
    }

    void heard(const QString &payload)
    {
        const QStringView kind = QStringView(payload).left(2);
        const QStringView rest = QStringView(payload).mid(2);
        if (kind == u"s:")
            m_feed.publish({Change::Kind::Session, rest.toLongLong()});
        else if (kind == u"u:")
            m_feed.publish({Change::Kind::User, rest.toLongLong()});
        else if (kind == u"i:") // "i:<user>:<provider>"
            m_feed.publish({Change::Kind::Identity, rest.left(rest.indexOf(u':')).toLongLong()});
        else if (kind == u"hb" && rest.startsWith(u':' + m_id + u':')) {
            m_heardMs = m_clock();
            m_feed.heartbeat(rest.mid(m_id.size() + 2).toLongLong());
        }
    }

    void down(qint64 now, const QString &why)
    {
        m_feed.listenerDown();
        qCWarning(lcDb).noquote()
            << u"change notifications lost (%1); sessions are not cached until they are back"_s.arg(
                   why);
        m_warned = true;
        m_listen.reset();
        m_beat.reset();
        m_retryAtMs = now + m_backoffMs;
    }

    const Config::Database m_config;
    ChangeFeed &m_feed;
    const Clock m_clock;
    const QString m_id;   //!< tells this process's heartbeats from other instances'
    QTimer m_timer{this}; // a child: it moves to the thread with its parent
    std::unique_ptr<Database> m_listen;
    std::unique_ptr<Database> m_beat;
    qint64 m_heardMs = 0;
    qint64 m_retryAtMs = 0;
    qint64 m_backoffMs = 125;
    bool m_warned = false;
};

} // namespace

ChangeListener::ChangeListener(const Config::Database &config, ChangeFeed &feed, Clock clock)
{
    auto *listening = new Listening(config, feed, std::move(clock));
    listening->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::started, listening, [listening] { listening->start(); });
    QObject::connect(&m_thread, &QThread::finished, listening, &QObject::deleteLater);
    m_thread.setObjectName(QStringLiteral("latchkey-listen"));
    m_thread.start();
}

ChangeListener::~ChangeListener()
{
    m_thread.quit();
    m_thread.wait();
}

} // namespace latchkey
