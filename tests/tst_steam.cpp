// Steam session tickets on POST /api/login, on SQLite and PostgreSQL, against a stand-in for
// Steam's Web API (no test reaches the internet; Steam has no local equivalent): the call's
// parameters, OK, VAC and publisher bans under both policies, Steam's error answer, a
// timeout, tickets refused before any call, linking with a link ticket, and the Web API key
// kept out of every log.
#include "app/latchkeyserver.h"

#include "standinserver.h"
#include "testclient.h"
#include "testserverconfig.h"
#include "wsclient.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
constexpr auto webApiKey = "steam-web-api-key-NEVER-LOGGED"_L1;
constexpr auto steamPath = "/ISteamUserAuth/AuthenticateUserTicket/v1/";

QMutex messagesMutex;
QStringList messages; //!< every Qt message of the run (the server logs through them)
QtMessageHandler previousHandler = nullptr;

void collect(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&messagesMutex);
        messages.append(message);
    }
    previousHandler(type, context, message);
}

QByteArray answerFor(const QByteArray &ticket)
{
    const auto params = [](const char *steamId, bool vac, bool publisher) {
        const QJsonObject p{{u"result"_s, u"OK"_s},
                            {u"steamid"_s, QString::fromLatin1(steamId)},
                            {u"ownersteamid"_s, QString::fromLatin1(steamId)},
                            {u"vacbanned"_s, vac},
                            {u"publisherbanned"_s, publisher}};
        return QJsonDocument(QJsonObject{{u"response"_s, QJsonObject{{u"params"_s, p}}}}).toJson();
    };
    if (ticket == "aa01")
        return params("76561197960287930", false, false);
    if (ticket == "aa02")
        return params("76561197960287931", true, false);
    if (ticket == "aa03")
        return params("76561197960287932", false, true);
    if (ticket == "aa04")
        return params("76561197960287933", false, false);
    const QJsonObject error{{u"errorcode"_s, 101}, {u"errordesc"_s, u"Invalid ticket"_s}};
    return QJsonDocument(QJsonObject{{u"response"_s, QJsonObject{{u"error"_s, error}}}}).toJson();
}
} // namespace

class TestSteam : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void ticketSignsIn();
    void bannedRefused_data();
    void bannedRefused();
    void banPolicyOff();
    void steamErrorRefused();
    void timeout();
    void refusedWithoutCall_data();
    void refusedWithoutCall();
    void linkTicketJoinsAccount();
    void personaNameOnRequest();
    void keyNeverLogged(); // last: it reads what every other test logged

private:
    TestResponse login(const QJsonObject &body, quint16 port = 0)
    {
        return postJsonOnce(port ? port : m_port, "/api/login", body);
    }
    static QJsonObject steam(const QString &ticket)
    {
        return {{u"provider"_s, u"steam"_s}, {u"ticket"_s, ticket}};
    }

    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    StandInServer m_steam;
    Config m_config;
    std::unique_ptr<LatchkeyServer> m_server;
    std::unique_ptr<LatchkeyServer> m_lenient; //!< the same database, bans allowed
    quint16 m_port = 0;
};

void TestSteam::initTestCase()
{
    previousHandler = qInstallMessageHandler(collect);
    if (QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s) ==
        "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_steam.route(steamPath, [](const StandInRequest &request) {
        const QByteArray ticket = QUrlQuery(QString::fromLatin1(request.query))
                                      .queryItemValue(u"ticket"_s)
                                      .toLatin1()
                                      .toLower(); // hex: either case
        if (ticket == "bb00")
            return StandInReply{200, {}, {}, 0, true, {}};
        return StandInReply{200, answerFor(ticket), {}, 0, false, {}};
    });
    m_steam.route("/ISteamUser/GetPlayerSummaries/v2/", [](const StandInRequest &request) {
        const QString steamId =
            QUrlQuery(QString::fromLatin1(request.query)).queryItemValue(u"steamids"_s);
        const QHash<QString, QString> personas{{u"76561197960287930"_s, u"GabeN"_s},
                                               {u"76561197960287931"_s, u"gaben"_s},
                                               {u"76561197960287932"_s, u"xX Bob!! Xx"_s}};
        QJsonArray players;
        if (personas.contains(steamId))
            players.append(
                QJsonObject{{u"steamid"_s, steamId}, {u"personaname"_s, personas.value(steamId)}});
        const QJsonObject body{{u"response"_s, QJsonObject{{u"players"_s, players}}}};
        return StandInReply{200, QJsonDocument(body).toJson(), {}, 0, false, {}};
    });
    m_config = testServerConfig(m_dir, u"latchkey_steam"_s, m_pg);
    m_config.steam.appId = u"480"_s;
    m_config.steam.webApiKey = QByteArray(webApiKey.data(), webApiKey.size());
    m_config.steam.apiUrl = m_steam.url(u"/"_s);
    m_config.steam.timeoutMs = 500;
    m_server = std::make_unique<LatchkeyServer>(m_config);
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    m_port = m_server->port();
    Config lenient = m_config;
    lenient.steam.refuseVacBanned = false;
    lenient.steam.refusePublisherBanned = false;
    lenient.server.logDir = m_dir.filePath(u"lenient-logs"_s);
    m_lenient = std::make_unique<LatchkeyServer>(lenient);
    QVERIFY(m_lenient->start());
}

void TestSteam::cleanupTestCase()
{
    m_lenient.reset();
    m_server.reset();
    qInstallMessageHandler(previousHandler);
}

void TestSteam::ticketSignsIn()
{
    const TestResponse first = login(steam(u"AA01"_s));
    QCOMPARE(first.status, 200);
    const QJsonObject user = first.json().value("user"_L1).toObject();
    QCOMPARE(user.value("name"_L1).toString(), u"player-7930"_s);
    QCOMPARE(user.value("email"_L1).toString(), QString());
    QCOMPARE(user.value("is_guest"_L1).toBool(true), false);
    // The call carried the key, the app, the ticket as sent and the identity.
    const StandInRequest call = m_steam.requests().constLast();
    QCOMPARE(call.method, QByteArray("GET"));
    const QUrlQuery query(QString::fromLatin1(call.query));
    QCOMPARE(query.queryItemValue(u"key"_s), QString(webApiKey));
    QCOMPARE(query.queryItemValue(u"appid"_s), u"480"_s);
    QCOMPARE(query.queryItemValue(u"ticket"_s), u"AA01"_s);
    QCOMPARE(query.queryItemValue(u"identity"_s), u"latchkey"_s);
    // The same Steam account signs in to the same user.
    const TestResponse again = login(steam(u"aa01"_s));
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json().value("user"_L1).toObject().value("id"_L1), user.value("id"_L1));
    TestClient me(m_port);
    const QByteArray access = again.json().value("access_token"_L1).toString().toLatin1();
    const QJsonArray identities =
        me.get("/api/identities", access).json().value("identities"_L1).toArray();
    QCOMPARE(identities.size(), 1);
    QCOMPARE(identities.first().toObject().value("provider"_L1).toString(), u"steam"_s);
}

void TestSteam::bannedRefused_data()
{
    QTest::addColumn<QString>("ticket");
    QTest::addColumn<QString>("why");
    QTest::newRow("VAC ban") << u"aa02"_s << u"VAC"_s;
    QTest::newRow("publisher ban") << u"aa03"_s << u"publisher"_s;
}

void TestSteam::bannedRefused()
{
    QFETCH(QString, ticket);
    QFETCH(QString, why);
    const TestResponse r = login(steam(ticket));
    QCOMPARE(r.status, 403);
    QCOMPARE(r.json().value("code"_L1).toString(), u"account_banned"_s);
    QVERIFY2(r.json().value("message"_L1).toString().contains(why), r.body.constData());
}

void TestSteam::banPolicyOff()
{
    QCOMPARE(login(steam(u"aa02"_s), m_lenient->port()).status, 200);
    QCOMPARE(login(steam(u"aa03"_s), m_lenient->port()).status, 200);
}

void TestSteam::steamErrorRefused()
{
    const TestResponse r = login(steam(u"cafe"_s));
    QCOMPARE(r.status, 401);
    QCOMPARE(r.json().value("code"_L1).toString(), u"invalid_provider_token"_s);
    QVERIFY2(r.json().value("message"_L1).toString().contains("Invalid ticket"_L1),
             r.body.constData());
}

void TestSteam::timeout()
{
    const TestResponse r = login(steam(u"bb00"_s));
    QCOMPARE(r.status, 504);
    QCOMPARE(r.json().value("code"_L1).toString(), u"provider_timeout"_s);
}

void TestSteam::refusedWithoutCall_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("code");
    QTest::newRow("not hex") << steam(u"xyz1"_s) << u"invalid_field"_s;
    QTest::newRow("header injection") << steam(u"aa01\r\nX-A: b"_s) << u"invalid_field"_s;
    QTest::newRow("too long") << steam(QString(2050, u'a')) << u"invalid_field"_s;
    QTest::newRow("empty") << steam(QString()) << u"invalid_field"_s;
    QTest::newRow("missing") << QJsonObject{{u"provider"_s, u"steam"_s}} << u"missing_field"_s;
    QTest::newRow("not a string") << QJsonObject{{u"provider"_s, u"steam"_s}, {u"ticket"_s, 12}}
                                  << u"invalid_field"_s;
    QJsonObject badLink = steam(u"aa01"_s);
    badLink.insert(u"link_ticket"_s, 5);
    QTest::newRow("link ticket not a string") << badLink << u"invalid_field"_s;
}

void TestSteam::refusedWithoutCall()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, code);
    const int calls = m_steam.hits(steamPath);
    const TestResponse r = login(body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value("code"_L1).toString(), code);
    QCOMPARE(m_steam.hits(steamPath), calls);
}

void TestSteam::linkTicketJoinsAccount()
{
    const TestResponse guest = postJsonOnce(m_port, "/api/login/guest", {});
    QCOMPARE(guest.status, 200);
    const QByteArray access = guest.json().value("access_token"_L1).toString().toLatin1();
    const qint64 guestId = guest.json().value("user"_L1).toObject().value("id"_L1).toInteger();
    // The guest's event socket hears the link (identity_linked, then the row: no guest now).
    WsClient events(m_port);
    QCOMPARE(events.openWithToken(access), 101);
    TestClient client(m_port);
    const QString ticket = client.postJson("/api/identities/link", {}, access)
                               .json()
                               .value("link_ticket"_L1)
                               .toString();
    QVERIFY(!ticket.isEmpty());
    QJsonObject body = steam(u"aa04"_s);
    body.insert(u"link_ticket"_s, ticket);
    const TestResponse linked = login(body);
    QCOMPARE(linked.status, 200);
    QCOMPARE(linked.json().value("user"_L1).toObject().value("id"_L1).toInteger(), guestId);
    const QJsonObject event = QJsonDocument::fromJson(events.nextText()).object();
    QCOMPARE(event.value("event"_L1).toString(), u"identity_linked"_s);
    QCOMPARE(event.value("provider"_L1).toString(), u"steam"_s);
    const QJsonObject updated = QJsonDocument::fromJson(events.nextText()).object();
    QCOMPARE(updated.value("event"_L1).toString(), u"user_updated"_s);
    QCOMPARE(updated.value("user"_L1).toObject().value("is_guest"_L1).toBool(true), false);
    // The Steam account now signs in to that user; the ticket was single-use.
    QCOMPARE(login(steam(u"aa04"_s)).json().value("user"_L1).toObject().value("id"_L1).toInteger(),
             guestId);
    const TestResponse reused = login(body);
    QCOMPARE(reused.status, 400);
    QVERIFY(reused.json().value("message"_L1).toString().contains("link ticket"_L1));
    // A Steam account of another user cannot be linked: identity_in_use.
    const QString second = client.postJson("/api/identities/link", {}, access)
                               .json()
                               .value("link_ticket"_L1)
                               .toString();
    QJsonObject taken = steam(u"aa01"_s);
    taken.insert(u"link_ticket"_s, second);
    QCOMPARE(login(taken).status, 409);
}

// The username comes from the Steam persona name only when the game asks for it.
void TestSteam::personaNameOnRequest()
{
    const auto renameFromSteam = [](const TestResponse &login, quint16 port) {
        TestClient client(port);
        return client.request(
            "POST", "/api/update_username/steam", {},
            {{"Authorization",
              "Bearer " + login.json().value("access_token"_L1).toString().toLatin1()}});
    };
    const TestResponse gabe = login(steam(u"aa01"_s));
    QCOMPARE(gabe.json().value("user"_L1).toObject().value("name"_L1).toString(), u"player-7930"_s);
    const TestResponse renamed = renameFromSteam(gabe, m_port);
    QCOMPARE(renamed.status, 200);
    QCOMPARE(renamed.json().value("user"_L1).toObject().value("name"_L1).toString(), u"GabeN"_s);
    // Another player whose persona is the same name in another case: username_taken.
    const quint16 lenient = m_lenient->port();
    const TestResponse taken = renameFromSteam(login(steam(u"aa02"_s), lenient), lenient);
    QCOMPARE(taken.status, 409);
    QCOMPARE(taken.json().value("code"_L1).toString(), u"username_taken"_s);
    // A persona name against our rules is cleaned, not refused.
    const TestResponse cleaned = renameFromSteam(login(steam(u"aa03"_s), lenient), lenient);
    QCOMPARE(cleaned.status, 200);
    const QString name = cleaned.json().value("user"_L1).toObject().value("name"_L1).toString();
    QVERIFY2(!name.contains(u' ') && !name.contains(u'!') && name.contains("Bob"_L1),
             qPrintable(name));
    // Steam knows no such player; an account without Steam.
    QCOMPARE(renameFromSteam(login(steam(u"aa04"_s)), m_port).status, 404);
    QCOMPARE(renameFromSteam(postJsonOnce(m_port, "/api/login/guest", {}), m_port).status, 404);
}

void TestSteam::keyNeverLogged()
{
    QVERIFY(m_steam.hits(steamPath) > 5);
    {
        QMutexLocker lock(&messagesMutex);
        for (const QString &message : std::as_const(messages))
            QVERIFY2(!message.contains(webApiKey), qPrintable(message));
        QVERIFY(!messages.isEmpty());
    }
    QDirIterator files(m_dir.path(), QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(!file.readAll().contains(QByteArray(webApiKey.data(), webApiKey.size())),
                 qPrintable(file.fileName()));
    }
}

QTEST_GUILESS_MAIN(TestSteam)
#include "tst_steam.moc"
