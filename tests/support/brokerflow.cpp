// What a browser and a game do with the broker's redirects, by hand.
#include "brokerflow.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

namespace latchkey::test {

Pkce newPkce()
{
    const QByteArray verifier = base64url::encode(crypto::randomBytes(32));
    return {QString::fromLatin1(verifier),
            QString::fromLatin1(base64url::encode(crypto::sha256(verifier)))};
}

QByteArray authorizePath(const Pkce &pkce, const QList<QPair<QString, QString>> &extra,
                         const QString &clientId)
{
    QList<QPair<QString, QString>> items{
        {QStringLiteral("response_type"), QStringLiteral("code")},
        {QStringLiteral("client_id"), clientId},
        {QStringLiteral("redirect_uri"), gameRedirect},
        {QStringLiteral("code_challenge"), pkce.challenge},
        {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
        {QStringLiteral("state"), QStringLiteral("game-state")}};
    for (const QPair<QString, QString> &parameter : extra) {
        items.removeIf([&](const auto &item) { return item.first == parameter.first; });
        if (!parameter.second.isNull())
            items.append(parameter);
    }
    QByteArray path = "/oauth/authorize";
    char separator = '?';
    for (const auto &[name, value] : items) {
        path += separator + QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
        separator = '&';
    }
    return path;
}

TestResponse getOnce(quint16 port, const QByteArray &pathAndQuery)
{
    TestClient client(port);
    return client.get(pathAndQuery);
}

QUrl locationOf(const TestResponse &r)
{
    return r.status == 302 ? QUrl(QString::fromUtf8(r.header("location")), QUrl::StrictMode)
                           : QUrl();
}

QString queryValue(const QUrl &url, const QString &name)
{
    return QUrlQuery(url).queryItemValue(name, QUrl::FullyDecoded);
}

QByteArray pathAndQuery(const QUrl &url)
{
    return url.path(QUrl::FullyEncoded).toUtf8() +
           (url.hasQuery() ? "?" + url.query(QUrl::FullyEncoded).toUtf8() : QByteArray());
}

Walk walk(quint16 port, const QByteArray &path, const QString &devEmail)
{
    QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port) + QString::fromUtf8(path));
    const int gamePort = QUrl(gameRedirect).port();
    Walk result;
    for (int hop = 0; hop < 8; ++hop) {
        if (url.port() == gamePort) {
            result.game = url;
            return result;
        }
        if (url.path() == QLatin1StringView("/dev-idp/authorize")) {
            // The form's submit button, as the player would press it.
            url.setPath(QStringLiteral("/dev-idp/approve"));
            QUrlQuery query(url);
            if (devEmail == QLatin1StringView("cancel")) {
                query.addQueryItem(QStringLiteral("action"), QStringLiteral("cancel"));
            } else {
                query.addQueryItem(QStringLiteral("email"), devEmail);
                query.addQueryItem(QStringLiteral("action"), QStringLiteral("approve"));
            }
            url.setQuery(query);
        }
        result.last = getOnce(quint16(url.port()), pathAndQuery(url));
        const QUrl next = locationOf(result.last);
        if (next.isEmpty())
            return result;
        url = url.resolved(next);
    }
    qWarning() << "too many redirects, at" << url;
    return result;
}

QString codeOf(const Walk &walk)
{
    return walk.game.isEmpty() ? QString() : queryValue(walk.game, QStringLiteral("code"));
}

TestResponse deviceSignIn(quint16 port, const QString &userCode, const QString &email)
{
    const QUrlQuery query{{QStringLiteral("user_code"), userCode},
                          {QStringLiteral("provider"), QStringLiteral("dev")}};
    return walk(port, "/device?" + query.query(QUrl::FullyEncoded).toUtf8(), email).last;
}

TestResponse deviceDecide(quint16 port, const TestResponse &consentPage, const QString &decision)
{
    static const QRegularExpression ticket(QStringLiteral("name=\"ticket\" value=\"([^\"]+)\""));
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("ticket"),
                      ticket.match(QString::fromUtf8(consentPage.body)).captured(1));
    form.addQueryItem(QStringLiteral("decision"), decision);
    return postForm(port, "/device/decision", form);
}

TestResponse postForm(quint16 port, const QByteArray &path, const QUrlQuery &form)
{
    TestClient client(port);
    return client.request("POST", path, form.query(QUrl::FullyEncoded).toUtf8().replace('+', "%2B"),
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
}

TestResponse redeem(quint16 port, const QString &code, const QString &verifier,
                    const QString &redirectUri, const QString &clientId)
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("authorization_code"));
    form.addQueryItem(QStringLiteral("code"), code);
    form.addQueryItem(QStringLiteral("redirect_uri"), redirectUri);
    form.addQueryItem(QStringLiteral("client_id"), clientId);
    form.addQueryItem(QStringLiteral("code_verifier"), verifier);
    return postForm(port, "/oauth/token", form);
}

SignedIn devSignIn(quint16 port, const QString &email)
{
    const Pkce pkce = newPkce();
    const QString code = codeOf(walk(
        port, authorizePath(pkce, {{QStringLiteral("provider"), QStringLiteral("dev")}}), email));
    const QJsonObject answer = redeem(port, code, pkce.verifier).json();
    const QByteArray access = answer.value(QLatin1StringView("access_token")).toString().toLatin1();
    // The session id is the access token's "sid" claim (a string, like "sub").
    const QJsonObject claims =
        QJsonDocument::fromJson(
            QByteArray::fromBase64(access.split('.').value(1), QByteArray::Base64UrlEncoding))
            .object();
    return {access, answer.value(QLatin1StringView("refresh_token")).toString().toLatin1(),
            claims.value(QLatin1StringView("sid")).toString().toLongLong(),
            answer.value(QLatin1StringView("user"))
                .toObject()
                .value(QLatin1StringView("id"))
                .toInteger()};
}

} // namespace latchkey::test
