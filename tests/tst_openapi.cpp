// docs/openapi.yaml against the server: every route the router has (read from the server's
// own /metrics, which lists every route pattern, with every optional part switched on) is in
// the document, and every operation of the document is a route; each operation has a summary
// and responses.
#include "app/latchkeyserver.h"

#include "testclient.h"
#include "testserverconfig.h"

#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <yaml-cpp/yaml.h>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

class TestOpenApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void documentMatchesRouter();

private:
    //! "METHOD /path" of every route of a server with every optional part on.
    QSet<QString> serverRoutes();
    //! "METHOD /path" of every operation in docs/openapi.yaml; \a problems gets what is wrong.
    static QSet<QString> documentedRoutes(QStringList *problems);
};

QSet<QString> TestOpenApi::serverRoutes()
{
    QTemporaryDir dir;
    Config c = testServerConfig(dir, u"latchkey_openapi"_s);
    c.dev.enabled = true;
    c.guest.enabled = true;
    c.steam.appId = u"480"_s;
    c.steam.webApiKey = "not-a-real-key";
    c.server.metricsListen = u"127.0.0.1:0"_s;
    // An upstream that keeps tokens, for GET /api/identities/{provider}/token (never called).
    Config::Upstream github;
    github.name = u"github"_s;
    github.type = u"oauth2"_s;
    github.clientId = u"id"_s;
    github.clientSecret = "secret";
    github.authorizeUrl = QUrl(u"http://127.0.0.1:9/authorize"_s);
    github.tokenUrl = QUrl(u"http://127.0.0.1:9/token"_s);
    github.userinfoUrl = QUrl(u"http://127.0.0.1:9/user"_s);
    github.keepTokens = true;
    c.upstreams.push_back(github);
    c.security.tokenKeys.push_back({u"k1"_s, QByteArray(32, 'k')});
    LatchkeyServer server(c);
    const Status started = server.start();
    if (!started)
        qWarning() << started.error().message;
    TestClient client(server.metricsPort());
    const QString metrics = QString::fromUtf8(client.get("/metrics").body);
    static const QRegularExpression series(
        uR"re(^latchkey_http_request_duration_seconds_count\{method="([A-Z]*)",route="([^"]*)"\})re"_s,
        QRegularExpression::MultilineOption);
    // Per-provider routes are one route of the document, with {provider}.
    static const QRegularExpression perProvider(
        uR"(^(DELETE /api/identities|GET /oauth/callback|GET /api/identities)/(dev|google|guest|steam|github)(/token)?$)"_s);
    QSet<QString> routes;
    for (const QRegularExpressionMatch &m : series.globalMatch(metrics)) {
        if (m.captured(2) == "unmatched"_L1)
            continue;
        QString route = m.captured(1) + u' ' + m.captured(2);
        route.replace(perProvider, u"\\1/{provider}\\3"_s);
        routes.insert(route);
    }
    return routes;
}

QSet<QString> TestOpenApi::documentedRoutes(QStringList *problems)
{
    const YAML::Node doc = YAML::LoadFile(LATCHKEY_OPENAPI_PATH);
    if (!doc["openapi"] || !doc["info"] || !doc["paths"].IsMap())
        problems->append(u"openapi, info and paths are required"_s);
    static const QStringList methods{u"get"_s,   u"put"_s,  u"post"_s,   u"delete"_s,
                                     u"patch"_s, u"head"_s, u"options"_s};
    QSet<QString> routes;
    for (const auto &path : doc["paths"]) {
        const QString name = QString::fromStdString(path.first.as<std::string>());
        for (const auto &entry : path.second) {
            const QString key = QString::fromStdString(entry.first.as<std::string>());
            if (key == "parameters"_L1)
                continue;
            if (!methods.contains(key)) {
                problems->append(u"%1: %2 is not an operation"_s.arg(name, key));
                continue;
            }
            const QString route = key.toUpper() + u' ' + name;
            if (!entry.second["summary"] || !entry.second["responses"].IsMap() ||
                entry.second["responses"].size() == 0)
                problems->append(route + u": needs a summary and responses"_s);
            routes.insert(route);
        }
    }
    return routes;
}

void TestOpenApi::documentMatchesRouter()
{
    const QSet<QString> server = serverRoutes();
    QVERIFY2(server.size() > 40, qPrintable(QStringList(server.values()).join(u'\n')));
    QStringList problems;
    const QSet<QString> documented = documentedRoutes(&problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QStringList undocumented = QSet<QString>(server).subtract(documented).values();
    QStringList unrouted = QSet<QString>(documented).subtract(server).values();
    undocumented.sort();
    unrouted.sort();
    QVERIFY2(undocumented.isEmpty(),
             qPrintable(u"routes missing from docs/openapi.yaml:\n"_s + undocumented.join(u'\n')));
    QVERIFY2(unrouted.isEmpty(),
             qPrintable(u"docs/openapi.yaml names routes the server does not have:\n"_s +
                        unrouted.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
