// What operators watch, over real sockets (SQLite): GET /metrics on its own listener, read by
// a Prometheus text-format reader written here (families declared before their samples,
// label syntax, cumulative histograms, counters that never go down), and the request rate
// limits (X-RateLimit-* counting down, 429 with Retry-After past the burst, per user and role,
// per address, health checks spared, RATE_LIMITS off).
#include "app/latchkeyserver.h"
#include "db/storage.h"

#include "brokerflow.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {

//! One scrape, as Prometheus reads it: sample → value, with every format rule checked.
struct Scrape
{
    std::map<QString, double> samples; //!< "name{label="v",…}" (labels as written) → value
    std::map<QString, QString> types;  //!< family → counter | gauge | histogram
    QStringList problems;

    double value(const QString &sample) const
    {
        const auto it = samples.find(sample);
        return it == samples.end() ? -1 : it->second;
    }
};

QString familyOf(const QString &name, const std::map<QString, QString> &types)
{
    for (const char *suffix : {"_bucket", "_sum", "_count"}) {
        const QString base = name.chopped(qstrlen(suffix));
        if (name.endsWith(QLatin1StringView(suffix)) && types.count(base) &&
            types.at(base) == "histogram"_L1)
            return base;
    }
    return name;
}

Scrape parse(const QByteArray &text)
{
    static const QRegularExpression sample(
        uR"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$)"_s);
    static const QRegularExpression type(
        uR"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$)"_s);
    Scrape s;
    for (const QString &line : QString::fromUtf8(text).split(u'\n', Qt::SkipEmptyParts)) {
        if (line.startsWith("# HELP "_L1))
            continue;
        if (const QRegularExpressionMatch t = type.match(line); t.hasMatch()) {
            s.types[t.captured(1)] = t.captured(2);
            continue;
        }
        const QRegularExpressionMatch m = sample.match(line);
        bool number = false;
        const double value = m.hasMatch() ? m.captured(4).toDouble(&number) : 0;
        if (!m.hasMatch() || !number) {
            s.problems << u"not a sample: "_s + line;
            continue;
        }
        const QString name = m.captured(1);
        if (!name.startsWith("latchkey_"_L1))
            s.problems << u"not latchkey_: "_s + name;
        if (!s.types.count(familyOf(name, s.types)))
            s.problems << u"no TYPE before "_s + name;
        s.samples[name + (m.captured(2).isEmpty() ? QString() : m.captured(2))] = value;
    }
    return s;
}

//! Histogram rule: the buckets of one series rise with le, and +Inf equals _count.
QStringList histogramProblems(const Scrape &s, const QString &family, const QString &labels)
{
    QStringList problems;
    double previous = 0;
    double inf = -1;
    for (const QString &le :
         {u"0.0005"_s, u"0.001"_s, u"0.0025"_s, u"0.005"_s, u"0.01"_s, u"0.025"_s, u"0.05"_s,
          u"0.1"_s, u"0.25"_s, u"0.5"_s, u"1"_s, u"2.5"_s, u"5"_s, u"+Inf"_s}) {
        const double v = s.value(u"%1_bucket{%2,le=\"%3\"}"_s.arg(family, labels, le));
        if (v < previous)
            problems << u"bucket le=%1 is %2, below %3"_s.arg(le).arg(v).arg(previous);
        previous = v;
        inf = v;
    }
    if (inf != s.value(u"%1_count{%2}"_s.arg(family, labels)))
        problems << u"+Inf differs from _count"_s;
    return problems;
}

QByteArray header(const TestResponse &r, const char *name)
{
    return r.header(name);
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void exposition();
    void countersNeverGoDown();
    void metricsListenerServesOnlyMetrics();
    void addressBucket();
    void userBucketByRole();
    void limitsOff();

private:
    void start(const std::function<void(Config &)> &change = {});
    Scrape scrape();
    TestResponse call(const QByteArray &method, const QByteArray &path,
                      const QByteArray &token = {}, const QByteArray &body = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    Config m_config;
    std::unique_ptr<LatchkeyServer> m_server;
};

void TestMetrics::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
}

void TestMetrics::cleanup()
{
    m_server.reset();
}

void TestMetrics::start(const std::function<void(Config &)> &change)
{
    m_config = testServerConfig(*m_dir, u"latchkey_metrics"_s);
    m_config.dev.enabled = true;
    m_config.server.metricsListen = u"127.0.0.1:0"_s;
    if (change)
        change(m_config);
    m_server = std::make_unique<LatchkeyServer>(m_config);
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
}

Scrape TestMetrics::scrape()
{
    TestClient client(m_server->metricsPort());
    const TestResponse r = client.get("/metrics");
    if (r.status != 200 || !r.header("content-type").startsWith("text/plain; version=0.0.4"))
        qWarning() << "scrape answered" << r.status << r.header("content-type");
    return parse(r.body);
}

TestResponse TestMetrics::call(const QByteArray &method, const QByteArray &path,
                               const QByteArray &token, const QByteArray &body)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token});
    if (!body.isEmpty())
        headers.append({"Content-Type", QByteArray("application/json")});
    TestClient client(m_server->port());
    return client.request(method, path, body, headers);
}

void TestMetrics::exposition()
{
    start();
    const TestResponse guest = call("POST", "/api/login/guest");
    QCOMPARE(guest.status, 200);
    const QByteArray access = guest.json().value("access_token"_L1).toString().toLatin1();
    const QByteArray refresh = guest.json().value("refresh_token"_L1).toString().toLatin1();
    QCOMPARE(call("GET", "/api/me", access).status, 200);
    QCOMPARE(call("GET", "/api/me", "not-a-token").status, 401);
    QCOMPARE(call("GET", "/no/such/path").status, 404);
    const auto refreshWith = [this](const QByteArray &token) {
        return call("POST", "/api/refresh", {}, R"({"refresh_token":")" + token + R"("})");
    };
    const TestResponse rotated = refreshWith(refresh);
    QCOMPARE(rotated.status, 200);
    QCOMPARE(refreshWith(refresh).status, 200); // a retry inside the grace window
    QCOMPARE(refreshWith(rotated.json().value("refresh_token"_L1).toString().toLatin1()).status,
             200);                              // rotated again
    QCOMPARE(refreshWith(refresh).status, 401); // two steps behind: reuse, the session ends
    QCOMPARE(call("POST", "/api/login", {}, R"({"provider":"dev","id_token":"x.y.z"})").status,
             401);
    QVERIFY(!devSignIn(m_server->port(), u"metrics@example.test"_s).access.isEmpty());

    const Scrape s = scrape();
    QVERIFY2(s.problems.isEmpty(), qPrintable(s.problems.join(u'\n')));
    QCOMPARE(s.types.at(u"latchkey_http_requests_total"_s), u"counter"_s);
    QCOMPARE(s.types.at(u"latchkey_http_request_duration_seconds"_s), u"histogram"_s);
    QCOMPARE(s.types.at(u"latchkey_open_connections"_s), u"gauge"_s);
    const auto requests = [&s](const char *method, const char *route, const char *status) {
        return s.value(
            u"latchkey_http_requests_total{method=\"%1\",route=\"%2\",status=\"%3\"}"_s.arg(
                QLatin1StringView(method), QLatin1StringView(route), QLatin1StringView(status)));
    };
    QCOMPARE(requests("GET", "/api/me", "200"), 1.0);
    QCOMPARE(requests("GET", "/api/me", "401"), 1.0);
    QCOMPARE(requests("", "unmatched", "404"), 1.0);
    QCOMPARE(requests("POST", "/api/refresh", "401"), 1.0);
    const QStringList histogram = histogramProblems(s, u"latchkey_http_request_duration_seconds"_s,
                                                    u"method=\"GET\",route=\"/api/me\""_s);
    QVERIFY2(histogram.isEmpty(), qPrintable(histogram.join(u'\n')));
    QCOMPARE(
        s.value(
            u"latchkey_http_request_duration_seconds_count{method=\"GET\",route=\"/api/me\"}"_s),
        2.0);
    QCOMPARE(s.value(u"latchkey_sign_ins_total{provider=\"guest\",outcome=\"success\"}"_s), 1.0);
    QCOMPARE(s.value(u"latchkey_sign_ins_total{provider=\"dev\",outcome=\"failure\"}"_s), 1.0);
    QCOMPARE(s.value(u"latchkey_sign_ins_total{provider=\"dev\",outcome=\"success\"}"_s), 1.0);
    QCOMPARE(s.value(u"latchkey_refreshes_total{outcome=\"rotated\"}"_s), 2.0);
    QCOMPARE(s.value(u"latchkey_refreshes_total{outcome=\"grace\"}"_s), 1.0);
    QCOMPARE(s.value(u"latchkey_refreshes_total{outcome=\"reuse\"}"_s), 1.0);
    QCOMPARE(s.value(u"latchkey_refreshes_total{outcome=\"refused\"}"_s), 0.0);
    QCOMPARE(s.value(u"latchkey_database_errors_total"_s), 0.0);
    QVERIFY(s.value(u"latchkey_open_connections"_s) >= 0);
    QVERIFY(s.value(u"latchkey_process_resident_memory_bytes"_s) > 1e6);
}

void TestMetrics::countersNeverGoDown()
{
    start();
    std::map<QString, double> before;
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 5; ++i)
            call("GET", "/health");
        call("POST", "/api/login/guest");
        const Scrape s = scrape();
        QVERIFY2(s.problems.isEmpty(), qPrintable(s.problems.join(u'\n')));
        for (const auto &[sample, value] : s.samples) {
            const QString family = familyOf(sample.section(u'{', 0, 0), s.types);
            if (s.types.at(family) == "gauge"_L1)
                continue;
            if (before.count(sample))
                QVERIFY2(value >= before[sample], qPrintable(sample));
            before[sample] = value;
        }
    }
    QCOMPARE(
        before[u"latchkey_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}"_s],
        15.0);
}

void TestMetrics::metricsListenerServesOnlyMetrics()
{
    start();
    TestClient metrics(m_server->metricsPort());
    QCOMPARE(metrics.get("/api/me").status, 404);
    QCOMPARE(metrics.request("POST", "/metrics", {}, {}).status, 405);
    QCOMPARE(call("GET", "/metrics").status, 404); // not on the API's port
}

// Anonymous routes: one bucket per address, counting down in X-RateLimit-Remaining, then 429
// with Retry-After; /health is never limited.
void TestMetrics::addressBucket()
{
    start([](Config &c) {
        c.security.rateLimits = true;
        c.security.addressPerSecond = 1;
        c.security.addressBurst = 4;
    });
    const QByteArray path = "/.well-known/oauth-authorization-server";
    for (int left = 3; left >= 0; --left) {
        const TestResponse r = call("GET", path);
        QCOMPARE(r.status, 200);
        QCOMPARE(header(r, "x-ratelimit-limit"), QByteArray("4"));
        QCOMPARE(header(r, "x-ratelimit-remaining"), QByteArray::number(left));
        QVERIFY(header(r, "x-ratelimit-reset").toInt() >= 1);
    }
    const TestResponse refused = call("GET", path);
    QCOMPARE(refused.status, 429);
    QCOMPARE(refused.json().value("code"_L1).toString(), u"rate_limited"_s);
    QCOMPARE(header(refused, "retry-after"), QByteArray("1"));
    QCOMPARE(header(refused, "x-ratelimit-remaining"), QByteArray("0"));
    const TestResponse health = call("GET", "/health");
    QCOMPARE(health.status, 200);
    QVERIFY(header(health, "x-ratelimit-limit").isEmpty());
    QTest::qWait(1100); // one request's worth refills
    QCOMPARE(call("GET", path).status, 200);
}

// Bearer routes: one bucket per user whatever the address, its size by role.
void TestMetrics::userBucketByRole()
{
    start([](Config &c) {
        c.security.rateLimits = true;
        c.security.playerPerSecond = 1;
        c.security.playerBurst = 3;
        c.security.adminPerSecond = 1;
        c.security.adminBurst = 6;
    });
    const SignedIn player = devSignIn(m_server->port(), u"limited@example.test"_s);
    const SignedIn other = devSignIn(m_server->port(), u"unlimited@example.test"_s);
    QList<QByteArray> remaining;
    for (int i = 0; i < 3; ++i)
        remaining << header(call("GET", "/api/me", player.access), "x-ratelimit-remaining");
    QCOMPARE(remaining, (QList<QByteArray>{"2", "1", "0"}));
    const TestResponse refused = call("GET", "/api/me", player.access);
    QCOMPARE(refused.status, 429);
    QVERIFY(header(refused, "retry-after").toInt() >= 1);
    QCOMPARE(call("GET", "/api/me", other.access).status, 200); // another bucket

    Storage db(m_config.database, u"tst-metrics"_s, systemClock());
    QVERIFY(db.isAvailable());
    QVERIFY(db.operators().setRole(other.userId, u"admin"_s));
    const TestResponse admin = call("GET", "/api/me", other.access);
    QCOMPARE(header(admin, "x-ratelimit-limit"), QByteArray("6"));
}

void TestMetrics::limitsOff()
{
    start(); // testServerConfig: RATE_LIMITS off
    const TestResponse guest = call("POST", "/api/login/guest");
    QVERIFY(header(guest, "x-ratelimit-limit").isEmpty());
    const QByteArray access = guest.json().value("access_token"_L1).toString().toLatin1();
    for (int i = 0; i < 60; ++i)
        QCOMPARE(call("GET", "/api/me", access).status, 200);
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
