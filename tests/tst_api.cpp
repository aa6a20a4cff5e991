// The wire API end to end over real sockets, on SQLite and on a real PostgreSQL: login,
// refresh rotation and reuse, usernames, sessions, every error status, the login log.
#include "app/latchkeyserver.h"
#include "auth/keyset.h"

#include "pgfixture.h"
#include "standinserver.h"
#include "testclient.h"
#include "testserverconfig.h"

#include <latchkey/jwt.h>
#include <latchkey/username.h>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using namespace latchkey;
using namespace latchkey::test;

class TestApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init() { m_offsetMs = 0; }
    void cleanupTestCase();

    void fullSequence();
    void userJsonShape();
    void firstLoginNamesFromEmail();
    void secondDeviceKeepsFirstSession();
    void sessionsPerUserBounded();
    void idTokenLogin_data();
    void idTokenLogin();
    void idTokenKeysAreCached();
    void keyFetchFailureRemembered();
    void cachedKeysServeWhileRefetchFails();
    void accessTokenChecks_data();
    void accessTokenChecks();
    void refreshRotates();
    void refreshRetryInsideGraceWindow();
    void refreshReuseRevokesSession();
    void expiredRefreshRefused();
    void concurrentRefreshesOneSuccessor();
    void usernameConflictIgnoresCase();
    void usernameRules_data();
    void usernameRules();
    void updatePicture_data();
    void updatePicture();
    void errorStatuses_data();
    void errorStatuses();
    void providerFailures_data();
    void providerFailures();
    void malformedProviderTokensNeverSent_data();
    void malformedProviderTokensNeverSent();
    void rateLimitAfterFailures();
    void concurrentGuessesCountWhileInProgress();
    void providerCallsPerAddressCapped();
    void databaseUnavailable();
    void internalErrorHidesDetails();
    void loginLogRecordsEventsAndResistsForgery();
    void privateFilesAreOwnerOnly();

private:
    Config baseConfig(const QString &databaseName);
    std::unique_ptr<LatchkeyServer> startServer(const Config &config);
    QByteArray googleAccessToken(const QString &subject, const QString &email,
                                 const QString &aud = QStringLiteral("client-a"),
                                 bool verified = true, qint64 expiresIn = 3600);
    QByteArray idToken(QJsonObject overrides = {}, const jwt::Key *key = nullptr);
    TestResponse login(const QString &subject, const QString &email = {});
    TestResponse refresh(const QString &refreshToken);
    static QByteArray accessOf(const TestResponse &r)
    {
        return r.json().value(QLatin1StringView("access_token")).toString().toLatin1();
    }
    static QString refreshOf(const TestResponse &r)
    {
        return r.json().value(QLatin1StringView("refresh_token")).toString();
    }
    void checkError(const TestResponse &r, int status, const char *code);
    //! \a count logins with \a accessToken sent at once, each on its own connection:
    //! how many got each status.
    static QMap<int, int> concurrentLogins(quint16 port, const QByteArray &accessToken, int count);
    qsizetype providerRequestsWith(const QByteArray &accessToken) const;

    QString m_driver;
    std::optional<PgServer> m_pg;
    QTemporaryDir m_dir;
    StandInServer m_provider;
    QHash<QByteArray, QJsonObject> m_tokenInfo;
    jwt::Key m_idKey = jwt::Key::generate(jwt::Algorithm::RS256);
    std::atomic<qint64> m_offsetMs{0};
    std::unique_ptr<LatchkeyServer> m_server;
    quint16 m_port = 0;
    int m_serial = 0;
};

Config TestApi::baseConfig(const QString &databaseName)
{
    Config c = testServerConfig(m_dir, databaseName, m_pg);
    c.security.maxSessionsPerUser = 3; // rateLimitAfterFailures turns the failed-auth limit on
    c.google.clientIds = {QStringLiteral("client-a"), QStringLiteral("client-b")};
    c.google.tokenInfoUrl = m_provider.url(QStringLiteral("/tokeninfo"));
    c.google.jwksUrl = m_provider.url(QStringLiteral("/jwks"));
    c.google.issuers = {QStringLiteral("https://issuer.test")};
    c.google.timeoutMs = 1000;
    return c;
}

std::unique_ptr<LatchkeyServer> TestApi::startServer(const Config &config)
{
    auto server = std::make_unique<LatchkeyServer>(
        config, [this] { return QDateTime::currentMSecsSinceEpoch() + m_offsetMs.load(); });
    const Status started = server->start();
    if (!started) {
        qWarning() << "server did not start:" << started.error().message;
        return nullptr;
    }
    return server;
}

void TestApi::initTestCase()
{
    m_driver = QProcessEnvironment::systemEnvironment().value(
        QStringLiteral("LATCHKEY_TEST_DRIVER"), QStringLiteral("sqlite"));
    if (m_driver == QLatin1StringView("postgres")) {
        m_pg = pgServer();
        QVERIFY2(m_pg, "LATCHKEY_TEST_PG_ENV must name the PostgreSQL fixture's env file");
    }
    QVERIFY(m_dir.isValid());
    m_idKey.setKeyId(QStringLiteral("key-1"));

    m_provider.route("/tokeninfo", [this](const StandInRequest &request) {
        // Only what Google documents: access_token as a query or form parameter.
        const QByteArray token = request.param("access_token");
        if (token == "hang")
            return StandInReply{200, {}, {}, 0, true, {}};
        if (token == "fail500")
            return StandInReply{500, "{}", {}, 0, false, {}};
        if (token == "quota429")
            return StandInReply{429, "{}", {}, 0, false, {}};
        if (token == "not-json")
            return StandInReply{200, "<html>", {}, 0, false, {}};
        if (token.startsWith("slow-bad-")) // refused after the delay its name gives
            return StandInReply{
                400, "{\"error\":\"invalid_token\"}", {}, token.mid(9).toInt(), false, {}};
        const auto info = m_tokenInfo.constFind(token);
        if (info == m_tokenInfo.constEnd())
            return StandInReply{400, "{\"error\":\"invalid_token\"}", {}, 0, false, {}};
        return StandInReply{200, QJsonDocument(*info).toJson(), {}, 0, false, {}};
    });
    m_provider.route("/jwks", [this](const StandInRequest &) {
        const QJsonObject jwks{{QStringLiteral("keys"), QJsonArray{m_idKey.publicJwk()}}};
        return StandInReply{200, QJsonDocument(jwks).toJson(), "public, max-age=3600", 0, false,
                            {}};
    });

    m_server = startServer(baseConfig(QStringLiteral("latchkey_api")));
    QVERIFY(m_server);
    m_port = m_server->port();
}

void TestApi::cleanupTestCase()
{
    m_server.reset();
}

QByteArray TestApi::googleAccessToken(const QString &subject, const QString &email,
                                      const QString &aud, bool verified, qint64 expiresIn)
{
    const QByteArray token = "ya29.test-" + QByteArray::number(++m_serial);
    const qint64 exp = QDateTime::currentSecsSinceEpoch() + expiresIn;
    m_tokenInfo.insert(
        token, QJsonObject{{QStringLiteral("aud"), aud},
                           {QStringLiteral("azp"), aud},
                           {QStringLiteral("sub"), subject},
                           {QStringLiteral("email"), email},
                           {QStringLiteral("email_verified"),
                            verified ? QStringLiteral("true") : QStringLiteral("false")},
                           {QStringLiteral("exp"), QString::number(exp)},
                           {QStringLiteral("scope"), QStringLiteral("openid email profile")}});
    return token;
}

QByteArray TestApi::idToken(QJsonObject overrides, const jwt::Key *key)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject claims{
        {QStringLiteral("iss"), QStringLiteral("https://issuer.test")},
        {QStringLiteral("aud"), QStringLiteral("client-b")},
        {QStringLiteral("sub"), QStringLiteral("id-subject-%1").arg(++m_serial)},
        {QStringLiteral("email"), QStringLiteral("idtoken%1@example.com").arg(m_serial)},
        {QStringLiteral("email_verified"), true},
        {QStringLiteral("name"), QStringLiteral("Id Token")},
        {QStringLiteral("iat"), now},
        {QStringLiteral("exp"), now + 3600}};
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        claims.insert(it.key(), it.value());
    return jwt::sign(claims, key ? *key : m_idKey);
}

TestResponse TestApi::login(const QString &subject, const QString &email)
{
    const QString address = email.isEmpty() ? subject + QStringLiteral("@example.com") : email;
    return postJsonOnce(m_port, "/api/login",
                        {{QStringLiteral("access_token"),
                          QString::fromLatin1(googleAccessToken(subject, address))}});
}

TestResponse TestApi::refresh(const QString &refreshToken)
{
    return postJsonOnce(m_port, "/api/refresh", {{QStringLiteral("refresh_token"), refreshToken}});
}

void TestApi::checkError(const TestResponse &r, int status, const char *code)
{
    QCOMPARE(r.status, status);
    const QJsonObject body = r.json();
    QCOMPARE(body.value(QLatin1StringView("status")).toString(), QStringLiteral("error"));
    QCOMPARE(body.value(QLatin1StringView("code")).toString(), QString::fromLatin1(code));
    QVERIFY(!body.value(QLatin1StringView("message")).toString().isEmpty());
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
}

void TestApi::fullSequence()
{
    const TestResponse first =
        login(QStringLiteral("seq-user"), QStringLiteral("seq.user@example.com"));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().value(QLatin1StringView("status")).toString(), QStringLiteral("success"));
    QCOMPARE(first.json().value(QLatin1StringView("expires_in")).toInt(), 3600);
    const qint64 id = first.json()
                          .value(QLatin1StringView("user"))
                          .toObject()
                          .value(QLatin1StringView("id"))
                          .toInteger();
    QVERIFY(id > 0);

    const TestResponse refreshed = refresh(refreshOf(first));
    QCOMPARE(refreshed.status, 200);
    QVERIFY(refreshOf(refreshed) != refreshOf(first));
    QVERIFY(!accessOf(refreshed).isEmpty());
    QCOMPARE(refreshed.json()
                 .value(QLatin1StringView("user"))
                 .toObject()
                 .value(QLatin1StringView("id"))
                 .toInteger(),
             id);

    TestClient client(m_port);
    const QString newName = QStringLiteral("Seq_Player.%1").arg(m_driver);
    const TestResponse renamed = client.postJson(
        "/api/update_username", {{QStringLiteral("new_username"), newName}}, accessOf(refreshed));
    QCOMPARE(renamed.status, 200);
    QCOMPARE(renamed.json()
                 .value(QLatin1StringView("user"))
                 .toObject()
                 .value(QLatin1StringView("name"))
                 .toString(),
             newName);

    const TestResponse me = client.get("/api/me", accessOf(refreshed));
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json()
                 .value(QLatin1StringView("user"))
                 .toObject()
                 .value(QLatin1StringView("name"))
                 .toString(),
             newName);

    const TestResponse out = client.request("POST", "/api/logout", {},
                                            {{"Authorization", "Bearer " + accessOf(refreshed)}});
    QCOMPARE(out.status, 200);
    QCOMPARE(out.json().value(QLatin1StringView("status")).toString(), QStringLiteral("success"));

    // The JWT has not expired, but its session has: logout takes effect at once.
    const TestResponse after = client.get("/api/me", accessOf(refreshed));
    checkError(after, 401, "invalid_token");
    QCOMPARE(after.header("www-authenticate"), QByteArray("Bearer error=\"invalid_token\""));
    checkError(refresh(refreshOf(refreshed)), 401, "invalid_refresh_token");
}

void TestApi::userJsonShape()
{
    const TestResponse r = login(QStringLiteral("shape-user"));
    QCOMPARE(r.status, 200);
    const QJsonObject user = r.json().value(QLatin1StringView("user")).toObject();
    const QStringList keys{QStringLiteral("id"),         QStringLiteral("email"),
                           QStringLiteral("name"),       QStringLiteral("picture"),
                           QStringLiteral("stars"),      QStringLiteral("level"),
                           QStringLiteral("created_at"), QStringLiteral("last_login")};
    for (const QString &key : keys)
        QVERIFY2(user.contains(key), qPrintable(key));
    QVERIFY(user.value(QLatin1StringView("id")).isDouble());
    QVERIFY(user.value(QLatin1StringView("stars")).isDouble());
    QVERIFY(user.value(QLatin1StringView("level")).isDouble());
    QCOMPARE(user.value(QLatin1StringView("email")).toString(),
             QStringLiteral("shape-user@example.com"));
    const QDateTime created = QDateTime::fromString(
        user.value(QLatin1StringView("created_at")).toString(), Qt::ISODateWithMs);
    QVERIFY(created.isValid());
    QVERIFY(qAbs(created.secsTo(QDateTime::currentDateTimeUtc())) < 60);
    QVERIFY(QDateTime::fromString(user.value(QLatin1StringView("last_login")).toString(),
                                  Qt::ISODateWithMs)
                .isValid());
    // The access token carries what seed clients read.
    const QList<QByteArray> parts = accessOf(r).split('.');
    QCOMPARE(parts.size(), 3);
    const QJsonObject claims =
        QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding))
            .object();
    QCOMPARE(claims.value(QLatin1StringView("user_id")).toInteger(),
             user.value(QLatin1StringView("id")).toInteger());
    QCOMPARE(claims.value(QLatin1StringView("typ")).toString(), QStringLiteral("access"));
}

void TestApi::firstLoginNamesFromEmail()
{
    const QString email = QStringLiteral("maria.lopez@example.com");
    const TestResponse a = login(QStringLiteral("maria-1"), email);
    const TestResponse b = login(QStringLiteral("maria-2"), email);
    QCOMPARE(a.status, 200);
    QCOMPARE(b.status, 200);
    const QString nameA = a.json()
                              .value(QLatin1StringView("user"))
                              .toObject()
                              .value(QLatin1StringView("name"))
                              .toString();
    const QString nameB = b.json()
                              .value(QLatin1StringView("user"))
                              .toObject()
                              .value(QLatin1StringView("name"))
                              .toString();
    QCOMPARE(nameA, username::fromEmail(email));
    QVERIFY(nameB != nameA);
    QVERIFY(nameB.startsWith(nameA));
    QVERIFY(username::normalize(nameB).ok());
}

void TestApi::secondDeviceKeepsFirstSession()
{
    const TestResponse device1 = login(QStringLiteral("two-devices"));
    const TestResponse device2 = login(QStringLiteral("two-devices"));
    QCOMPARE(device1.status, 200);
    QCOMPARE(device2.status, 200);
    const auto idOf = [](const TestResponse &r) {
        return r.json()
            .value(QLatin1StringView("user"))
            .toObject()
            .value(QLatin1StringView("id"))
            .toInteger();
    };
    QCOMPARE(idOf(device1), idOf(device2));
    TestClient client(m_port);
    QCOMPARE(client.get("/api/me", accessOf(device1)).status, 200);
    QCOMPARE(client.get("/api/me", accessOf(device2)).status, 200);
    QCOMPARE(refresh(refreshOf(device1)).status, 200);
    QCOMPARE(refresh(refreshOf(device2)).status, 200);
}

void TestApi::sessionsPerUserBounded()
{
    // max_sessions_per_user is 3 here: a fourth device login ends the oldest session.
    QList<TestResponse> logins;
    for (int i = 0; i < 4; ++i) {
        logins.append(login(QStringLiteral("many-devices")));
        QCOMPARE(logins.last().status, 200);
    }
    checkError(refresh(refreshOf(logins[0])), 401, "invalid_refresh_token");
    for (int i = 1; i < 4; ++i)
        QCOMPARE(refresh(refreshOf(logins[i])).status, 200);
}

void TestApi::idTokenLogin_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("status");
    QTest::newRow("good") << "good" << 200;
    QTest::newRow("bad signature") << "badsig" << 401;
    QTest::newRow("wrong iss") << "iss" << 401;
    QTest::newRow("wrong aud") << "aud" << 401;
    QTest::newRow("expired") << "expired" << 401;
    QTest::newRow("unknown kid") << "kid" << 401;
    QTest::newRow("alg none") << "none" << 401;
    QTest::newRow("email not verified") << "unverified" << 401;
    QTest::newRow("not a jwt") << "garbage" << 401;
}

void TestApi::idTokenLogin()
{
    QFETCH(QString, kind);
    QFETCH(int, status);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QByteArray token;
    if (kind == QLatin1StringView("good")) {
        token = idToken();
    } else if (kind == QLatin1StringView("badsig")) {
        jwt::Key other = jwt::Key::generate(jwt::Algorithm::RS256);
        other.setKeyId(m_idKey.keyId()); // same kid, different key
        token = idToken({}, &other);
    } else if (kind == QLatin1StringView("iss")) {
        token = idToken({{QStringLiteral("iss"), QStringLiteral("https://evil.test")}});
    } else if (kind == QLatin1StringView("aud")) {
        token = idToken({{QStringLiteral("aud"), QStringLiteral("another-app")}});
    } else if (kind == QLatin1StringView("expired")) {
        token = idToken({{QStringLiteral("exp"), now - 3600}, {QStringLiteral("iat"), now - 7200}});
    } else if (kind == QLatin1StringView("kid")) {
        jwt::Key other = jwt::Key::generate(jwt::Algorithm::RS256);
        other.setKeyId(QStringLiteral("unknown-kid"));
        token = idToken({}, &other);
    } else if (kind == QLatin1StringView("none")) {
        const QByteArray good = idToken();
        token = QByteArray("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.") + good.split('.')[1] + '.';
    } else if (kind == QLatin1StringView("unverified")) {
        token = idToken({{QStringLiteral("email_verified"), false}});
    } else {
        token = "not-a-jwt";
    }
    const TestResponse r = postJsonOnce(m_port, "/api/login",
                                        {{QStringLiteral("id_token"), QString::fromLatin1(token)},
                                         {QStringLiteral("provider"), QStringLiteral("google")}});
    if (status == 200) {
        QCOMPARE(r.status, 200);
        QVERIFY(r.json()
                    .value(QLatin1StringView("user"))
                    .toObject()
                    .value(QLatin1StringView("email"))
                    .toString()
                    .startsWith(QLatin1StringView("idtoken")));
    } else {
        checkError(r, status, "invalid_provider_token");
    }
}

void TestApi::idTokenKeysAreCached()
{
    const int before = m_provider.hits("/jwks");
    for (int i = 0; i < 3; ++i)
        QCOMPARE(postJsonOnce(m_port, "/api/login",
                              {{QStringLiteral("id_token"), QString::fromLatin1(idToken())}})
                     .status,
                 200);
    // Each worker fetches once and then serves from its cache (max-age=3600).
    QVERIFY2(m_provider.hits("/jwks") - before <= 0 || before == 0,
             "JWKS fetched again within max-age");
    QVERIFY(m_provider.hits("/jwks") <=
            2 + 2); // ≤ one per worker, plus one unknown-kid refetch each
}

// Google's JWKS cannot be fetched: the failure is remembered for a few seconds and shared by
// the workers, instead of every ID-token sign-in on every worker asking again (each waiting
// for the provider's timeout).
void TestApi::keyFetchFailureRemembered()
{
    m_provider.route("/jwks-down", [](const StandInRequest &) {
        return StandInReply{500, "{}", {}, 0, false, {}};
    });
    Config config = baseConfig(QStringLiteral("latchkey_api_jwks_down"));
    config.google.jwksUrl = m_provider.url(QStringLiteral("/jwks-down"));
    const std::unique_ptr<LatchkeyServer> server = startServer(config);
    QVERIFY(server);
    const QJsonObject login{{QStringLiteral("id_token"), QString::fromLatin1(idToken())}};
    for (int i = 0; i < 4; ++i) // on fresh connections: both workers serve some of them
        checkError(postJsonOnce(server->port(), "/api/login", login), 503, "provider_unavailable");
    QCOMPARE(m_provider.hits("/jwks-down"), 1);
    m_offsetMs = m_offsetMs.load() + (KeySet::failureHoldSecs + 1) * 1000;
    checkError(postJsonOnce(server->port(), "/api/login", login), 503, "provider_unavailable");
    QCOMPARE(m_provider.hits("/jwks-down"), 2); // asked again once the failure is old
}

// A token with an unknown kid makes the server ask for the keys again; when that fetch fails,
// the keys it already holds (still within their max-age) keep serving everyone else.
void TestApi::cachedKeysServeWhileRefetchFails()
{
    int served = 0;
    m_provider.route("/jwks-flaky", [this, &served](const StandInRequest &) {
        if (served++ > 0)
            return StandInReply{500, "{}", {}, 0, false, {}};
        const QJsonObject jwks{{QStringLiteral("keys"), QJsonArray{m_idKey.publicJwk()}}};
        return StandInReply{200, QJsonDocument(jwks).toJson(), "public, max-age=3600", 0, false,
                            {}};
    });
    Config config = baseConfig(QStringLiteral("latchkey_api_jwks_flaky"));
    config.google.jwksUrl = m_provider.url(QStringLiteral("/jwks-flaky"));
    const std::unique_ptr<LatchkeyServer> server = startServer(config);
    QVERIFY(server);
    const auto loginWith = [&](const QByteArray &token) {
        return postJsonOnce(server->port(), "/api/login",
                            {{QStringLiteral("id_token"), QString::fromLatin1(token)}});
    };
    QCOMPARE(loginWith(idToken()).status, 200);
    m_offsetMs = m_offsetMs.load() + 61 * 1000; // past the unknown-kid refetch interval
    jwt::Key stranger = jwt::Key::generate(jwt::Algorithm::RS256);
    stranger.setKeyId(QStringLiteral("rotated-in"));
    checkError(loginWith(idToken({}, &stranger)), 503, "provider_unavailable");
    QCOMPARE(m_provider.hits("/jwks-flaky"), 2);
    QCOMPARE(loginWith(idToken()).status, 200);
    QCOMPARE(m_provider.hits("/jwks-flaky"), 2);
}

void TestApi::accessTokenChecks_data()
{
    QTest::addColumn<QString>("aud");
    QTest::addColumn<bool>("verified");
    QTest::addColumn<qint64>("expiresIn");
    QTest::addColumn<int>("status");
    QTest::newRow("ours") << "client-a" << true << qint64(3600) << 200;
    QTest::newRow("second client id") << "client-b" << true << qint64(3600) << 200;
    QTest::newRow("foreign audience") << "someone-elses-app" << true << qint64(3600) << 401;
    QTest::newRow("email not verified") << "client-a" << false << qint64(3600) << 401;
    QTest::newRow("expired") << "client-a" << true << qint64(-10) << 401;
}

void TestApi::accessTokenChecks()
{
    QFETCH(QString, aud);
    QFETCH(bool, verified);
    QFETCH(qint64, expiresIn);
    QFETCH(int, status);
    const int serial = ++m_serial;
    const QByteArray token =
        googleAccessToken(QStringLiteral("at-%1").arg(serial),
                          QStringLiteral("at%1@example.com").arg(serial), aud, verified, expiresIn);
    const TestResponse r = postJsonOnce(
        m_port, "/api/login", {{QStringLiteral("access_token"), QString::fromLatin1(token)}});
    if (status == 200)
        QCOMPARE(r.status, 200);
    else
        checkError(r, status, "invalid_provider_token");
    // The token travels as Google documents it (tokeninfo's access_token parameter), in a
    // POST form body: never in the URL (access logs), never as a Bearer header (which
    // tokeninfo does not read).
    const StandInRequest last = m_provider.requests().last();
    QCOMPARE(last.method, "POST");
    QVERIFY(last.contentType.startsWith("application/x-www-form-urlencoded"));
    QCOMPARE(last.body, "access_token=" + token);
    QVERIFY(last.authorization.isEmpty());
    QVERIFY(!last.query.contains(token));
}

void TestApi::refreshRotates()
{
    const TestResponse a = login(QStringLiteral("rotator"));
    const TestResponse b = refresh(refreshOf(a));
    const TestResponse c = refresh(refreshOf(b));
    QCOMPARE(b.status, 200);
    QCOMPARE(c.status, 200);
    QVERIFY(refreshOf(a) != refreshOf(b));
    QVERIFY(refreshOf(b) != refreshOf(c));
    TestClient client(m_port);
    QCOMPARE(client.get("/api/me", accessOf(c)).status, 200);
}

void TestApi::refreshRetryInsideGraceWindow()
{
    const TestResponse a = login(QStringLiteral("retrier"));
    const TestResponse b = refresh(refreshOf(a));
    QCOMPARE(b.status, 200);
    // The answer to b was "lost": the client retries a inside the grace window.
    m_offsetMs = 5000;
    const TestResponse retry = refresh(refreshOf(a));
    QCOMPARE(retry.status, 200);
    QCOMPARE(refreshOf(retry), refreshOf(b));
    QCOMPARE(refresh(refreshOf(b)).status, 200);
}

void TestApi::refreshReuseRevokesSession()
{
    const TestResponse a = login(QStringLiteral("victim"));
    const TestResponse b = refresh(refreshOf(a));
    QCOMPARE(b.status, 200);
    m_offsetMs = 11000; // past the 10 s grace window
    checkError(refresh(refreshOf(a)), 401, "invalid_refresh_token");
    // The thief's replay ended the whole session: the legitimate successor is dead too.
    checkError(refresh(refreshOf(b)), 401, "invalid_refresh_token");
    TestClient client(m_port);
    checkError(client.get("/api/me", accessOf(b)), 401, "invalid_token");
}

void TestApi::expiredRefreshRefused()
{
    const TestResponse a = login(QStringLiteral("sleeper"));
    QCOMPARE(a.status, 200);
    m_offsetMs = qint64(31) * 86400 * 1000; // refresh tokens live 30 days
    checkError(refresh(refreshOf(a)), 401, "invalid_refresh_token");
}

void TestApi::concurrentRefreshesOneSuccessor()
{
    const TestResponse a = login(QStringLiteral("racer"));
    QCOMPARE(a.status, 200);
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("refresh_token"), refreshOf(a)}})
            .toJson(QJsonDocument::Compact);
    const QByteArray request = "POST /api/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: "
                               "application/json\r\nContent-Length: " +
                               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 16; ++i) {
        clients.push_back(std::make_unique<TestClient>(m_port));
        QVERIFY(clients.back()->isConnected());
    }
    for (auto &c : clients)
        c->sendRaw(request);
    QSet<QString> successors;
    int ok = 0;
    for (auto &c : clients) {
        const TestResponse r = c->readResponse();
        QVERIFY2(r.status == 200 || r.status == 401, QByteArray::number(r.status).constData());
        if (r.status == 200) {
            ++ok;
            successors.insert(refreshOf(r));
        }
    }
    QVERIFY(ok >= 1);
    QCOMPARE(successors.size(), 1);
    // The one successor works; the presented token is dead once the grace window passes.
    m_offsetMs = 11000;
    const TestResponse next = refresh(*successors.begin());
    QCOMPARE(next.status, 200);
}

void TestApi::usernameConflictIgnoresCase()
{
    const TestResponse one = login(QStringLiteral("name-owner"));
    const TestResponse two = login(QStringLiteral("name-wanter"));
    const QString name = QStringLiteral("Zed.Player_%1").arg(m_driver.left(2));
    TestClient client(m_port);
    QCOMPARE(client
                 .postJson("/api/update_username", {{QStringLiteral("new_username"), name}},
                           accessOf(one))
                 .status,
             200);
    checkError(client.postJson("/api/update_username",
                               {{QStringLiteral("new_username"), name.toLower()}}, accessOf(two)),
               409, "username_taken");
    checkError(
        client.postJson("/api/update_username",
                        {{QStringLiteral("new_username"), QStringLiteral("  ") + name.toUpper()}},
                        accessOf(two)),
        409, "username_taken");
    // NFKC: fullwidth letters are the same name.
    QString fullwidth;
    for (const QChar ch : name)
        fullwidth += (ch >= QLatin1Char('!') && ch <= QLatin1Char('~'))
                         ? QChar(ch.unicode() - 0x21 + 0xFF01)
                         : ch;
    checkError(client.postJson("/api/update_username",
                               {{QStringLiteral("new_username"), fullwidth}}, accessOf(two)),
               409, "username_taken");
    // Names that look the same (UTS #39 skeletons): zero for O, capital I for l.
    const QString lookalike = QString(name).replace(u'o', u'0').replace(u'l', u'I');
    QVERIFY(lookalike != name);
    checkError(client.postJson("/api/update_username",
                               {{QStringLiteral("new_username"), lookalike}}, accessOf(two)),
               409, "username_taken");
    // The owner may change the case of their own name.
    const TestResponse own = client.postJson(
        "/api/update_username", {{QStringLiteral("new_username"), name.toUpper()}}, accessOf(one));
    QCOMPARE(own.status, 200);
    QCOMPARE(own.json()
                 .value(QLatin1StringView("user"))
                 .toObject()
                 .value(QLatin1StringView("name"))
                 .toString(),
             name.toUpper());
}

void TestApi::usernameRules_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("too short") << QJsonValue(QStringLiteral("ab")) << 400 << "invalid_username";
    QTest::newRow("too long") << QJsonValue(QString(33, QLatin1Char('a'))) << 400
                              << "invalid_username";
    QTest::newRow("reserved") << QJsonValue(QStringLiteral("Admin")) << 400 << "invalid_username";
    QTest::newRow("space") << QJsonValue(QStringLiteral("two words")) << 400 << "invalid_username";
    QTest::newRow("newline") << QJsonValue(QStringLiteral("evil\nname")) << 400
                             << "invalid_username";
    QTest::newRow("number") << QJsonValue(42) << 400 << "invalid_field";
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << 400 << "missing_field";
    QTest::newRow("unicode ok") << QJsonValue(QStringLiteral("Zoë_%1").arg(
                                       QDateTime::currentMSecsSinceEpoch() % 100000))
                                << 200 << "";
}

void TestApi::usernameRules()
{
    QFETCH(QJsonValue, value);
    QFETCH(int, status);
    QFETCH(QString, code);
    const TestResponse user =
        login(QStringLiteral("rules-%1").arg(QLatin1StringView(QTest::currentDataTag())));
    TestClient client(m_port);
    const TestResponse r = client.postJson(
        "/api/update_username", {{QStringLiteral("new_username"), value}}, accessOf(user));
    if (status == 200)
        QCOMPARE(r.status, 200);
    else
        checkError(r, status, code.toLatin1().constData());
}

void TestApi::updatePicture_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("https") << QJsonValue(QStringLiteral("https://cdn.example.com/a.png")) << 200
                           << "";
    QTest::newRow("public IPv4") << QJsonValue(QStringLiteral("https://93.184.215.14/a.png")) << 200
                                 << "";
    QTest::newRow("public IPv6") << QJsonValue(QStringLiteral("https://[2001:4860::8888]/a.png"))
                                 << 200 << "";
    QTest::newRow("http") << QJsonValue(QStringLiteral("http://cdn.example.com/a.png")) << 400
                          << "invalid_picture";
    QTest::newRow("javascript") << QJsonValue(QStringLiteral("javascript:alert(1)")) << 400
                                << "invalid_picture";
    QTest::newRow("too long") << QJsonValue(QStringLiteral("https://x.example/") +
                                            QString(2048, QLatin1Char('a')))
                              << 400 << "invalid_picture";
    // Other players' clients fetch it: no user info, nothing hidden.
    const QStringList refused = {
        QStringLiteral("https://user:pass@cdn.example.com/a.png"),
        QStringLiteral("https://google.com@evil.example/a.png"),
        QStringLiteral("https://cdn.example.com/a\u202Egnp.png"),  // right-to-left override
        QStringLiteral("https://cdn.example.com/a\u200B.png"),     // zero-width space
        QStringLiteral("https://cdn.example.com/a\U000E0041.png"), // tag character (plane 14)
        // Hosts inside the fetching player's own machine or network, however spelled.
        QStringLiteral("https://127.0.0.1/a.png"),
        QStringLiteral("https://2130706433/a.png"), // 127.0.0.1 as one number
        QStringLiteral("https://0x7f.1/a.png"),
        QStringLiteral("https://[::1]/a.png"),
        QStringLiteral("https://[::ffff:127.0.0.1]/a.png"),
        QStringLiteral("https://10.1.2.3/a.png"),
        QStringLiteral("https://172.16.0.1/a.png"),
        QStringLiteral("https://192.168.1.1/a.png"),
        QStringLiteral("https://100.64.0.1/a.png"),
        QStringLiteral("https://169.254.169.254/latest/meta-data"),
        QStringLiteral("https://[fe80::1]/a.png"),
        QStringLiteral("https://[fd00::1]/a.png"),
        QStringLiteral("https://0.0.0.0/a.png"),
        QStringLiteral("https://224.0.0.1/a.png"),
    };
    for (const QString &url : refused)
        QTest::newRow(qPrintable(url)) << QJsonValue(url) << 400 << "invalid_picture";
    QTest::newRow("not a string") << QJsonValue(true) << 400 << "invalid_field";
    QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << 400 << "missing_field";
}

void TestApi::updatePicture()
{
    QFETCH(QJsonValue, value);
    QFETCH(int, status);
    QFETCH(QString, code);
    const TestResponse user = login(QStringLiteral("picture-user"));
    TestClient client(m_port);
    QJsonObject body;
    if (!value.isUndefined())
        body.insert(QStringLiteral("new_picture"), value);
    const TestResponse r = client.postJson("/api/update_picture", body, accessOf(user));
    if (status == 200) {
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()
                     .value(QLatin1StringView("user"))
                     .toObject()
                     .value(QLatin1StringView("picture")),
                 value);
    } else {
        checkError(r, status, code.toLatin1().constData());
    }
}

void TestApi::errorStatuses_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("extraHeader");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QByteArray json = "application/json";
    QTest::newRow("400 malformed JSON")
        << QByteArray("POST") << QByteArray("/api/login") << json
        << QByteArray("{\"access_token\":") << QByteArray() << 400 << "invalid_json";
    QTest::newRow("400 not an object")
        << QByteArray("POST") << QByteArray("/api/refresh") << json << QByteArray("[1,2]")
        << QByteArray() << 400 << "invalid_json";
    QTest::newRow("400 empty body") << QByteArray("POST") << QByteArray("/api/refresh") << json
                                    << QByteArray() << QByteArray() << 400 << "invalid_json";
    QTest::newRow("400 missing field")
        << QByteArray("POST") << QByteArray("/api/login") << json << QByteArray("{}")
        << QByteArray() << 400 << "missing_field";
    QTest::newRow("400 wrong type")
        << QByteArray("POST") << QByteArray("/api/refresh") << json
        << QByteArray("{\"refresh_token\":7}") << QByteArray() << 400 << "invalid_field";
    QTest::newRow("400 unknown provider")
        << QByteArray("POST") << QByteArray("/api/login") << json
        << QByteArray("{\"id_token\":\"x\",\"provider\":\"myspace\"}") << QByteArray() << 400
        << "invalid_field";
    QTest::newRow("401 provider refuses") << QByteArray("POST") << QByteArray("/api/login") << json
                                          << QByteArray("{\"access_token\":\"unknown\"}")
                                          << QByteArray() << 401 << "invalid_provider_token";
    QTest::newRow("401 bad refresh token") << QByteArray("POST") << QByteArray("/api/refresh")
                                           << json << QByteArray("{\"refresh_token\":\"AAAA\"}")
                                           << QByteArray() << 401 << "invalid_refresh_token";
    QTest::newRow("401 no bearer") << QByteArray("GET") << QByteArray("/api/me") << QByteArray()
                                   << QByteArray() << QByteArray() << 401 << "invalid_token";
    QTest::newRow("401 bad bearer")
        << QByteArray("GET") << QByteArray("/api/me") << QByteArray() << QByteArray()
        << QByteArray("Authorization: Bearer abc.def.ghi") << 401 << "invalid_token";
    QTest::newRow("401 logout without bearer")
        << QByteArray("POST") << QByteArray("/api/logout") << QByteArray() << QByteArray()
        << QByteArray() << 401 << "invalid_token";
    QTest::newRow("401 rename without bearer")
        << QByteArray("POST") << QByteArray("/api/update_username") << json
        << QByteArray("{\"new_username\":\"abc\"}") << QByteArray() << 401 << "invalid_token";
    QTest::newRow("404") << QByteArray("GET") << QByteArray("/api/nothing") << QByteArray()
                         << QByteArray() << QByteArray() << 404 << "not_found";
    QTest::newRow("405") << QByteArray("GET") << QByteArray("/api/login") << QByteArray()
                         << QByteArray() << QByteArray() << 405 << "method_not_allowed";
    QTest::newRow("413") << QByteArray("POST") << QByteArray("/api/login") << json
                         << QByteArray(70 * 1024, 'x') << QByteArray() << 413
                         << "payload_too_large";
    QTest::newRow("415") << QByteArray("POST") << QByteArray("/api/login")
                         << QByteArray("text/plain") << QByteArray("{}") << QByteArray() << 415
                         << "unsupported_media_type";
    QTest::newRow("431") << QByteArray("GET") << QByteArray("/health") << QByteArray()
                         << QByteArray() << QByteArray("X-Big: " + QByteArray(20 * 1024, 'a'))
                         << 431 << "headers_too_large";
}

void TestApi::errorStatuses()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, extraHeader);
    QFETCH(int, status);
    QFETCH(QString, code);
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!contentType.isEmpty())
        headers.append({"Content-Type", contentType});
    if (!extraHeader.isEmpty())
        headers.append({extraHeader.left(extraHeader.indexOf(':')),
                        extraHeader.mid(extraHeader.indexOf(':') + 2)});
    TestClient client(m_port);
    const TestResponse r = client.request(method, path, body, headers);
    checkError(r, status, code.toLatin1().constData());
    if (status == 405)
        QCOMPARE(r.header("allow"), QByteArray("POST"));
    if (status == 401 && code == QLatin1StringView("invalid_token"))
        QCOMPARE(r.header("www-authenticate"), QByteArray("Bearer error=\"invalid_token\""));
}

void TestApi::providerFailures_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("provider 500") << QByteArray("fail500") << 503 << "provider_unavailable";
    QTest::newRow("provider nonsense") << QByteArray("not-json") << 503 << "provider_unavailable";
    QTest::newRow("provider hangs") << QByteArray("hang") << 504 << "provider_timeout";
    QTest::newRow("provider over quota") << QByteArray("quota429") << 503 << "provider_unavailable";
}

void TestApi::providerFailures()
{
    QFETCH(QByteArray, token);
    QFETCH(int, status);
    QFETCH(QString, code);
    QElapsedTimer timer;
    timer.start();
    const TestResponse r = postJsonOnce(
        m_port, "/api/login", {{QStringLiteral("access_token"), QString::fromLatin1(token)}});
    checkError(r, status, code.toLatin1().constData());
    QVERIFY(timer.elapsed() < 5000); // the provider timeout here is 1 s
}

void TestApi::malformedProviderTokensNeverSent_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("token");
    // A CR/LF in the token would inject headers or a second request into our provider call.
    QTest::newRow("header injection") << "access_token"
                                      << "abc\r\nX-Injected: 1";
    QTest::newRow("request smuggling") << "access_token"
                                       << "x\r\n\r\nGET /tokeninfo HTTP/1.1\r\nHost: x\r\n\r\n";
    QTest::newRow("space") << "access_token"
                           << "two words";
    QTest::newRow("non-ascii") << "access_token"
                               << "ya29.é";
    QTest::newRow("huge") << "access_token" << QString(5000, QLatin1Char('a'));
    QTest::newRow("empty") << "access_token"
                           << "";
    QTest::newRow("id token with newline") << "id_token"
                                           << "eyJ.\neyJ.sig";
}

void TestApi::malformedProviderTokensNeverSent()
{
    QFETCH(QString, field);
    QFETCH(QString, token);
    const int before = m_provider.requests().size();
    const TestResponse r = postJsonOnce(m_port, "/api/login", {{field, token}});
    checkError(r, 401, "invalid_provider_token");
    QCOMPARE(m_provider.requests().size(), before);
}

void TestApi::rateLimitAfterFailures()
{
    Config config = baseConfig(QStringLiteral("latchkey_api_limits"));
    config.security.failedAuthPerMinute = 3;
    const std::unique_ptr<LatchkeyServer> server = startServer(config);
    QVERIFY(server);
    // A player signed in from the same address (behind the same NAT) before the attack.
    const TestResponse player = postJsonOnce(
        server->port(), "/api/login",
        {{QStringLiteral("access_token"),
          QString::fromLatin1(googleAccessToken(QStringLiteral("neighbour"),
                                                QStringLiteral("neighbour@example.com")))}});
    QCOMPARE(player.status, 200);
    const QJsonObject bad{{QStringLiteral("refresh_token"), QStringLiteral("AAAA")}};
    for (int i = 0; i < 3; ++i)
        checkError(postJsonOnce(server->port(), "/api/refresh", bad), 401, "invalid_refresh_token");
    const TestResponse limited = postJsonOnce(server->port(), "/api/refresh", bad);
    checkError(limited, 429, "rate_limited");
    QVERIFY(limited.header("retry-after").toInt() > 0);
    // A refresh token that is ours cannot be a guess: the limit never holds it back.
    const TestResponse refreshed =
        postJsonOnce(server->port(), "/api/refresh",
                     {{QStringLiteral("refresh_token"),
                       player.json().value(QLatin1StringView("refresh_token")).toString()}});
    QCOMPARE(refreshed.status, 200);
    // Logins from that address wait too, even with a good token; a minute later they pass.
    const QByteArray good =
        googleAccessToken(QStringLiteral("limited"), QStringLiteral("limited@example.com"));
    const qsizetype asked = m_provider.requests().size();
    checkError(postJsonOnce(server->port(), "/api/login",
                            {{QStringLiteral("access_token"), QString::fromLatin1(good)}}),
               429, "rate_limited");
    QCOMPARE(m_provider.requests().size(), asked); // refused before any provider call
    m_offsetMs = 61000;
    QCOMPARE(postJsonOnce(server->port(), "/api/login",
                          {{QStringLiteral("access_token"), QString::fromLatin1(good)}})
                 .status,
             200);
}

QMap<int, int> TestApi::concurrentLogins(quint16 port, const QByteArray &accessToken, int count)
{
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("access_token"),
                                                       QString::fromLatin1(accessToken)}})
                                .toJson(QJsonDocument::Compact);
    const QByteArray request = "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                               "application/json\r\nContent-Length: " +
                               QByteArray::number(body.size()) + "\r\n\r\n" + body;
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < count; ++i)
        clients.push_back(std::make_unique<TestClient>(port));
    for (auto &c : clients)
        c->sendRaw(request);
    QMap<int, int> statuses; // status → how many
    for (auto &c : clients)
        ++statuses[c->readResponse().status];
    return statuses;
}

qsizetype TestApi::providerRequestsWith(const QByteArray &accessToken) const
{
    const QList<StandInRequest> all = m_provider.requests();
    return std::count_if(all.begin(), all.end(), [&](const StandInRequest &r) {
        return r.param("access_token") == accessToken;
    });
}

// 120 concurrent guesses from one address used to reach the provider 103 times: failures
// were counted when they came back. A sign-in now counts from before its provider call.
void TestApi::concurrentGuessesCountWhileInProgress()
{
    Config config = baseConfig(QStringLiteral("latchkey_api_inprogress"));
    config.security.failedAuthPerMinute = 10;
    const std::unique_ptr<LatchkeyServer> server = startServer(config);
    QVERIFY(server);
    const QByteArray guess = "slow-bad-300";
    const QMap<int, int> statuses = concurrentLogins(server->port(), guess, 40);
    QCOMPARE(statuses.value(401), 10);
    QCOMPARE(statuses.value(429), 30);
    QCOMPARE(providerRequestsWith(guess), 10);
}

// One address gets security.provider_calls_per_address calls at once, as many again wait in
// its queue, the rest are 429 at once; the ones that waited are checked in turn.
void TestApi::providerCallsPerAddressCapped()
{
    Config config = baseConfig(QStringLiteral("latchkey_api_callcap"));
    config.security.providerCallsPerAddress = 2;
    config.security.providerQueuePerAddress = 4;
    config.google.timeoutMs = 5000; // the stand-in takes 1 s
    const std::unique_ptr<LatchkeyServer> server = startServer(config);
    QVERIFY(server);
    const QByteArray token = "slow-bad-1000"; // all twelve arrive while the first two wait
    const QMap<int, int> statuses = concurrentLogins(server->port(), token, 12);
    QCOMPARE(statuses.value(429), 6);
    QCOMPARE(statuses.value(401), 6);
    QCOMPARE(providerRequestsWith(token), 6);
}

void TestApi::databaseUnavailable()
{
    if (m_driver != QLatin1StringView("postgres"))
        QSKIP("the database going away is tested against PostgreSQL");
    Config config = baseConfig(QStringLiteral("latchkey_api_outage"));
    const std::unique_ptr<LatchkeyServer> server = startServer(config);
    QVERIFY(server);
    const TestResponse before =
        postJsonOnce(server->port(), "/api/login",
                     {{QStringLiteral("access_token"),
                       QString::fromLatin1(googleAccessToken(
                           QStringLiteral("outage"), QStringLiteral("outage@example.com")))}});
    QCOMPARE(before.status, 200);
    QCOMPARE(pgExec(*m_pg, QStringLiteral("postgres"),
                    QStringLiteral("ALTER DATABASE latchkey_api_outage ALLOW_CONNECTIONS false")),
             QString());
    QCOMPARE(pgExec(*m_pg, QStringLiteral("postgres"),
                    QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                   "datname = 'latchkey_api_outage'")),
             QString());
    TestClient client(server->port());
    checkError(client.get("/health/ready"), 503, "database_unavailable");
    checkError(client.get("/api/me", accessOf(before)), 503, "database_unavailable");
    QCOMPARE(client.get("/health").status, 200); // liveness does not depend on the database
    QCOMPARE(pgExec(*m_pg, QStringLiteral("postgres"),
                    QStringLiteral("ALTER DATABASE latchkey_api_outage ALLOW_CONNECTIONS true")),
             QString());
    // The workers reconnect by themselves.
    QTRY_COMPARE_WITH_TIMEOUT(TestClient(server->port()).get("/health/ready").status, 200, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(TestClient(server->port()).get("/api/me", accessOf(before)).status,
                              200, 10000);
}

void TestApi::internalErrorHidesDetails()
{
    const Config config = baseConfig(QStringLiteral("latchkey_api_broken"));
    const std::unique_ptr<LatchkeyServer> server = startServer(config);
    QVERIFY(server);
    const TestResponse user =
        postJsonOnce(server->port(), "/api/login",
                     {{QStringLiteral("access_token"),
                       QString::fromLatin1(googleAccessToken(
                           QStringLiteral("broken"), QStringLiteral("broken@example.com")))}});
    QCOMPARE(user.status, 200);
    // Break the schema under the running server: its statements now fail.
    const QString rename = QStringLiteral("ALTER TABLE users RENAME COLUMN stars TO stars_gone");
    if (m_driver == QLatin1StringView("postgres")) {
        QCOMPARE(pgExec(*m_pg, QStringLiteral("latchkey_api_broken"), rename), QString());
    } else {
        {
            QSqlDatabase db =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("breaker"));
            db.setDatabaseName(config.database.sqlitePath);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(rename));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("breaker"));
    }
    TestClient client(server->port());
    const TestResponse r = client.get("/api/me", accessOf(user));
    checkError(r, 500, "internal_error");
    QCOMPARE(r.json().value(QLatin1StringView("message")).toString(),
             QStringLiteral("internal error"));
    QVERIFY(!r.body.contains("stars") && !r.body.contains("SELECT") &&
            !r.body.toLower().contains("sql"));
}

void TestApi::loginLogRecordsEventsAndResistsForgery()
{
    // An e-mail with a newline (a hostile provider) and a rename with one (refused).
    const TestResponse user =
        login(QStringLiteral("log-user"),
              QStringLiteral("evil\n2026-01-01T00:00:00.000Z login ip=6.6.6.6@example.com"));
    QCOMPARE(user.status, 200);
    const TestResponse next = refresh(refreshOf(user));
    QCOMPARE(next.status, 200);
    TestClient client(m_port);
    QCOMPARE(client
                 .postJson("/api/update_username",
                           {{QStringLiteral("new_username"),
                             QStringLiteral("x\n2026-01-01T00:00:00.000Z login ip=6.6.6.6")}},
                           accessOf(next))
                 .status,
             400);
    QCOMPARE(
        client
            .postJson("/api/update_username",
                      {{QStringLiteral("new_username"), QStringLiteral("logged_%1").arg(m_driver)}},
                      accessOf(next))
            .status,
        200);
    QCOMPARE(
        client.request("POST", "/api/logout", {}, {{"Authorization", "Bearer " + accessOf(next)}})
            .status,
        200);
    QCOMPARE(postJsonOnce(m_port, "/api/login",
                          {{QStringLiteral("access_token"), QStringLiteral("unknown")}})
                 .status,
             401);

    QFile file(m_server->config().server.logDir + QStringLiteral("/login.log"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    static const QRegularExpression shape(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z [a-z_]+ ip=\\S+"));
    QSet<QByteArray> events;
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        QVERIFY2(shape.match(QString::fromUtf8(line)).hasMatch(), line.constData());
        // The forged text may appear inside a quoted value, never as a line of its own.
        QVERIFY2(!line.startsWith("2026-01-01"), line.constData());
        QCOMPARE(line.split(' ').value(2), QByteArray("ip=127.0.0.1"));
        events.insert(line.split(' ').value(1));
        QVERIFY(!line.contains("ya29.") && !line.contains("eyJ")); // no tokens
    }
    for (const char *event :
         {"new_user", "login", "refresh", "username_change", "logout", "login_failed"})
        QVERIFY2(events.contains(event), event);
}

void TestApi::privateFilesAreOwnerOnly()
{
    // Players' e-mails (SQLite file, its WAL) and the login log: readable by the owner only.
    QStringList files{m_server->config().server.logDir + QStringLiteral("/login.log")};
    if (m_driver == QLatin1StringView("sqlite")) {
        const QString db = m_server->config().database.sqlitePath;
        files << db << db + QStringLiteral("-wal");
    }
    for (const QString &file : files) {
        QVERIFY2(QFile::exists(file), qPrintable(file));
        QCOMPARE(QFile::permissions(file) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
}

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"
