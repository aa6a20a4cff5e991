// SessionService and SignInService without HTTP, on SQLite and PostgreSQL: the rotation
// policy (grace window, reuse), the Bearer check, logout, and how a sign-in ends.
#include "auth/sessionservice.h"
#include "auth/signinservice.h"
#include "db/migrator.h"
#include "db/storage.h"

#include "pgfixture.h"
#include "testserverconfig.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace latchkey;

namespace {
ExternalIdentity alice()
{
    return {QStringLiteral("google"), QStringLiteral("sub-alice"),
            QStringLiteral("alice@example.com"), QStringLiteral("Alice"), QString()};
}
} // namespace

class TestSessions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void signInCreatesThenFindsTheUser();
    void refusedProviderTokenCountsAsFailure_data();
    void refusedProviderTokenCountsAsFailure();
    void refreshRotatesOneStep();
    void retryInsideGraceGetsTheCurrentStep();
    void retryAfterGraceEndsTheSession();
    void olderTokenEndsTheSession();
    void malformedRefreshTokenIsRefusedAndCounted();
    void limitSparesTokensThatAreOurs();
    void authenticateNeedsALiveSession();
    void logoutEndsOnlyThatSession();
    void oldestSessionsEndPastTheLimit();

private:
    IssuedSession signIn(const ExternalIdentity &identity = alice());
    QString logText() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    Config m_config;
    qint64 m_nowMs = 1'800'000'000'000;
    ClientInfo m_client{QHostAddress(QStringLiteral("192.0.2.10")), QStringLiteral("tst_sessions")};
    std::unique_ptr<TokenIssuer> m_tokens;
    std::unique_ptr<LoginLog> m_file;
    std::unique_ptr<FailureLimiter> m_limiter;
    std::unique_ptr<Storage> m_storage;
    std::unique_ptr<AuditLog> m_log;
    std::unique_ptr<SessionService> m_sessions;
    std::unique_ptr<ProviderTokens> m_providerTokens; //!< no keys: keeps nothing
    std::unique_ptr<SignInService> m_signIn;
};

void TestSessions::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    const bool pg = qgetenv("LATCHKEY_TEST_DRIVER") == "postgres";
    const QString name = QStringLiteral("sessions_%1")
                             .arg(QString::fromLatin1(QTest::currentTestFunction()))
                             .toLower();
    m_config = test::testServerConfig(*m_dir, name, pg ? test::pgServer() : std::nullopt);
    m_config.security.maxSessionsPerUser = 3;
    m_config.security.refreshGraceSeconds = 10;
    m_config.security.failedAuthPerMinute = 100;
    const Clock clock = [this] { return m_nowMs; };
    m_tokens = std::make_unique<TokenIssuer>(m_config.security);
    m_file =
        std::make_unique<LoginLog>(m_config.server.logDir + QStringLiteral("/login.log"), false);
    m_limiter = std::make_unique<FailureLimiter>(m_config.security.failedAuthPerMinute);
    m_storage = std::make_unique<Storage>(m_config.database, QStringLiteral("tst-sessions"), clock);
    QVERIFY(m_storage->isAvailable());
    const Result<QStringList> migrated = Migrator(m_storage->database()).migrate();
    QVERIFY2(migrated.ok(), qPrintable(migrated ? QString() : migrated.error().message));
    m_log = std::make_unique<AuditLog>(*m_file, *m_storage, 0, clock);
    m_sessions = std::make_unique<SessionService>(*m_tokens, m_config.security, *m_storage, *m_log,
                                                  *m_limiter, clock);
    m_providerTokens = std::make_unique<ProviderTokens>(
        *m_storage, *m_log, std::vector<Config::Security::TokenKey>{}, clock);
    m_signIn = std::make_unique<SignInService>(*m_sessions, *m_storage, *m_log, *m_limiter,
                                               *m_providerTokens, Config::Guest{}, clock);
}

void TestSessions::cleanup()
{
    m_signIn.reset();
    m_providerTokens.reset();
    m_sessions.reset();
    m_log.reset();
    m_storage.reset();
}

IssuedSession TestSessions::signIn(const ExternalIdentity &identity)
{
    const Result<IssuedSession> session = m_signIn->finish(identity, m_client, u"google");
    if (!session)
        qWarning() << "sign-in failed:" << session.error().message;
    return session ? *session : IssuedSession{};
}

QString TestSessions::logText() const
{
    QFile file(m_config.server.logDir + QStringLiteral("/login.log"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

void TestSessions::signInCreatesThenFindsTheUser()
{
    const IssuedSession first = signIn();
    QVERIFY(first.user.id > 0);
    QCOMPARE(first.user.name, QStringLiteral("alice"));
    QVERIFY(!first.accessToken.isEmpty() && !first.refreshToken.isEmpty());
    QCOMPARE(first.expiresIn, m_tokens->accessTokenLifetimeSecs());
    QCOMPARE(logText().count(QStringLiteral(" new_user ")), 1);

    m_nowMs += 5000;
    const IssuedSession second = signIn();
    QCOMPARE(second.user.id, first.user.id);
    QVERIFY(second.sessionId != first.sessionId); // a second device
    QCOMPARE(logText().count(QStringLiteral(" new_user ")), 1);
    QCOMPARE(logText().count(QStringLiteral(" login ")), 2);

    // Another identity with the same base name gets a name of its own.
    const IssuedSession other = signIn({QStringLiteral("google"), QStringLiteral("sub-other"),
                                        QStringLiteral("alice@example.org"), QString(), QString()});
    QVERIFY(other.user.id != first.user.id);
    QVERIFY(other.user.name.startsWith(QStringLiteral("alice")));
    QVERIFY(other.user.name != QStringLiteral("alice"));
}

void TestSessions::refusedProviderTokenCountsAsFailure_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("counts");
    QTest::newRow("refused token") << int(ErrorCode::InvalidProviderToken) << true;
    QTest::newRow("provider down") << int(ErrorCode::ProviderUnavailable) << false;
    QTest::newRow("provider slow") << int(ErrorCode::ProviderTimeout) << false;
}

void TestSessions::refusedProviderTokenCountsAsFailure()
{
    QFETCH(int, code);
    QFETCH(bool, counts);
    FailureLimiter one(1);
    SignInService signIn(*m_sessions, *m_storage, *m_log, one, *m_providerTokens, Config::Guest{},
                         [this] { return m_nowMs; });
    const Error error{ErrorCode(code), QStringLiteral("no")};
    const Result<IssuedSession> session = signIn.finish(error, m_client, u"google");
    QVERIFY(!session);
    QCOMPARE(session.error().code, ErrorCode(code));
    QCOMPARE(!one.beginSignIn(m_storage->failures(), m_client.address, m_nowMs), counts);
    QVERIFY(logText().contains(QStringLiteral(" login_failed ")));
}

void TestSessions::refreshRotatesOneStep()
{
    const IssuedSession first = signIn();
    m_nowMs += 1000;
    const Result<IssuedSession> next = m_sessions->refresh(first.refreshToken, m_client);
    QVERIFY(next.ok());
    QCOMPARE(next->sessionId, first.sessionId);
    QCOMPARE(next->user.id, first.user.id);
    QVERIFY(next->refreshToken != first.refreshToken);
    const Result<RefreshClaims> claims = m_tokens->verifyRefreshToken(next->refreshToken);
    QVERIFY(claims.ok());
    QCOMPARE(claims->counter, 1);
    QVERIFY(m_sessions->refresh(next->refreshToken, m_client).ok());
}

void TestSessions::retryInsideGraceGetsTheCurrentStep()
{
    const IssuedSession first = signIn();
    const Result<IssuedSession> next = m_sessions->refresh(first.refreshToken, m_client);
    QVERIFY(next.ok());
    m_nowMs += 9000; // inside refresh_grace_seconds: a client that lost the answer
    const Result<IssuedSession> retried = m_sessions->refresh(first.refreshToken, m_client);
    QVERIFY(retried.ok());
    QCOMPARE(retried->refreshToken, next->refreshToken);
    QVERIFY(m_sessions->refresh(next->refreshToken, m_client).ok()); // the session lives on
}

void TestSessions::retryAfterGraceEndsTheSession()
{
    const IssuedSession first = signIn();
    const Result<IssuedSession> next = m_sessions->refresh(first.refreshToken, m_client);
    QVERIFY(next.ok());
    m_nowMs += 11000;
    const Result<IssuedSession> replay = m_sessions->refresh(first.refreshToken, m_client);
    QVERIFY(!replay);
    QCOMPARE(replay.error().code, ErrorCode::InvalidRefreshToken);
    QVERIFY(replay.error().message.contains(QStringLiteral("already used")));
    QVERIFY(logText().contains(QStringLiteral(" refresh_reuse ")));
    // The whole session ended: the legitimate holder's token is refused too.
    QVERIFY(!m_sessions->refresh(next->refreshToken, m_client));
    QCOMPARE(m_sessions->authenticate(next->accessToken).error().code, ErrorCode::InvalidToken);
}

void TestSessions::olderTokenEndsTheSession()
{
    const IssuedSession first = signIn();
    const Result<IssuedSession> second = m_sessions->refresh(first.refreshToken, m_client);
    const Result<IssuedSession> third = m_sessions->refresh(second->refreshToken, m_client);
    QVERIFY(third.ok());
    // Two steps behind, even inside the grace window: a stolen token.
    const Result<IssuedSession> replay = m_sessions->refresh(first.refreshToken, m_client);
    QVERIFY(!replay);
    QVERIFY(!m_sessions->refresh(third->refreshToken, m_client));
}

void TestSessions::malformedRefreshTokenIsRefusedAndCounted()
{
    FailureLimiter one(1);
    SessionService sessions(*m_tokens, m_config.security, *m_storage, *m_log, one,
                            [this] { return m_nowMs; });
    const Result<IssuedSession> refused = sessions.refresh("not-a-token", m_client);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidRefreshToken);
    QVERIFY(!one.beginSignIn(m_storage->failures(), m_client.address, m_nowMs));
    QVERIFY(logText().contains(QStringLiteral(" refresh_failed ")));
}

// An address over the failure limit (one attacker behind a NAT): guesses wait, the players
// who share the address keep refreshing.
void TestSessions::limitSparesTokensThatAreOurs()
{
    const IssuedSession player = signIn();
    FailureLimiter one(1);
    SessionService sessions(*m_tokens, m_config.security, *m_storage, *m_log, one,
                            [this] { return m_nowMs; });
    QCOMPARE(sessions.refresh("guess-1", m_client).error().code, ErrorCode::InvalidRefreshToken);
    QCOMPARE(sessions.refresh("guess-2", m_client).error().code, ErrorCode::RateLimited);
    QVERIFY(sessions.refresh(player.refreshToken, m_client).ok());
}

void TestSessions::authenticateNeedsALiveSession()
{
    const IssuedSession session = signIn();
    const Result<AuthenticatedSession> ok = m_sessions->authenticate(session.accessToken);
    QVERIFY(ok.ok());
    QCOMPARE(ok->user.id, session.user.id);
    QCOMPARE(ok->claims.sessionId, session.sessionId);
    QCOMPARE(m_sessions->authenticate("garbage").error().code, ErrorCode::InvalidToken);
    m_nowMs += qint64(m_tokens->accessTokenLifetimeSecs() + 1) * 1000;
    QCOMPARE(m_sessions->authenticate(session.accessToken).error().code, ErrorCode::InvalidToken);
}

void TestSessions::logoutEndsOnlyThatSession()
{
    const IssuedSession phone = signIn();
    const IssuedSession laptop = signIn();
    const Result<AuthenticatedSession> current = m_sessions->authenticate(phone.accessToken);
    QVERIFY(current.ok());
    QVERIFY(m_sessions->logout(*current, m_client).ok());
    const Result<AuthenticatedSession> ended = m_sessions->authenticate(phone.accessToken);
    QCOMPARE(ended.error().code, ErrorCode::InvalidToken);
    QCOMPARE(ended.error().message, QStringLiteral("the session has ended"));
    QVERIFY(!m_sessions->refresh(phone.refreshToken, m_client));
    QVERIFY(m_sessions->authenticate(laptop.accessToken).ok());
    QVERIFY(logText().contains(QStringLiteral(" logout ")));
}

void TestSessions::oldestSessionsEndPastTheLimit()
{
    QList<IssuedSession> devices;
    for (int i = 0; i < 4; ++i)
        devices.append(signIn()); // max_sessions_per_user is 3 here
    QVERIFY(!m_sessions->authenticate(devices[0].accessToken));
    for (int i = 1; i < 4; ++i)
        QVERIFY(m_sessions->authenticate(devices[i].accessToken).ok());
}

QTEST_GUILESS_MAIN(TestSessions)
#include "tst_sessions.moc"
