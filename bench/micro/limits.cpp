// The per-request cost of the request limiter (a bucket taken, the three X-RateLimit-* values
// formatted) and of a route's counters (RouteStats::record), in a loop: bench/micro/run.sh.
#include "api/routestats.h"
#include "auth/requestlimiter.h"
#include <QElapsedTimer>
#include <cstdio>
using namespace latchkey;
int main()
{
    Config::Security s;
    s.playerPerSecond = 1000000000;
    s.playerBurst = 1000000000;
    RequestLimiter limiter(s);
    RouteStats stats;
    const int n = 2000000;
    QElapsedTimer t;
    t.start();
    qint64 sink = 0;
    for (int i = 0; i < n; ++i) {
        RequestLimiter::Verdict v = limiter.takeUser(1000 + i % 32, u"player", i / 1000);
        // what Router::checkRate adds: three header values
        QByteArray a = QByteArray::number(v.limit), b = QByteArray::number(v.remaining),
                   c = QByteArray::number(v.resetSecs);
        sink += a.size() + b.size() + c.size();
    }
    const double limiterNs = double(t.nsecsElapsed()) / n;
    t.restart();
    for (int i = 0; i < n; ++i)
        stats.record(200, i % 5000);
    const double statsNs = double(t.nsecsElapsed()) / n;
    std::printf("limiter + headers %.0f ns per request, route counters %.0f ns (%lld)\n", limiterNs,
                statsNs, static_cast<long long>(sink));
}
