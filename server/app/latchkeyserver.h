// The whole server as one object: start-up checks, HTTP workers, graceful stop.
#pragma once

#include "config/config.h"
#include "http/httpserver.h"

#include <latchkey/clock.h>

#include <QObject>

#include <memory>

namespace latchkey {

struct ServerContext;

class LatchkeyServer : public QObject
{
    Q_OBJECT
public:
    explicit LatchkeyServer(Config config, Clock clock = systemClock(), QObject *parent = nullptr);
    ~LatchkeyServer() override;

    //! Keeps a generated JWT secret in data_dir (embedded default), checks the schema
    //! (migrating it when database.auto_migrate), opens logs, starts workers and listens.
    Status start();
    quint16 port() const;
    //! The metrics listener's port (0 when it is off).
    quint16 metricsPort() const { return m_metricsHttp ? m_metricsHttp->port() : 0; }
    const Config &config() const { return m_config; }

    //! Graceful: stop accepting, answer what is in flight, close databases; emits stopped().
    void shutdown();

    //! The embedded default's secret: read from \a dataDir/jwt_secret, or created there
    //! (48 random bytes, mode 0600) on first start.
    static Result<QByteArray> embeddedSecret(const QString &dataDir);
    //! \a configured (server.max_connections) kept under the open-file limit, after raising
    //! the soft limit to the hard one; says so in the log when it caps.
    static int connectionLimit(int configured, int workers);
    //! Migrates (when allowed) or checks that the schema is what this build needs.
    static Status prepareSchema(const Config::Database &database);

Q_SIGNALS:
    void stopped();

private:
    //! The /metrics listener when server.metrics_listen names one.
    Status startMetrics();

    Config m_config;
    Clock m_clock;
    std::unique_ptr<ServerContext> m_context;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<HttpServer> m_metricsHttp; //!< server.metrics_listen
};

} // namespace latchkey
