// What operators do over HTTP, on SQLite and PostgreSQL: the /admin API with its refusals
// (players, API tokens without the admin scope, bad fields and queries), bans refused on
// every path (Bearer, refresh, sign-in, API tokens) with the reason, the audit log and its
// filters, and players' API tokens (scopes, expiry, deletion at once, the export).
#include "app/latchkeyserver.h"
#include "db/storage.h"

#include "brokerflow.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

class TestAdmin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void playersAndNobodyAreRefused_data();
    void playersAndNobodyAreRefused();
    void findUsersWithKeysetPages();
    void patchRefusals_data();
    void patchRefusals();
    void queryRefusals_data();
    void queryRefusals();
    void banRefusesEveryPath();
    void roleAndProgress();
    void sessionsOfAUser();
    void deleteUser();
    void auditFilters();
    void auditBatchesOfEverySize();
    void apiTokens();
    void apiTokenRefusals_data();
    void apiTokenRefusals();
    void apiTokenScopesAndExpiry();

private:
    TestResponse call(const QByteArray &method, const QByteArray &path, const QByteArray &token,
                      const QJsonObject &body = {});
    SignedIn signIn(const QString &email) { return devSignIn(m_port, email); }
    //! The "event" of each entry of GET \a path's "events".
    QStringList eventNames(const QByteArray &path, const QByteArray &token)
    {
        QStringList names;
        for (const QJsonValue &e : call("GET", path, token).json().value("events"_L1).toArray())
            names.append(e.toObject().value("event"_L1).toString());
        return names;
    }
    //! A signed-in admin (made one directly in the database: the CLI's test covers how).
    SignedIn admin(const QString &email);
    static QString code(const TestResponse &r) { return r.json().value("code"_L1).toString(); }

    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    Config m_config;
    std::unique_ptr<LatchkeyServer> m_server;
    std::unique_ptr<Storage> m_db; //!< the test's own connection, for set-up and checks
    quint16 m_port = 0;
};

void TestAdmin::initTestCase()
{
    if (QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s) ==
        "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_config = testServerConfig(m_dir, u"latchkey_admin"_s, m_pg);
    m_config.dev.enabled = true;
    m_server = std::make_unique<LatchkeyServer>(m_config);
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    m_port = m_server->port();
    m_db = std::make_unique<Storage>(m_config.database, u"tst-admin"_s, systemClock());
    QVERIFY(m_db->isAvailable());
}

void TestAdmin::cleanupTestCase()
{
    m_server.reset();
    m_db.reset();
}

TestResponse TestAdmin::call(const QByteArray &method, const QByteArray &path,
                             const QByteArray &token, const QJsonObject &body)
{
    return requestOnce(m_port, method, path, token, body);
}

SignedIn TestAdmin::admin(const QString &email)
{
    const SignedIn who = signIn(email);
    if (!m_db->operators().setRole(who.userId, u"admin"_s))
        qWarning("cannot make the test's admin");
    return who;
}

void TestAdmin::playersAndNobodyAreRefused_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("find") << QByteArray("GET") << QByteArray("/admin/users");
    QTest::newRow("user") << QByteArray("GET") << QByteArray("/admin/users/1");
    QTest::newRow("patch") << QByteArray("PATCH") << QByteArray("/admin/users/1");
    QTest::newRow("delete") << QByteArray("DELETE") << QByteArray("/admin/users/1");
    QTest::newRow("sessions") << QByteArray("GET") << QByteArray("/admin/users/1/sessions");
    QTest::newRow("end session") << QByteArray("DELETE") << QByteArray("/admin/sessions/1");
    QTest::newRow("audit") << QByteArray("GET") << QByteArray("/admin/audit");
}

// 401 without a token; 403 forbidden for a player's session and for an admin's API token
// without the admin scope; nothing is changed.
void TestAdmin::playersAndNobodyAreRefused()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    const SignedIn player = signIn(u"plain.player@example.test"_s);
    const SignedIn boss = admin(u"scoped.boss@example.test"_s);
    const TestResponse made =
        call("POST", "/api/tokens", boss.access, {{u"name"_s, u"api only"_s}});
    QCOMPARE(made.status, 201);
    const QByteArray apiOnly = made.json().value("token"_L1).toString().toLatin1();
    const QJsonObject body{{u"role"_s, u"admin"_s}};

    QCOMPARE(call(method, path, {}, body).status, 401);
    const TestResponse asPlayer = call(method, path, player.access, body);
    QCOMPARE(asPlayer.status, 403);
    QCOMPARE(code(asPlayer), u"forbidden"_s);
    const TestResponse asToken = call(method, path, apiOnly, body);
    QCOMPARE(asToken.status, 403);
    QVERIFY2(asToken.json().value("message"_L1).toString().contains("admin"_L1),
             asToken.body.constData());
    QCOMPARE(m_db->users().byId(player.userId)->role, u"player"_s);
}

void TestAdmin::findUsersWithKeysetPages()
{
    const SignedIn boss = admin(u"finder.boss@example.test"_s);
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i)
        ids.append(signIn(u"Page.Walker%1@Example.test"_s.arg(i)).userId);
    // By e-mail, without regard to case; two per page; "next" continues, null at the end.
    QList<qint64> seen;
    QJsonValue next = 0;
    for (int page = 0; page < 4 && !next.isNull(); ++page) {
        const TestResponse r = call("GET",
                                    "/admin/users?query=PAGE.walker&limit=2&after=" +
                                        QByteArray::number(next.toInteger()),
                                    boss.access);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value("status"_L1).toString(), u"success"_s);
        for (const QJsonValue &u : r.json().value("users"_L1).toArray())
            seen.append(u.toObject().value("id"_L1).toInteger());
        next = r.json().value("next"_L1);
    }
    QCOMPARE(seen, ids);
    QVERIFY(next.isNull());
    // By name (the e-mail's local part became it), and by id.
    const TestResponse byName = call("GET", "/admin/users?query=walker3", boss.access);
    QCOMPARE(byName.json().value("users"_L1).toArray().size(), 1);
    const TestResponse byId =
        call("GET", "/admin/users?query=" + QByteArray::number(ids[2]), boss.access);
    QCOMPARE(byId.json().value("users"_L1).toArray().first().toObject().value("id"_L1).toInteger(),
             ids[2]);
    // A LIKE wildcard in the query is a character, not a pattern.
    QCOMPARE(call("GET", "/admin/users?query=%25", boss.access)
                 .json()
                 .value("users"_L1)
                 .toArray()
                 .size(),
             0);
}

void TestAdmin::patchRefusals_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("empty") << QByteArray("{}") << 400 << u"missing_field"_s;
    QTest::newRow("unknown field") << QByteArray(R"({"email":"x@y"})") << 400 << u"invalid_field"_s;
    QTest::newRow("bad role") << QByteArray(R"({"role":"god"})") << 400 << u"invalid_field"_s;
    QTest::newRow("role not a string") << QByteArray(R"({"role":1})") << 400 << u"invalid_field"_s;
    QTest::newRow("bad status") << QByteArray(R"({"status":"gone"})") << 400 << u"invalid_field"_s;
    QTest::newRow("reason alone") << QByteArray(R"({"reason":"x"})") << 400 << u"invalid_field"_s;
    QTest::newRow("negative stars") << QByteArray(R"({"stars":-1})") << 400 << u"invalid_field"_s;
    QTest::newRow("fractional level")
        << QByteArray(R"({"level":1.5})") << 400 << u"invalid_field"_s;
    QTest::newRow("bad name") << QByteArray(R"({"name":"a"})") << 400 << u"invalid_username"_s;
    QTest::newRow("not JSON") << QByteArray("role=admin") << 400 << u"invalid_json"_s;
}

void TestAdmin::patchRefusals()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    const SignedIn boss = admin(u"patch.boss@example.test"_s);
    const SignedIn target = signIn(u"patch.target@example.test"_s);
    TestClient client(m_port);
    const TestResponse r = client.request(
        "PATCH", "/admin/users/" + QByteArray::number(target.userId), body,
        {{"Authorization", "Bearer " + boss.access}, {"Content-Type", "application/json"}});
    QCOMPARE(r.status, status);
    QCOMPARE(TestAdmin::code(r), code);
    const Result<User> after = m_db->users().byId(target.userId);
    QCOMPARE(after->role, u"player"_s);
    QCOMPARE(after->status, u"active"_s);
}

void TestAdmin::queryRefusals_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::newRow("limit 0") << QByteArray("/admin/users?limit=0");
    QTest::newRow("limit too big") << QByteArray("/admin/users?limit=501");
    QTest::newRow("after not a number") << QByteArray("/admin/users?after=x");
    QTest::newRow("repeated") << QByteArray("/admin/users?limit=1&limit=2");
    QTest::newRow("since garbage") << QByteArray("/admin/audit?since=yesterday");
    QTest::newRow("user not a number") << QByteArray("/admin/audit?user=bob");
}

void TestAdmin::queryRefusals()
{
    QFETCH(QByteArray, path);
    const SignedIn boss = admin(u"query.boss@example.test"_s);
    const TestResponse r = call("GET", path, boss.access);
    QCOMPARE(r.status, 400);
}

// A ban ends every session at once; the Bearer token, the refresh token, a new sign-in and the
// user's API token are all refused with 403 account_banned and the operator's reason. An
// admin cannot ban themselves. Unbanned, the player signs in again.
void TestAdmin::banRefusesEveryPath()
{
    const SignedIn boss = admin(u"ban.boss@example.test"_s);
    const SignedIn cheater = signIn(u"cheater@example.test"_s);
    const TestResponse made = call("POST", "/api/tokens", cheater.access, {{u"name"_s, u"bot"_s}});
    const QByteArray token = made.json().value("token"_L1).toString().toLatin1();
    QCOMPARE(call("GET", "/api/me", token).status, 200);

    const QByteArray path = "/admin/users/" + QByteArray::number(cheater.userId);
    const TestResponse banned =
        call("PATCH", path, boss.access, {{u"status"_s, u"banned"_s}, {u"reason"_s, u"aimbot"_s}});
    QCOMPARE(banned.status, 200);
    const QJsonObject user = banned.json().value("user"_L1).toObject();
    QCOMPARE(user.value("status"_L1).toString(), u"banned"_s);
    QCOMPARE(user.value("ban_reason"_L1).toString(), u"aimbot"_s);
    QVERIFY(!user.value("banned_at"_L1).toString().isEmpty());

    const auto isBanned = [](const TestResponse &r) {
        return r.status == 403 && code(r) == "account_banned"_L1 &&
               r.json().value("message"_L1).toString().contains("aimbot"_L1);
    };
    const TestResponse me = call("GET", "/api/me", cheater.access);
    QVERIFY2(isBanned(me), me.body.constData());
    const TestResponse refresh = call("POST", "/api/refresh", {},
                                      {{u"refresh_token"_s, QString::fromLatin1(cheater.refresh)}});
    QVERIFY2(isBanned(refresh), refresh.body.constData());
    const TestResponse byToken = call("GET", "/api/me", token);
    QVERIFY2(isBanned(byToken), byToken.body.constData());
    // A new sign-in: the broker sends the game back with access_denied and the reason.
    const Pkce pkce = newPkce();
    const Walk again =
        walk(m_port, authorizePath(pkce, {{u"provider"_s, u"dev"_s}}), u"cheater@example.test"_s);
    QCOMPARE(queryValue(again.game, u"error"_s), u"access_denied"_s);
    QVERIFY(queryValue(again.game, u"error_description"_s).contains("aimbot"_L1));
    // The OAuth refresh grant: invalid_grant with the reason.
    const TestResponse oauthRefresh =
        postForm(m_port, "/oauth/token",
                 QUrlQuery{{u"grant_type"_s, u"refresh_token"_s},
                           {u"refresh_token"_s, QString::fromLatin1(cheater.refresh)}});
    QCOMPARE(oauthRefresh.json().value("error"_L1).toString(), u"invalid_grant"_s);

    const QByteArray self = "/admin/users/" + QByteArray::number(boss.userId);
    QCOMPARE(call("PATCH", self, boss.access, {{u"status"_s, u"banned"_s}}).status, 400);
    QCOMPARE(call("PATCH", self, boss.access, {{u"role"_s, u"player"_s}}).status, 400);

    const TestResponse lifted = call("PATCH", path, boss.access, {{u"status"_s, u"active"_s}});
    QCOMPARE(lifted.json().value("user"_L1).toObject().value("ban_reason"_L1), QJsonValue());
    QVERIFY(!signIn(u"cheater@example.test"_s).access.isEmpty());
    QCOMPARE(call("GET", "/api/me", token).status, 200);
    QCOMPARE(call("GET", "/api/me", cheater.access).status, 401); // ended by the ban
}

void TestAdmin::roleAndProgress()
{
    const SignedIn boss = admin(u"role.boss@example.test"_s);
    const SignedIn helper = signIn(u"helper@example.test"_s);
    const QByteArray path = "/admin/users/" + QByteArray::number(helper.userId);
    const TestResponse r = call(
        "PATCH", path, boss.access,
        {{u"role"_s, u"admin"_s}, {u"name"_s, u"Helper-Two"_s}, {u"stars"_s, 12}, {u"level"_s, 3}});
    QCOMPARE(r.status, 200);
    const QJsonObject user = r.json().value("user"_L1).toObject();
    QCOMPARE(user.value("role"_L1).toString(), u"admin"_s);
    QCOMPARE(user.value("name"_L1).toString(), u"Helper-Two"_s);
    QCOMPARE(user.value("stars"_L1).toInt(), 12);
    QCOMPARE(user.value("level"_L1).toInt(), 3);
    // The player's own view follows, and the new admin's session reaches /admin at once.
    QCOMPARE(
        call("GET", "/api/me", helper.access).json().value("user"_L1).toObject().value("role"_L1),
        QJsonValue(u"admin"_s));
    QCOMPARE(call("GET", "/admin/users", helper.access).status, 200);
    // A taken name is 409 and changes nothing else of the request.
    const QString bossName = m_db->users().byId(boss.userId)->name.toUpper();
    const TestResponse taken =
        call("PATCH", path, boss.access, {{u"name"_s, bossName}, {u"stars"_s, 99}});
    QCOMPARE(taken.status, 409);
    QCOMPARE(m_db->users().byId(helper.userId)->stars, 12);
    QCOMPARE(call("GET", "/admin/users/999999", boss.access).status, 404);
    QCOMPARE(call("PATCH", "/admin/users/999999", boss.access, {{u"stars"_s, 1}}).status, 404);
}

void TestAdmin::sessionsOfAUser()
{
    const SignedIn boss = admin(u"sessions.boss@example.test"_s);
    const SignedIn phone = signIn(u"two.sessions@example.test"_s);
    const SignedIn laptop = signIn(u"two.sessions@example.test"_s);
    const TestResponse list =
        call("GET", "/admin/users/" + QByteArray::number(phone.userId) + "/sessions", boss.access);
    QCOMPARE(list.status, 200);
    QCOMPARE(list.json().value("sessions"_L1).toArray().size(), 2);
    const QByteArray end = "/admin/sessions/" + QByteArray::number(phone.sessionId);
    QCOMPARE(call("DELETE", end, boss.access).status, 200);
    QCOMPARE(call("GET", "/api/me", phone.access).status, 401);
    QCOMPARE(call("GET", "/api/me", laptop.access).status, 200);
    QCOMPARE(call("DELETE", end, boss.access).status, 404); // ended already
    QCOMPARE(call("DELETE", "/admin/sessions/999999", boss.access).status, 404);
    QCOMPARE(call("GET", "/admin/users/999999/sessions", boss.access).status, 404);
}

// Deleting a user ends every token at once; the audit rows keep only the id and the event.
void TestAdmin::deleteUser()
{
    const SignedIn boss = admin(u"delete.boss@example.test"_s);
    const SignedIn gone = signIn(u"to.be.deleted@example.test"_s);
    const QByteArray path = "/admin/users/" + QByteArray::number(gone.userId);
    QCOMPARE(call("DELETE", "/admin/users/" + QByteArray::number(boss.userId), boss.access).status,
             400);
    QCOMPARE(call("DELETE", path, boss.access).status, 200);
    QCOMPARE(call("GET", "/api/me", gone.access).status, 401);
    QCOMPARE(call("GET", path, boss.access).status, 404);
    QCOMPARE(call("DELETE", path, boss.access).status, 404);
    // The other worker may write the sign-in's rows up to AuditLog::flushMs later; the
    // deleting worker clears the user's rows again after that.
    const auto scrubbed = [&](QJsonArray *events) {
        *events = call("GET", "/admin/audit?user=" + QByteArray::number(gone.userId), boss.access)
                      .json()
                      .value("events"_L1)
                      .toArray();
        return std::all_of(events->begin(), events->end(), [](const QJsonValue &e) {
            return e.toObject().value("address"_L1).isNull() &&
                   e.toObject().value("details"_L1).toObject().isEmpty();
        });
    };
    QJsonArray events;
    QTRY_VERIFY_WITH_TIMEOUT(scrubbed(&events) && events.size() >= 3, 3000);
    // The sign-in's events and the deletion, which keeps the admin who did it.
    QCOMPARE(events.first().toObject().value("event"_L1).toString(), u"account_deleted"_s);
    QCOMPARE(events.first().toObject().value("actor_id"_L1).toInteger(), boss.userId);
}

void TestAdmin::auditFilters()
{
    const SignedIn boss = admin(u"audit.boss@example.test"_s);
    const SignedIn player = signIn(u"audited@example.test"_s);
    const QByteArray user = QByteArray::number(player.userId);
    QCOMPARE(call("PATCH", "/admin/users/" + user, boss.access, {{u"stars"_s, 5}}).status, 200);
    // Each worker writes its batch within AuditLog::flushMs: the sign-in's events may come
    // from the other worker a moment later.
    QStringList names;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (names = eventNames("/admin/audit?user=" + user, boss.access)).contains(u"login"_s),
        qPrintable(names.join(u' ')), 5000);
    // Newest first: the admin's change, then the sign-in's events.
    QCOMPARE(names.first(), u"progress_set"_s);
    QVERIFY2(names.contains(u"login"_s), qPrintable(names.join(u' ')));
    const TestResponse byEvent =
        call("GET", "/admin/audit?event=progress_set&user=" + user, boss.access);
    const QJsonArray set = byEvent.json().value("events"_L1).toArray();
    QCOMPARE(set.size(), 1);
    const QJsonObject e = set.first().toObject();
    QCOMPARE(e.value("actor_id"_L1).toInteger(), boss.userId);
    QCOMPARE(e.value("details"_L1).toObject().value("stars"_L1).toString(), u"5"_s);
    QCOMPARE(e.value("address"_L1).toString(), u"127.0.0.1"_s);
    // Time bounds: nothing before the Unix epoch's first second, everything since then.
    QCOMPARE(call("GET", "/admin/audit?until=1000&user=" + user, boss.access)
                 .json()
                 .value("events"_L1)
                 .toArray()
                 .size(),
             0);
    QCOMPARE(call("GET", "/admin/audit?since=1970-01-01T00:00:01Z&user=" + user, boss.access)
                 .json()
                 .value("events"_L1)
                 .toArray()
                 .size(),
             names.size());
    // Keyset: one per page continues where the last page ended.
    const TestResponse first = call("GET", "/admin/audit?limit=1&user=" + user, boss.access);
    const qint64 next = first.json().value("next"_L1).toInteger();
    const TestResponse second =
        call("GET", "/admin/audit?limit=1&user=" + user + "&after=" + QByteArray::number(next),
             boss.access);
    QCOMPARE(second.json().value("events"_L1).toArray().first().toObject().value("event"_L1),
             QJsonValue(names.at(1)));
}

// A batch goes in as INSERTs of 64, 8 and 1 rows: 64 + 8 + 3 rows all arrive, in order, with
// their values (nulls for no user, no actor, no address, no details).
void TestAdmin::auditBatchesOfEverySize()
{
    // Recent times: the server's retention pruning must not take them.
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    QList<AuditEvent> batch;
    for (int i = 0; i < 75; ++i)
        batch.append({0, start + i, i % 2 ? 4242 : 0, i % 3 ? 0 : 7, u"batch_test"_s,
                      i % 5 ? u"192.0.2.%1"_s.arg(i) : QString(),
                      i % 4 ? QJsonObject{{u"n"_s, QString::number(i)}} : QJsonObject{}});
    QVERIFY(m_db->audit().insert(batch).ok());
    const Result<QList<AuditEvent>> read = m_db->audit().find({0, u"batch_test"_s, 0, 0, 0, 500});
    QVERIFY(read.ok());
    QCOMPARE(read->size(), 75);
    for (int i = 0; i < 75; ++i) {
        const AuditEvent &e = read->at(74 - i); // newest first
        QCOMPARE(e.atMs, start + i);
        QCOMPARE(e.userId, i % 2 ? 4242 : 0);
        QCOMPARE(e.actorId, i % 3 ? 0 : 7);
        QCOMPARE(e.address, i % 5 ? u"192.0.2.%1"_s.arg(i) : QString());
        QCOMPARE(e.details.value("n"_L1).toString(), i % 4 ? QString::number(i) : QString());
    }
}

// Made once (the token only in that answer), listed without secrets, a Bearer within its
// scopes, deleted → 401 at once; the export lists it and the player's events.
void TestAdmin::apiTokens()
{
    const SignedIn player = signIn(u"token.owner@example.test"_s);
    const TestResponse made = call("POST", "/api/tokens", player.access,
                                   {{u"name"_s, u"leaderboard bot"_s},
                                    {u"scopes"_s, QJsonArray{u"api"_s}},
                                    {u"expires_in_days"_s, 30}});
    QCOMPARE(made.status, 201);
    QCOMPARE(made.header("cache-control"), QByteArray("no-store"));
    const QString token = made.json().value("token"_L1).toString();
    QVERIFY2(QRegularExpression(u"^lk_[A-Za-z0-9_-]{43}$"_s).match(token).hasMatch(),
             qPrintable(token));
    const qint64 id = made.json().value("id"_L1).toInteger();
    QVERIFY(!made.json().value("expires_at"_L1).toString().isEmpty());

    const TestResponse me = call("GET", "/api/me", token.toLatin1());
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json().value("user"_L1).toObject().value("id"_L1).toInteger(), player.userId);
    const TestResponse list = call("GET", "/api/tokens", player.access);
    const QJsonArray tokens = list.json().value("tokens"_L1).toArray();
    QCOMPARE(tokens.size(), 1);
    QVERIFY(!tokens.first().toObject().contains("token"_L1));
    QVERIFY(!list.body.contains(token.toLatin1()));
    QVERIFY(!tokens.first().toObject().value("last_used_at"_L1).isNull());
    // An API token has no session to end.
    QCOMPARE(call("POST", "/api/logout", token.toLatin1()).status, 400);

    const TestResponse exported = call("GET", "/api/me/export", player.access);
    QCOMPARE(
        exported.json().value("tokens"_L1).toArray().first().toObject().value("id"_L1).toInteger(),
        id);
    QStringList events;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (events = eventNames("/api/me/export", player.access)).contains(u"login"_s),
        qPrintable(events.join(u' ')), 5000);
    QVERIFY(events.contains(u"api_token_created"_s));

    const SignedIn other = signIn(u"not.the.owner@example.test"_s);
    const QByteArray path = "/api/tokens/" + QByteArray::number(id);
    QCOMPARE(call("DELETE", path, other.access).status, 404);
    QCOMPARE(call("DELETE", path, player.access).status, 200);
    QCOMPARE(call("GET", "/api/me", token.toLatin1()).status, 401);
    QCOMPARE(call("DELETE", path, player.access).status, 404);
    // A token that only looks like one.
    QCOMPARE(call("GET", "/api/me", "lk_" + QByteArray(43, 'A')).status, 401);
    QCOMPARE(call("GET", "/api/me", "lk_short").status, 401);
}

void TestAdmin::apiTokenRefusals_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::newRow("no name") << QJsonObject{} << 400;
    QTest::newRow("empty name") << QJsonObject{{u"name"_s, u"  "_s}} << 400;
    QTest::newRow("long name") << QJsonObject{{u"name"_s, QString(101, u'x')}} << 400;
    QTest::newRow("scopes not an array")
        << QJsonObject{{u"name"_s, u"t"_s}, {u"scopes"_s, u"api"_s}} << 400;
    QTest::newRow("no scopes") << QJsonObject{{u"name"_s, u"t"_s}, {u"scopes"_s, QJsonArray()}}
                               << 400;
    QTest::newRow("unknown scope")
        << QJsonObject{{u"name"_s, u"t"_s}, {u"scopes"_s, QJsonArray{u"root"_s}}} << 400;
    QTest::newRow("admin scope for a player")
        << QJsonObject{{u"name"_s, u"t"_s}, {u"scopes"_s, QJsonArray{u"admin"_s}}} << 403;
    QTest::newRow("negative expiry")
        << QJsonObject{{u"name"_s, u"t"_s}, {u"expires_in_days"_s, -1}} << 400;
    QTest::newRow("expiry too far")
        << QJsonObject{{u"name"_s, u"t"_s}, {u"expires_in_days"_s, 3651}} << 400;
}

void TestAdmin::apiTokenRefusals()
{
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    const SignedIn player = signIn(u"token.refusals@example.test"_s);
    TestClient client(m_port);
    const TestResponse r = client.request(
        "POST", "/api/tokens",
        body.isEmpty() ? QByteArray("{}") : QJsonDocument(body).toJson(QJsonDocument::Compact),
        {{"Authorization", "Bearer " + player.access}, {"Content-Type", "application/json"}});
    QCOMPARE(r.status, status);
    QCOMPARE(call("GET", "/api/tokens", player.access).json().value("tokens"_L1).toArray().size(),
             0);
}

// An admin-scoped token reaches /admin (and /api only with "api" too); an api token cannot
// make an admin one; an expired token is 401; a demoted admin's admin token is 403.
void TestAdmin::apiTokenScopesAndExpiry()
{
    const SignedIn boss = admin(u"scopes.boss@example.test"_s);
    const auto make = [&](const QByteArray &bearer, const QJsonArray &scopes) {
        return call("POST", "/api/tokens", bearer, {{u"name"_s, u"t"_s}, {u"scopes"_s, scopes}});
    };
    const TestResponse adminOnly = make(boss.access, {u"admin"_s});
    QCOMPARE(adminOnly.status, 201);
    const QByteArray adminToken = adminOnly.json().value("token"_L1).toString().toLatin1();
    QCOMPARE(call("GET", "/admin/users", adminToken).status, 200);
    QCOMPARE(call("GET", "/api/me", adminToken).status, 403);
    const QByteArray apiToken =
        make(boss.access, {u"api"_s}).json().value("token"_L1).toString().toLatin1();
    QCOMPARE(make(apiToken, {u"admin"_s}).status, 403);
    QCOMPARE(make(apiToken, {u"api"_s}).status, 201);

    const TestResponse soon = make(boss.access, {u"api"_s});
    const QByteArray soonToken = soon.json().value("token"_L1).toString().toLatin1();
    QCOMPARE(call("GET", "/api/me", soonToken).status, 200);
    QSqlQuery expire(m_db->database().connection());
    QVERIFY(expire.prepare(u"UPDATE api_tokens SET expires_at = 1000 WHERE id = ?"_s));
    expire.addBindValue(soon.json().value("id"_L1).toInteger());
    QVERIFY(expire.exec());
    const TestResponse expired = call("GET", "/api/me", soonToken);
    QCOMPARE(expired.status, 401);
    QCOMPARE(code(expired), u"invalid_token"_s);

    QVERIFY(m_db->operators().setRole(boss.userId, u"player"_s));
    QCOMPARE(call("GET", "/admin/users", adminToken).status, 403);
}

QTEST_GUILESS_MAIN(TestAdmin)
#include "tst_admin.moc"
