// The development identity provider (/dev-idp/) over real sockets: discovery, the sign-in
// page, every refusal, the token endpoint's checks, ID tokens against its JWKS, /api/login
// with provider "dev", the loopback-only rule, and the client library's whole flow against it.
#include "app/latchkeyserver.h"
#include "testserverconfig.h"

#include "testclient.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>
#include <latchkey/jwt.h>

#include <latchkey/client.h>

#include <QDateTime>
#include <QJsonArray>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <memory>

using namespace latchkey;
using namespace latchkey::test;
using namespace Qt::Literals::StringLiterals;

namespace {
const QString banner = u"Development sign-in — not for production"_s;
const QString callback = u"http://127.0.0.1:45678/callback"_s;
const QByteArray verifier = "a-pkce-verifier-of-at-least-forty-three-characters-0123456789";

QString challengeOf(const QByteArray &v)
{
    return QString::fromLatin1(base64url::encode(crypto::sha256(v)));
}

//! name=value&... with every value percent-encoded ('+' too, as forms need).
QByteArray formOf(const QList<QPair<QString, QString>> &fields)
{
    QByteArray out;
    for (const auto &[name, value] : fields)
        out += (out.isEmpty() ? "" : "&") + QUrl::toPercentEncoding(name) + '=' +
               QUrl::toPercentEncoding(value);
    return out;
}

QString htmlUnescape(QString text)
{
    return text.replace(u"&lt;"_s, u"<"_s)
        .replace(u"&gt;"_s, u">"_s)
        .replace(u"&quot;"_s, u"\""_s)
        .replace(u"&#39;"_s, u"'"_s)
        .replace(u"&amp;"_s, u"&"_s);
}

//! The sign-in form's hidden fields, read back from the page as a browser would.
QList<QPair<QString, QString>> hiddenFields(const QByteArray &html)
{
    static const QRegularExpression input(
        u"<input type=\"hidden\" name=\"([a-z_]+)\" value=\"([^\"]*)\">"_s);
    QList<QPair<QString, QString>> fields;
    auto it = input.globalMatch(QString::fromUtf8(html));
    while (it.hasNext()) {
        const auto match = it.next();
        fields.append({match.captured(1), htmlUnescape(match.captured(2))});
    }
    return fields;
}

QString param(const QUrl &url, const QString &name)
{
    return QUrlQuery(url).queryItemValue(name, QUrl::FullyDecoded);
}

QByteArray targetOf(const QUrl &url)
{
    return url.path(QUrl::FullyEncoded).toLatin1() +
           (url.hasQuery() ? "?" + url.query(QUrl::FullyEncoded).toLatin1() : "");
}
} // namespace

class TestDevIdp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void discovery();
    void authorizePage();
    void authorizeRefused_data();
    void authorizeRefused();
    void approveRedirectsWithCodeAndState();
    void cancelRedirectsWithAccessDenied();
    void badEmailShowsTheFormAgain();
    void tokenRefusals_data();
    void tokenRefusals();
    void codeIsSingleUse();
    void idTokenVerifiesAgainstJwks();
    void apiLoginWithDevToken();
    void apiLoginRefusesForeignDevToken();
    void jsonRoutesStillRefuseForms();
    void foreignHostRefused_data();
    void foreignHostRefused();
    void offByDefault();
    void configRefusesNonLoopback();
    void startRefusesNonLoopback();
    void clientLibraryLogsIn();

private:
    Config serverConfig(const QString &name, bool dev);
    QList<QPair<QString, QString>> authorizeFields(const QString &state = u"state-1"_s) const;
    //! Approves a sign-in as \a email; returns the code (empty on failure).
    QString approve(const QString &email, const QString &state = u"state-1"_s,
                    const QString &redirect = callback);
    TestResponse token(const QList<QPair<QString, QString>> &fields);
    TestResponse tokenFor(const QString &code, const QByteArray &v = verifier,
                          const QString &redirect = callback);
    QString issuer() const { return u"http://127.0.0.1:%1/dev-idp"_s.arg(m_server->port()); }

    QTemporaryDir m_dir;
    std::unique_ptr<LatchkeyServer> m_server;
};

Config TestDevIdp::serverConfig(const QString &name, bool dev)
{
    Config c = testServerConfig(m_dir, name);
    c.dev.enabled = dev;
    return c;
}

void TestDevIdp::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_server = std::make_unique<LatchkeyServer>(serverConfig(u"devidp"_s, true));
    const Status started = m_server->start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
}

void TestDevIdp::cleanupTestCase()
{
    m_server.reset();
}

QList<QPair<QString, QString>> TestDevIdp::authorizeFields(const QString &state) const
{
    return {{u"response_type"_s, u"code"_s},
            {u"client_id"_s, u"latchkey-dev"_s},
            {u"redirect_uri"_s, callback},
            {u"scope"_s, u"openid email profile"_s},
            {u"state"_s, state},
            {u"nonce"_s, u"nonce-1"_s},
            {u"code_challenge"_s, challengeOf(verifier)},
            {u"code_challenge_method"_s, u"S256"_s}};
}

QString TestDevIdp::approve(const QString &email, const QString &state, const QString &redirect)
{
    auto fields = authorizeFields(state);
    fields[2].second = redirect;
    fields += {{u"name"_s, u"Tester"_s}, {u"email"_s, email}, {u"action"_s, u"approve"_s}};
    TestClient client(m_server->port());
    const TestResponse r = client.request("POST", "/dev-idp/approve", formOf(fields),
                                          {{"Content-Type", "application/x-www-form-urlencoded"}});
    if (r.status != 302) {
        qWarning() << "approve answered" << r.status << r.body;
        return {};
    }
    return param(QUrl(QString::fromLatin1(r.header("location"))), u"code"_s);
}

TestResponse TestDevIdp::token(const QList<QPair<QString, QString>> &fields)
{
    TestClient client(m_server->port());
    return client.request("POST", "/dev-idp/token", formOf(fields),
                          {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
}

TestResponse TestDevIdp::tokenFor(const QString &code, const QByteArray &v, const QString &redirect)
{
    return token({{u"grant_type"_s, u"authorization_code"_s},
                  {u"code"_s, code},
                  {u"redirect_uri"_s, redirect},
                  {u"client_id"_s, u"latchkey-dev"_s},
                  {u"code_verifier"_s, QString::fromLatin1(v)}});
}

void TestDevIdp::discovery()
{
    TestClient client(m_server->port());
    const TestResponse r = client.get("/dev-idp/.well-known/openid-configuration");
    QCOMPARE(r.status, 200);
    const QJsonObject d = r.json();
    QCOMPARE(d.value("issuer"_L1).toString(), issuer());
    QCOMPARE(d.value("authorization_endpoint"_L1).toString(), issuer() + u"/authorize"_s);
    QCOMPARE(d.value("token_endpoint"_L1).toString(), issuer() + u"/token"_s);
    QCOMPARE(d.value("jwks_uri"_L1).toString(), issuer() + u"/jwks"_s);
    QCOMPARE(d.value("response_types_supported"_L1).toArray(), QJsonArray{u"code"_s});
    QCOMPARE(d.value("code_challenge_methods_supported"_L1).toArray(), QJsonArray{u"S256"_s});
    QCOMPARE(d.value("subject_types_supported"_L1).toArray(), QJsonArray{u"public"_s});
    QCOMPARE(d.value("grant_types_supported"_L1).toArray(), QJsonArray{u"authorization_code"_s});
    QCOMPARE(d.value("id_token_signing_alg_values_supported"_L1).toArray(), QJsonArray{u"ES256"_s});
    QVERIFY(d.value("scopes_supported"_L1).toArray().contains(u"openid"_s));
}

void TestDevIdp::authorizePage()
{
    TestClient client(m_server->port());
    const QString state = u"<script>alert(\"x\")</script>&'"_s;
    const TestResponse r = client.get("/dev-idp/authorize?" + formOf(authorizeFields(state)));
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("content-type").startsWith("text/html"));
    const QString html = QString::fromUtf8(r.body);
    QVERIFY(html.contains(banner));
    QVERIFY2(!html.contains(u"<script>"_s), r.body.constData());
    QVERIFY(html.contains(u"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;"_s));
    QVERIFY(html.contains(u"action=\"/dev-idp/approve\""_s));
    QVERIFY(html.contains(u"name=\"email\""_s));
    // The form carries the request unchanged.
    const auto hidden = hiddenFields(r.body);
    QCOMPARE(hidden.size(), 8);
    QVERIFY(hidden.contains(qMakePair(u"state"_s, state)));
    QVERIFY(hidden.contains(qMakePair(u"redirect_uri"_s, callback)));
    QVERIFY(r.header("content-security-policy").contains("default-src 'none'"));
}

void TestDevIdp::authorizeRefused_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value"); //!< "-" removes the field
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error"); //!< redirected error, or text of the error page

    QTest::newRow("unknown client") << u"client_id"_s << u"someone-else"_s << 400 << u"client_id"_s;
    QTest::newRow("no client") << u"client_id"_s << u"-"_s << 400 << u"client_id"_s;
    QTest::newRow("remote redirect")
        << u"redirect_uri"_s << u"http://evil.example:8080/cb"_s << 400 << u"loopback"_s;
    QTest::newRow("https redirect")
        << u"redirect_uri"_s << u"https://127.0.0.1:8080/cb"_s << 400 << u"loopback"_s;
    QTest::newRow("localhost redirect")
        << u"redirect_uri"_s << u"http://localhost:8080/cb"_s << 400 << u"loopback"_s;
    QTest::newRow("no port") << u"redirect_uri"_s << u"http://127.0.0.1/cb"_s << 400
                             << u"loopback"_s;
    QTest::newRow("no redirect") << u"redirect_uri"_s << u"-"_s << 400 << u"redirect_uri"_s;
    QTest::newRow("no PKCE") << u"code_challenge"_s << u"-"_s << 302 << u"invalid_request"_s;
    QTest::newRow("PKCE plain") << u"code_challenge_method"_s << u"plain"_s << 302
                                << u"invalid_request"_s;
    QTest::newRow("no PKCE method")
        << u"code_challenge_method"_s << u"-"_s << 302 << u"invalid_request"_s;
    QTest::newRow("short challenge")
        << u"code_challenge"_s << u"abc"_s << 302 << u"invalid_request"_s;
    QTest::newRow("implicit flow")
        << u"response_type"_s << u"token"_s << 302 << u"unsupported_response_type"_s;
}

void TestDevIdp::authorizeRefused()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(int, status);
    QFETCH(QString, error);
    QList<QPair<QString, QString>> fields;
    for (const auto &f : authorizeFields()) {
        if (f.first != field)
            fields.append(f);
        else if (value != "-"_L1)
            fields.append({f.first, value});
    }
    // The same checks on the page and on its approval.
    for (const QByteArray &path :
         {QByteArray("/dev-idp/authorize?"), QByteArray("/dev-idp/approve?")}) {
        TestClient client(m_server->port());
        auto withChoice = fields;
        if (path.contains("approve"))
            withChoice += {{u"email"_s, u"a@example.test"_s}, {u"action"_s, u"approve"_s}};
        const TestResponse r = client.get(path + formOf(withChoice));
        QCOMPARE(r.status, status);
        if (status == 302) {
            const QUrl location(QString::fromLatin1(r.header("location")));
            QCOMPARE(location.toString(QUrl::RemoveQuery), callback);
            QCOMPARE(param(location, u"error"_s), error);
            QCOMPARE(param(location, u"state"_s), u"state-1"_s);
            QVERIFY(param(location, u"code"_s).isEmpty());
        } else {
            QVERIFY(r.header("content-type").startsWith("text/html"));
            QVERIFY(QString::fromUtf8(r.body).contains(banner));
            QVERIFY2(QString::fromUtf8(r.body).contains(error), r.body.constData());
            QVERIFY(r.header("location").isEmpty());
        }
    }
}

void TestDevIdp::approveRedirectsWithCodeAndState()
{
    const QString state = u"a b&c=d+e/%"_s;
    auto fields = authorizeFields(state);
    fields += {{u"name"_s, u"Tester"_s},
               {u"email"_s, u"tester@example.test"_s},
               {u"action"_s, u"approve"_s}};
    TestClient client(m_server->port());
    // GET with the query works as well as the form's POST.
    const TestResponse r = client.get("/dev-idp/approve?" + formOf(fields));
    QCOMPARE(r.status, 302);
    const QUrl location(QString::fromLatin1(r.header("location")));
    QCOMPARE(location.toString(QUrl::RemoveQuery), callback);
    QCOMPARE(param(location, u"state"_s), state);
    QVERIFY(param(location, u"code"_s).size() >= 43);
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
    QVERIFY(!approve(u"tester@example.test"_s).isEmpty());
    // Any loopback port and the IPv6 literal are fine (RFC 8252 §7.3).
    QVERIFY(!approve(u"tester@example.test"_s, u"s"_s, u"http://[::1]:1234/cb"_s).isEmpty());
}

void TestDevIdp::cancelRedirectsWithAccessDenied()
{
    auto fields = authorizeFields(u"cancel-state"_s);
    fields += {{u"name"_s, QString()}, {u"email"_s, QString()}, {u"action"_s, u"cancel"_s}};
    TestClient client(m_server->port());
    const TestResponse r = client.request("POST", "/dev-idp/approve", formOf(fields),
                                          {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(r.status, 302);
    const QUrl location(QString::fromLatin1(r.header("location")));
    QCOMPARE(param(location, u"error"_s), u"access_denied"_s);
    QCOMPARE(param(location, u"state"_s), u"cancel-state"_s);
    QVERIFY(param(location, u"code"_s).isEmpty());
}

void TestDevIdp::badEmailShowsTheFormAgain()
{
    auto fields = authorizeFields();
    fields += {{u"name"_s, u"<b>Eve</b>"_s},
               {u"email"_s, u"not an address"_s},
               {u"action"_s, u"approve"_s}};
    TestClient client(m_server->port());
    const TestResponse r = client.request("POST", "/dev-idp/approve", formOf(fields),
                                          {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(r.status, 400);
    const QString html = QString::fromUtf8(r.body);
    QVERIFY(html.contains(banner));
    QVERIFY(html.contains(u"e-mail"_s));
    QVERIFY(html.contains(u"&lt;b&gt;Eve&lt;/b&gt;"_s));
    QVERIFY(!html.contains(u"<b>Eve"_s));
}

void TestDevIdp::tokenRefusals_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("error");

    QTest::newRow("wrong verifier")
        << u"code_verifier"_s << u"another-verifier-of-at-least-forty-three-characters-xyz"_s
        << u"invalid_grant"_s;
    QTest::newRow("short verifier") << u"code_verifier"_s << u"short"_s << u"invalid_grant"_s;
    QTest::newRow("wrong redirect_uri")
        << u"redirect_uri"_s << u"http://127.0.0.1:45679/callback"_s << u"invalid_grant"_s;
    QTest::newRow("wrong client_id") << u"client_id"_s << u"other-client"_s << u"invalid_grant"_s;
    QTest::newRow("unknown code") << u"code"_s << u"no-such-code"_s << u"invalid_grant"_s;
    QTest::newRow("no verifier") << u"code_verifier"_s << QString() << u"invalid_request"_s;
    QTest::newRow("refresh grant")
        << u"grant_type"_s << u"refresh_token"_s << u"unsupported_grant_type"_s;
}

void TestDevIdp::tokenRefusals()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, error);
    const QString code = approve(u"refused@example.test"_s);
    QVERIFY(!code.isEmpty());
    QList<QPair<QString, QString>> fields{{u"grant_type"_s, u"authorization_code"_s},
                                          {u"code"_s, code},
                                          {u"redirect_uri"_s, callback},
                                          {u"client_id"_s, u"latchkey-dev"_s},
                                          {u"code_verifier"_s, QString::fromLatin1(verifier)}};
    for (auto &f : fields) {
        if (f.first == field)
            f.second = value;
    }
    const TestResponse r = token(fields);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value("error"_L1).toString(), error);
    QVERIFY(!r.json().contains("id_token"_L1));
}

void TestDevIdp::codeIsSingleUse()
{
    const QString code = approve(u"once@example.test"_s);
    QVERIFY(!code.isEmpty());
    const TestResponse first = tokenFor(code);
    QCOMPARE(first.status, 200);
    const TestResponse second = tokenFor(code);
    QCOMPARE(second.status, 400);
    QCOMPARE(second.json().value("error"_L1).toString(), u"invalid_grant"_s);

    // A failed attempt uses the code up as well: a verifier cannot be guessed at leisure.
    const QString other = approve(u"once@example.test"_s);
    QCOMPARE(tokenFor(other, "wrong-verifier-of-at-least-forty-three-characters-0123456789").status,
             400);
    QCOMPARE(tokenFor(other).status, 400);

    // The token endpoint takes OAuth's form bodies only.
    TestClient client(m_server->port());
    const TestResponse json =
        client.postJson("/dev-idp/token", {{u"grant_type"_s, u"authorization_code"_s}});
    QCOMPARE(json.status, 415);
}

void TestDevIdp::idTokenVerifiesAgainstJwks()
{
    const QString code = approve(u"Alice@Example.test"_s);
    QVERIFY(!code.isEmpty());
    const TestResponse r = tokenFor(code);
    QCOMPARE(r.status, 200);
    const QJsonObject body = r.json();
    QCOMPARE(body.value("token_type"_L1).toString(), u"Bearer"_s);
    QCOMPARE(body.value("expires_in"_L1).toInt(), 3600);
    QVERIFY(!body.value("access_token"_L1).toString().isEmpty());
    QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
    const QByteArray idToken = body.value("id_token"_L1).toString().toLatin1();

    TestClient client(m_server->port());
    const TestResponse jwks = client.get("/dev-idp/jwks");
    QCOMPARE(jwks.status, 200);
    const QJsonArray keys = jwks.json().value("keys"_L1).toArray();
    QCOMPARE(keys.size(), 1);
    const QJsonObject jwk = keys.first().toObject();
    QVERIFY(!jwk.contains("d"_L1)); // the public half only
    const Result<jwt::Key> key = jwt::Key::fromJwk(jwk);
    QVERIFY2(key, key ? "" : qPrintable(key.error().message));
    QCOMPARE(jwt::peekHeader(idToken)->kid, key->keyId());

    jwt::VerifyOptions options;
    options.now = QDateTime::currentSecsSinceEpoch();
    options.issuers = {issuer()};
    options.audiences = {u"latchkey-dev"_s};
    const Result<QJsonObject> claims = jwt::verify(idToken, *key, options);
    QVERIFY2(claims, claims ? "" : qPrintable(claims.error().message));
    QCOMPARE(claims->value("iss"_L1).toString(), issuer());
    QCOMPARE(claims->value("aud"_L1).toString(), u"latchkey-dev"_s);
    QCOMPARE(claims->value("email"_L1).toString(), u"Alice@Example.test"_s);
    QCOMPARE(claims->value("email_verified"_L1).toBool(), true);
    QCOMPARE(claims->value("name"_L1).toString(), u"Tester"_s);
    QCOMPARE(claims->value("nonce"_L1).toString(), u"nonce-1"_s);
    const QString sub = claims->value("sub"_L1).toString();
    QVERIFY(sub.startsWith(u"dev-"_s));
    QCOMPARE(sub.size(), 26);
    const qint64 iat = claims->value("iat"_L1).toInteger();
    QVERIFY(qAbs(iat - options.now) < 60);
    QCOMPARE(claims->value("exp"_L1).toInteger() - iat, 600);

    // The subject is stable per e-mail address, whatever its case.
    const TestResponse again = tokenFor(approve(u"alice@example.TEST"_s));
    const Result<QJsonObject> second =
        jwt::verify(again.json().value("id_token"_L1).toString().toLatin1(), *key, options);
    QVERIFY(second);
    QCOMPARE(second->value("sub"_L1).toString(), sub);
    QVERIFY(second->value("sub"_L1) != jwt::verify(tokenFor(approve(u"bob@example.test"_s))
                                                       .json()
                                                       .value("id_token"_L1)
                                                       .toString()
                                                       .toLatin1(),
                                                   *key, options)
                                           ->value("sub"_L1));
}

void TestDevIdp::apiLoginWithDevToken()
{
    const auto loginAs = [this](const QString &email) {
        const TestResponse t = tokenFor(approve(email));
        TestClient client(m_server->port());
        return client.postJson("/api/login", {{u"id_token"_s, t.json().value("id_token"_L1)},
                                              {u"provider"_s, u"dev"_s}});
    };
    const TestResponse first = loginAs(u"carol@example.test"_s);
    QCOMPARE(first.status, 200);
    const QJsonObject user = first.json().value("user"_L1).toObject();
    QCOMPARE(user.value("email"_L1).toString(), u"carol@example.test"_s);
    QCOMPARE(user.value("name"_L1).toString(), u"carol"_s);
    QVERIFY(!first.json().value("access_token"_L1).toString().isEmpty());
    QVERIFY(!first.json().value("refresh_token"_L1).toString().isEmpty());

    const TestResponse second = loginAs(u"carol@example.test"_s);
    QCOMPARE(second.status, 200);
    QCOMPARE(second.json().value("user"_L1).toObject().value("id"_L1), user.value("id"_L1));

    const TestResponse other = loginAs(u"dave@example.test"_s);
    QCOMPARE(other.status, 200);
    QVERIFY(other.json().value("user"_L1).toObject().value("id"_L1) != user.value("id"_L1));

    // The session works like any other.
    TestClient client(m_server->port());
    const TestResponse me =
        client.get("/api/me", first.json().value("access_token"_L1).toString().toLatin1());
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json().value("user"_L1).toObject().value("email"_L1).toString(),
             u"carol@example.test"_s);
}

void TestDevIdp::apiLoginRefusesForeignDevToken()
{
    // Signed by another key, with the right issuer and audience: refused.
    const jwt::Key stranger = jwt::Key::generate(jwt::Algorithm::ES256);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray forged = jwt::sign({{u"iss"_s, issuer()},
                                         {u"aud"_s, u"latchkey-dev"_s},
                                         {u"sub"_s, u"dev-x"_s},
                                         {u"email"_s, u"x@example.test"_s},
                                         {u"email_verified"_s, true},
                                         {u"iat"_s, now},
                                         {u"exp"_s, now + 600}},
                                        stranger);
    TestClient client(m_server->port());
    TestResponse r = client.postJson(
        "/api/login", {{u"id_token"_s, QString::fromLatin1(forged)}, {u"provider"_s, u"dev"_s}});
    QCOMPARE(r.status, 401);
    QCOMPARE(r.json().value("code"_L1).toString(), u"invalid_provider_token"_s);

    r = client.postJson("/api/login", {{u"id_token"_s, u"garbage"_s}, {u"provider"_s, u"dev"_s}});
    QCOMPARE(r.status, 401);
    r = client.postJson("/api/login", {{u"provider"_s, u"dev"_s}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value("code"_L1).toString(), u"missing_field"_s);
    r = client.postJson("/api/login", {{u"id_token"_s, u"x"_s}, {u"provider"_s, u"github"_s}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value("code"_L1).toString(), u"invalid_field"_s);
}

void TestDevIdp::jsonRoutesStillRefuseForms()
{
    TestClient client(m_server->port());
    const TestResponse r = client.request("POST", "/api/login", "id_token=x&provider=dev",
                                          {{"Content-Type", "application/x-www-form-urlencoded"}});
    QCOMPARE(r.status, 415);
    QCOMPARE(r.json().value("code"_L1).toString(), u"unsupported_media_type"_s);
    TestClient other(m_server->port());
    const TestResponse text =
        other.request("POST", "/dev-idp/token", "hello", {{"Content-Type", "text/plain"}});
    QCOMPARE(text.status, 415);
}

// DNS rebinding: a page of another site that resolves its own name to 127.0.0.1 sends that
// name as Host; only loopback names are answered.
void TestDevIdp::foreignHostRefused_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<int>("status");
    QTest::newRow("rebound name") << QByteArray("attacker.example") << 400;
    QTest::newRow("rebound name with port") << QByteArray("attacker.example:8000") << 400;
    QTest::newRow("public address") << QByteArray("203.0.113.7") << 400;
    QTest::newRow("localhost") << QByteArray("localhost:8000") << 200;
    QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1") << 200;
    QTest::newRow("[::1]") << QByteArray("[::1]:8000") << 200;
}

void TestDevIdp::foreignHostRefused()
{
    QFETCH(QByteArray, host);
    QFETCH(int, status);
    TestClient client(m_server->port());
    client.sendRaw("GET /dev-idp/authorize?" + formOf(authorizeFields()) +
                   " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    const TestResponse r = client.readResponse();
    QCOMPARE(r.status, status);
    if (status != 200)
        QVERIFY(r.body.contains("only answers requests addressed to"));
    // A program's endpoint refuses in JSON, as its other errors are.
    client.sendRaw("GET /dev-idp/jwks HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    const TestResponse keys = client.readResponse();
    QCOMPARE(keys.status, status);
    QVERIFY(keys.header("content-type").startsWith("application/json"));
    if (status != 200)
        QCOMPARE(keys.json().value(u"code"_s).toString(), u"bad_request"_s);
}

void TestDevIdp::offByDefault()
{
    QVERIFY(!Config().dev.enabled);
    LatchkeyServer server(serverConfig(u"off"_s, false));
    const Status started = server.start();
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    TestClient client(server.port());
    for (const QByteArray &path :
         {QByteArray("/dev-idp/.well-known/openid-configuration"), QByteArray("/dev-idp/jwks"),
          QByteArray("/dev-idp/authorize?") + formOf(authorizeFields()),
          QByteArray("/dev-idp/approve")}) {
        const TestResponse r = client.get(path);
        QCOMPARE(r.status, 404);
    }
    QCOMPARE(client.request("POST", "/dev-idp/token").status, 404);
    const TestResponse login =
        client.postJson("/api/login", {{u"id_token"_s, u"x.y.z"_s}, {u"provider"_s, u"dev"_s}});
    QCOMPARE(login.status, 400);
    QCOMPARE(login.json().value("code"_L1).toString(), u"invalid_field"_s);
    QCOMPARE(login.json().value("message"_L1).toString(), u"provider must be one of: \"google\""_s);
    // A form to it finds no route (forms are read: the broker's /oauth/token takes them).
    QCOMPARE(client
                 .request("POST", "/dev-idp/token", "a=b",
                          {{"Content-Type", "application/x-www-form-urlencoded"}})
                 .status,
             404);
}

void TestDevIdp::configRefusesNonLoopback()
{
    const auto load = [](const QList<QPair<QString, QString>> &variables) {
        ConfigSources sources;
        for (const auto &[name, value] : variables)
            sources.environment.insert(name, value);
        return loadConfig(sources);
    };
    const auto off = load({});
    QVERIFY(off);
    QVERIFY(!off->dev.enabled);
    QCOMPARE(off->dev.clientIds, QStringList{u"latchkey-dev"_s});

    const auto on = load({{u"DEV_IDP"_s, u"true"_s}});
    QVERIFY2(on, on ? "" : qPrintable(on.error().message));
    QVERIFY(on->dev.enabled);
    for (const QString &host : {u"localhost"_s, u"::1"_s, u"127.0.0.1"_s})
        QVERIFY2(load({{u"DEV_IDP"_s, u"true"_s}, {u"SERVER_HOST"_s, host}}), qPrintable(host));

    for (const QString &host : {u"0.0.0.0"_s, u"192.168.1.10"_s, u"::"_s, u"example.com"_s}) {
        const auto refused = load({{u"DEV_IDP"_s, u"true"_s}, {u"SERVER_HOST"_s, host}});
        QVERIFY2(!refused, qPrintable(host));
        QCOMPARE(refused.error().message,
                 u"providers.dev.enabled: the development identity provider only runs on loopback; "
                 "set SERVER_HOST=127.0.0.1 or turn DEV_IDP off"_s);
    }
    // Off, any host is fine (with the public address browsers reach, required off loopback).
    QVERIFY(load({{u"DEV_IDP"_s, u"false"_s},
                  {u"SERVER_HOST"_s, u"0.0.0.0"_s},
                  {u"PUBLIC_URL"_s, u"https://accounts.example.com"_s}}));
    const auto notBool = load({{u"DEV_IDP"_s, u"maybe"_s}});
    QVERIFY(!notBool);
    QVERIFY(notBool.error().message.startsWith(u"DEV_IDP"_s));
}

void TestDevIdp::startRefusesNonLoopback()
{
    Config config = serverConfig(u"public"_s, true);
    config.server.host = u"0.0.0.0"_s;
    LatchkeyServer server(config);
    const Status started = server.start();
    QVERIFY(!started);
    QVERIFY(started.error().message.startsWith(u"providers.dev.enabled: "_s));
    QCOMPARE(server.port(), quint16(0));
}

void TestDevIdp::clientLibraryLogsIn()
{
    // The browser's part, off the library's thread (the opener must not block it): load the
    // sign-in page, submit its form, follow the redirect to the game's loopback listener.
    QString browserLog;
    QUrl opened;
    const quint16 port = m_server->port();
    BrowserOpener opener = [this, port, &browserLog, &opened](const QUrl &url) {
        QMetaObject::invokeMethod(
            this,
            [port, url, &browserLog, &opened] {
                opened = url;
                TestClient browser(port);
                const TestResponse page = browser.get(targetOf(url));
                browserLog += u"authorize %1\n"_s.arg(page.status);
                auto fields = hiddenFields(page.body);
                fields += {{u"name"_s, u"Erin"_s},
                           {u"email"_s, u"erin@example.test"_s},
                           {u"action"_s, u"approve"_s}};
                const TestResponse approved = browser.get("/dev-idp/approve?" + formOf(fields));
                browserLog += u"approve %1 %2\n"_s.arg(approved.status)
                                  .arg(QString::fromLatin1(approved.header("location")));
                const QUrl back(QString::fromLatin1(approved.header("location")));
                TestClient game(quint16(back.port()));
                const TestResponse landed = game.get(targetOf(back));
                browserLog += u"callback %1\n"_s.arg(landed.status);
            },
            Qt::QueuedConnection);
        return true;
    };

    ClientConfig config;
    config.serverUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(port));
    config.clientId = u"latchkey-dev"_s;
    config.provider = u"dev"_s;
    config.mode = LoginMode::Direct;
    config.issuer = QUrl(issuer());
    config.authorizationEndpoint = QUrl(); // discovery
    config.tokenEndpoint = QUrl();
    config.storageDirectory = m_dir.filePath(u"client-storage"_s);
    config.secretStorage = SecretStorage::File;
    config.loginTimeout = std::chrono::seconds(20);
    config.requestTimeout = std::chrono::seconds(10);
    config.openBrowser = opener;

    Client client(config);
    std::optional<User> loggedIn;
    QVERIFY(client.login([&](const User &user) { loggedIn = user; }));
    QTRY_VERIFY2_WITH_TIMEOUT(
        (client.processCallbacks(), client.loginStatus() != LoginStatus::InProgress),
        qPrintable(browserLog), 30000);
    QVERIFY2(client.loginStatus() == LoginStatus::Success,
             qPrintable(client.loginError().message + u'\n' + browserLog));
    QVERIFY(loggedIn);
    QCOMPARE(loggedIn->email, u"erin@example.test"_s);
    QVERIFY(client.isLoggedIn());
    QCOMPARE(opened.toString(QUrl::RemoveQuery), issuer() + u"/authorize"_s);
    QCOMPARE(param(opened, u"code_challenge_method"_s), u"S256"_s);
    QVERIFY2(browserLog.contains(u"callback 200"_s), qPrintable(browserLog));
}

QTEST_GUILESS_MAIN(TestDevIdp)
#include "tst_devidp.moc"
