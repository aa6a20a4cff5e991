// latchkey-admin run as a process on SQLite and PostgreSQL, beside a running server on the
// same database: how the first admin is made, and every change (role, ban, sessions, token,
// deletion) seen by the server on the next request; the audit and find output as JSON and as
// a table; usage errors (exit 2) and failures (exit 1).
#include "app/latchkeyserver.h"

#include "brokerflow.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
    QJsonObject json() const { return QJsonDocument::fromJson(out.toUtf8()).object(); }
};
} // namespace

class TestAdminCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase() { m_server.reset(); }

    void changesReachTheRunningServer();
    void tokenAndDeletion();
    void findAndAuditOutput();
    void usageAndFailures_data();
    void usageAndFailures();

private:
    //! latchkey-admin \a arguments with the test server's database in its environment.
    Run admin(const QStringList &arguments);
    TestResponse get(const QByteArray &path, const QByteArray &token)
    {
        return TestClient(m_port).get(path, token);
    }

    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    Config m_config;
    std::unique_ptr<LatchkeyServer> m_server;
    quint16 m_port = 0;
};

void TestAdminCli::initTestCase()
{
    if (QProcessEnvironment::systemEnvironment().value(u"LATCHKEY_TEST_DRIVER"_s) ==
        "postgres"_L1) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_config = testServerConfig(m_dir, u"latchkey_admin_cli"_s, m_pg);
    m_config.dev.enabled = true;
    m_server = std::make_unique<LatchkeyServer>(m_config);
    const Status started = m_server->start();
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    m_port = m_server->port();
}

Run TestAdminCli::admin(const QStringList &arguments)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const Config::Database &db = m_config.database;
    env.insert(u"DB_DRIVER"_s, db.driver);
    env.insert(u"SQLITE_PATH"_s, db.sqlitePath);
    env.insert(u"DB_HOST"_s, db.host);
    env.insert(u"DB_PORT"_s, QString::number(db.port));
    env.insert(u"DB_NAME"_s, db.name);
    env.insert(u"DB_USER"_s, db.user);
    env.insert(u"DB_PASSWORD"_s, db.password);
    env.insert(u"JWT_SECRET"_s, QString::fromLatin1(m_config.security.jwtSecret));
    env.insert(u"LOG_DIR"_s, m_config.server.logDir);
    QProcess process;
    process.setProcessEnvironment(env);
    process.setWorkingDirectory(m_dir.path()); // no config.yml there
    process.start(QStringLiteral(LATCHKEY_ADMIN_PATH), arguments);
    if (!process.waitForFinished(30000))
        return {};
    return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

// The first admin is made at the console; the running server sees each change on the next
// request (it reads role, status and sessions from the database on every Bearer call).
void TestAdminCli::changesReachTheRunningServer()
{
    const SignedIn first = devSignIn(m_port, u"first.admin@example.test"_s);
    QCOMPARE(get("/admin/users", first.access).status, 403);
    const Run granted = admin({u"grant-admin"_s, u"first.admin@example.test"_s});
    QVERIFY2(granted.exitCode == 0, qPrintable(granted.err));
    QVERIFY2(granted.out.contains("is an admin"_L1), qPrintable(granted.out));
    QCOMPARE(get("/admin/users", first.access).status, 200);

    const SignedIn player = devSignIn(m_port, u"console.banned@example.test"_s);
    const QString name = get("/api/me", player.access)
                             .json()
                             .value("user"_L1)
                             .toObject()
                             .value("name"_L1)
                             .toString();
    const Run banned = admin({u"ban"_s, name.toUpper(), u"--reason"_s, u"smurfing"_s});
    QVERIFY2(banned.exitCode == 0, qPrintable(banned.err));
    QVERIFY2(banned.out.contains("smurfing"_L1) && banned.out.contains("banned"_L1),
             qPrintable(banned.out));
    const TestResponse refused = get("/api/me", player.access);
    QCOMPARE(refused.status, 403);
    QVERIFY(refused.json().value("message"_L1).toString().contains("smurfing"_L1));
    QCOMPARE(admin({u"unban"_s, QString::number(player.userId)}).exitCode, 0);
    const SignedIn back = devSignIn(m_port, u"console.banned@example.test"_s);
    QCOMPARE(get("/api/me", back.access).status, 200);

    const Run revoked = admin({u"revoke-sessions"_s, QString::number(player.userId), u"--json"_s});
    QCOMPARE(revoked.exitCode, 0);
    QCOMPARE(revoked.json().value("revoked"_L1).toInt(), 1);
    QCOMPARE(get("/api/me", back.access).status, 401);

    QCOMPARE(admin({u"revoke-admin"_s, QString::number(first.userId)}).exitCode, 0);
    QCOMPARE(get("/admin/users", first.access).status, 403);
}

void TestAdminCli::tokenAndDeletion()
{
    const SignedIn ops = devSignIn(m_port, u"ops.bot@example.test"_s);
    QCOMPARE(admin({u"grant-admin"_s, QString::number(ops.userId)}).exitCode, 0);
    const Run made = admin({u"create-token"_s, u"ops.bot@example.test"_s, u"--name"_s,
                            u"dashboards"_s, u"--scope"_s, u"admin"_s, u"--json"_s});
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    const QByteArray token = made.json().value("token"_L1).toString().toLatin1();
    QVERIFY(token.startsWith("lk_"));
    QCOMPARE(get("/admin/users", token).status, 200);
    QCOMPARE(get("/api/me", token).status, 403); // admin scope only

    const SignedIn gone = devSignIn(m_port, u"console.deleted@example.test"_s);
    const Run unconfirmed = admin({u"delete-user"_s, QString::number(gone.userId)});
    QCOMPARE(unconfirmed.exitCode, 2);
    QCOMPARE(get("/api/me", gone.access).status, 200);
    const Run deleted = admin({u"delete-user"_s, QString::number(gone.userId), u"--yes"_s});
    QVERIFY2(deleted.exitCode == 0, qPrintable(deleted.err));
    QCOMPARE(get("/api/me", gone.access).status, 401);
    QCOMPARE(admin({u"show"_s, QString::number(gone.userId)}).exitCode, 1);
    // The deletion is in the audit log by the deleted user's id, with only the event left.
    const Run audit = admin({u"audit"_s, u"--user"_s, QString::number(gone.userId), u"--event"_s,
                             u"account_deleted"_s, u"--json"_s});
    const QJsonArray events = audit.json().value("events"_L1).toArray();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().toObject().value("address"_L1), QJsonValue());
}

void TestAdminCli::findAndAuditOutput()
{
    const SignedIn player = devSignIn(m_port, u"Table.Reader@example.test"_s);
    QCOMPARE(admin({u"grant-admin"_s, QString::number(player.userId)}).exitCode, 0);
    const Run table = admin({u"find"_s, u"table.READER"_s});
    QCOMPARE(table.exitCode, 0);
    const QStringList lines = table.out.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.size() == 3, qPrintable(table.out)); // header, one user, "1 user(s)"
    QVERIFY(lines[0].startsWith("ID"_L1) && lines[0].contains("STATUS"_L1));
    QVERIFY(lines[1].contains("Table.Reader@example.test"_L1) && lines[1].contains("admin"_L1));
    const Run json = admin({u"find"_s, u"table.reader"_s, u"--json"_s});
    QCOMPARE(json.json().value("users"_L1).toArray().first().toObject().value("id"_L1).toInteger(),
             player.userId);
    // The console's change is audited "via latchkey-admin", without an admin id.
    const Run audit = admin({u"audit"_s, u"--user"_s, u"table.reader@example.test"_s, u"--event"_s,
                             u"role_changed"_s, u"--json"_s});
    QCOMPARE(audit.exitCode, 0);
    const QJsonObject e = audit.json().value("events"_L1).toArray().first().toObject();
    QCOMPARE(e.value("details"_L1).toObject().value("via"_L1).toString(), u"latchkey-admin"_s);
    QCOMPARE(e.value("details"_L1).toObject().value("role"_L1).toString(), u"admin"_s);
    QCOMPARE(e.value("actor_id"_L1), QJsonValue());
    const Run since = admin({u"audit"_s, u"--since"_s, u"2999-01-01T00:00:00Z"_s});
    QCOMPARE(since.exitCode, 0);
    QVERIFY2(since.out.contains("0 event(s)"_L1), qPrintable(since.out));
}

void TestAdminCli::usageAndFailures_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says");
    QTest::newRow("no command") << QStringList() << 2 << u"name a command"_s;
    QTest::newRow("unknown command") << QStringList{u"promote"_s} << 2 << u"unknown command"_s;
    QTest::newRow("no user") << QStringList{u"ban"_s} << 2 << u"needs a user"_s;
    QTest::newRow("extra argument")
        << QStringList{u"ban"_s, u"a"_s, u"b"_s} << 2 << u"unexpected argument b"_s;
    QTest::newRow("option of another command")
        << QStringList{u"unban"_s, u"1"_s, u"--reason"_s, u"x"_s} << 2
        << u"--reason does not go with unban"_s;
    QTest::newRow("bad limit") << QStringList{u"find"_s, u"--limit"_s, u"0"_s} << 2
                               << u"--limit must be"_s;
    QTest::newRow("token without name")
        << QStringList{u"create-token"_s, u"1"_s} << 2 << u"needs --name"_s;
    QTest::newRow("missing config file")
        << QStringList{u"--config"_s, u"/nonexistent/config.yml"_s, u"find"_s} << 2
        << u"/nonexistent/config.yml"_s;
    QTest::newRow("unknown user") << QStringList{u"ban"_s, u"nobody-at-all"_s} << 1
                                  << u"no user is named nobody-at-all"_s;
    QTest::newRow("bad audit time")
        << QStringList{u"audit"_s, u"--since"_s, u"soon"_s} << 1 << u"soon is no time"_s;
    QTest::newRow("unknown scope")
        << QStringList{u"create-token"_s, u"1"_s, u"--name"_s, u"x"_s, u"--scope"_s, u"root"_s} << 1
        << u"unknown scope"_s;
}

void TestAdminCli::usageAndFailures()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    devSignIn(m_port, u"someone@example.test"_s); // user 1 exists for the commands that name it
    const Run run = admin(arguments);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2(run.err.startsWith("latchkey-admin: "_L1) && run.err.contains(says),
             qPrintable(run.err));
    QVERIFY(run.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestAdminCli)
#include "tst_admin_cli.moc"
