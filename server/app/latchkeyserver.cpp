// Start-up order: secret, schema, log, workers, listen.
#include "latchkeyserver.h"

#include "logging.h"
#include "servercontext.h"
#include "worker.h"

#include "db/migrator.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>
#include <latchkey/privatefiles.h>

#include <QDir>
#include <QFile>
#include <QThread>

#include <sys/resource.h>

namespace latchkey {

LatchkeyServer::LatchkeyServer(Config config, Clock clock, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_clock(std::move(clock))
{
}

LatchkeyServer::~LatchkeyServer()
{
    m_http.reset(); // workers first: they use the context
}

Result<QByteArray> LatchkeyServer::embeddedSecret(const QString &dataDir)
{
    if (!privatefiles::makePath(dataDir))
        return Error{ErrorCode::Internal, QStringLiteral("cannot create data_dir %1").arg(dataDir)};
    QFile file(dataDir + QStringLiteral("/jwt_secret"));
    if (file.exists()) {
        // Whoever reads it can sign in as any player: refuse it as ssh refuses a shared key.
        if (privatefiles::isShared(file.fileName()))
            return Error{ErrorCode::Internal,
                         QStringLiteral("%1 can be read or written by other users; restrict it "
                                        "with: chmod 600 %1")
                             .arg(file.fileName())};
        if (!file.open(QIODevice::ReadOnly))
            return Error{
                ErrorCode::Internal,
                QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString())};
        const Result<QByteArray> secret = base64url::decode(file.readAll().trimmed());
        if (!secret || secret->size() < 32)
            return Error{ErrorCode::Internal,
                         QStringLiteral(
                             "%1 is damaged; delete it to generate a new one (every session ends)")
                             .arg(file.fileName())};
        return *secret;
    }
    const QByteArray secret = crypto::randomBytes(48);
    if (!privatefiles::open(file, QIODevice::WriteOnly | QIODevice::NewOnly) ||
        file.write(base64url::encode(secret) + '\n') < 0)
        return Error{
            ErrorCode::Internal,
            QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString())};
    qCInfo(lcServer) << "generated a JWT secret for the embedded default in" << file.fileName();
    return secret;
}

Status LatchkeyServer::prepareSchema(const Config::Database &database)
{
    return Migrator::prepare(database, QStringLiteral("latchkey-server"));
}

int LatchkeyServer::connectionLimit(int configured, int workers)
{
    // Every connection is a descriptor: past the process's limit accept() fails and the
    // acceptor spins. Raise the soft limit as far as the hard one allows, then keep
    // max_connections under it, leaving room for database connections, logs and the rest.
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return configured;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    const rlim_t reserve = rlim_t(64 + 2 * workers);
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= rlim_t(configured) + reserve)
        return configured;
    const int capped = limit.rlim_cur > reserve ? int(limit.rlim_cur - reserve) : 1;
    qCWarning(lcServer).noquote()
        << QStringLiteral("server.max_connections is %1 but the open-file limit is %2: serving "
                          "at most %3 connections (raise it with LimitNOFILE= or ulimit -n)")
               .arg(configured)
               .arg(quint64(limit.rlim_cur))
               .arg(capped);
    return capped;
}

namespace {
HttpLimits httpLimits(const Config &config, int workers)
{
    HttpLimits limits;
    limits.headerTimeoutMs = config.server.headerTimeoutMs;
    limits.bodyTimeoutMs = config.server.headerTimeoutMs;
    limits.idleTimeoutMs = config.server.idleTimeoutMs;
    limits.maxConnections = LatchkeyServer::connectionLimit(config.server.maxConnections, workers);
    limits.maxConnectionsPerAddress = config.server.maxConnectionsPerAddress;
    limits.webSocketPingMs = config.events.pingSeconds * 1000;
    limits.webSocketMaxQueuedBytes = qint64(config.events.maxQueuedKib) * 1024;
    for (const QString &proxy : config.server.trustedProxies) {
        QPair<QHostAddress, int> range;
        if (parseAddressRange(proxy, &range)) // loadConfig() refused any that is not
            limits.trustedProxies.append(range);
    }
    return limits;
}
} // namespace

Status LatchkeyServer::start()
{
    const QHostAddress address(m_config.server.host == QLatin1StringView("localhost")
                                   ? QStringLiteral("127.0.0.1")
                                   : m_config.server.host);
    if (address.isNull())
        return Error{
            ErrorCode::InvalidField,
            QStringLiteral("SERVER_HOST %1 is not an IP address").arg(m_config.server.host)};
    if (m_config.dev.enabled && !address.isLoopback()) {
        // loadConfig() refuses this too; a Config built in code must not get past it either.
        return Error{
            ErrorCode::InvalidField,
            QStringLiteral("providers.dev.enabled: the development identity provider only runs on "
                           "loopback; set SERVER_HOST=127.0.0.1 or turn DEV_IDP off")};
    }

    if (m_config.security.jwtSecretGenerated) {
        const Result<QByteArray> secret = embeddedSecret(m_config.server.dataDir);
        if (!secret)
            return secret.error();
        m_config.security.jwtSecret = *secret;
    }
    if (const Status schema = prepareSchema(m_config.database); !schema)
        return schema;

    m_context = std::make_unique<ServerContext>(m_config, m_clock, address.toString());
    if (!m_config.server.logDir.isEmpty() && !m_context->loginLog.isOpen()) {
        return Error{ErrorCode::Internal,
                     QStringLiteral("cannot open %1/login.log: %2")
                         .arg(m_config.server.logDir, m_context->loginLog.errorString())};
    }
    const int workers =
        m_config.server.workers > 0 ? m_config.server.workers : QThread::idealThreadCount();
    ServerContext *context = m_context.get();
    m_http =
        std::make_unique<HttpServer>(httpLimits(m_config, workers), workers, [context](int index) {
            return std::unique_ptr<RequestHandler>(new Worker(*context, index));
        });
    connect(m_http.get(), &HttpServer::stopped, this, &LatchkeyServer::stopped);
    HttpServer *http = m_http.get();
    m_context->metrics.setConnectionCount([http] { return http->openConnections(); });
    if (const Status metrics = startMetrics(); !metrics)
        return metrics;
    // Right from the first request when the port is configured; else once listening.
    m_context->publicUrl.setPort(quint16(m_config.server.port));
    if (m_context->devIdp && m_config.server.port != 0)
        m_context->devIdp->setPort(quint16(m_config.server.port));
    if (const Status listening = m_http->listen(address, quint16(m_config.server.port)); !listening)
        return listening;
    qCInfo(lcServer).noquote() << QStringLiteral(
                                      "latchkey-server listening on http://%1:%2 (%3, %4 workers)")
                                      .arg(m_config.server.host)
                                      .arg(port())
                                      .arg(m_config.database.driver)
                                      .arg(workers);
    m_context->publicUrl.setPort(port());
    qCInfo(lcServer).noquote() << "sign-in broker at" << m_context->publicUrl.toString()
                               << "(clients:" << m_config.clients.size()
                               << "providers:" << m_config.upstreams.size() << ")";
    if (m_context->devIdp) {
        m_context->devIdp->setPort(port());
        qCWarning(lcServer).noquote()
            << QStringLiteral(
                   "WARNING: the development identity provider is ON at %1 (client IDs: %2): "
                   "anyone "
                   "who reaches it signs in as anyone. Never use it in production (DEV_IDP=false).")
                   .arg(m_context->devIdp->issuer(),
                        m_config.dev.clientIds.join(QStringLiteral(", ")));
    }
    return Done{};
}

Status LatchkeyServer::startMetrics()
{
    QString address;
    quint16 port = 0;
    if (!parseListenAddress(m_config.server.metricsListen, &address, &port))
        return Done{}; // off (loadConfig() refused anything else that is not empty)
    if (m_context->listener) {
        const ServerContext *context = m_context.get();
        m_context->metrics.setListenerUp(
            [context] { return context->changes.listenerUp(context->clock()); });
    }
    if (m_config.events.enabled)
        m_context->metrics.setEventSockets(&m_context->eventSockets);
    const MetricsRegistry *registry = &m_context->metrics;
    m_metricsHttp = std::make_unique<HttpServer>(HttpLimits{}, 1, [registry](int) {
        return std::unique_ptr<RequestHandler>(new MetricsHandler(*registry));
    });
    if (const Status listening = m_metricsHttp->listen(QHostAddress(address), port); !listening)
        return Error{listening.error().code,
                     QStringLiteral("metrics_listen %1: %2")
                         .arg(m_config.server.metricsListen, listening.error().message)};
    qCInfo(lcServer).noquote()
        << QStringLiteral("metrics at http://%1/metrics").arg(m_config.server.metricsListen);
    return Done{};
}

quint16 LatchkeyServer::port() const
{
    return m_http ? m_http->port() : 0;
}

void LatchkeyServer::shutdown()
{
    if (m_metricsHttp)
        m_metricsHttp->shutdown(0);
    if (m_http)
        m_http->shutdown(m_config.server.shutdownTimeoutMs);
    else
        Q_EMIT stopped();
}

} // namespace latchkey
