// AuthenticateUserTicket: the answer's params (result, steamid, vacbanned, publisherbanned)
// or its error (errorcode, errordesc), and the operator's ban policy.
#include "steamprovider.h"

#include <QJsonArray>
#include <QUrlQuery>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

SteamProvider::SteamProvider(const Config::Steam &config)
    : m_config(config), m_http(u"Steam"_s, config.timeoutMs)
{
}

Status SteamProvider::checkTicket(const QString &ticket)
{
    if (ticket.size() > maxTicketChars)
        return Error{ErrorCode::InvalidField,
                     u"ticket is longer than %1 hex characters"_s.arg(maxTicketChars)};
    const bool hex = !ticket.isEmpty() && std::all_of(ticket.begin(), ticket.end(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
    });
    if (!hex)
        return Error{ErrorCode::InvalidField,
                     u"ticket must be the hex-encoded Steam session ticket"_s};
    return Done{};
}

QUrl SteamProvider::apiUrl(QLatin1StringView path, const QUrlQuery &query) const
{
    QUrl url = m_config.apiUrl;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + path);
    QUrlQuery withKey{{u"key"_s, QString::fromUtf8(m_config.webApiKey)}};
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded))
        withKey.addQueryItem(name, value);
    url.setQuery(withKey);
    return url;
}

void SteamProvider::personaName(const QString &steamId, NameCallback done)
{
    const QUrl url = apiUrl("/ISteamUser/GetPlayerSummaries/v2/"_L1, {{u"steamids"_s, steamId}});
    m_http.getJson(url, {}, [steamId, done = std::move(done)](Result<QJsonObject> answer, int) {
        if (!answer) {
            done(answer.error());
            return;
        }
        const QJsonArray players =
            answer->value("response"_L1).toObject().value("players"_L1).toArray();
        for (const QJsonValue &player : players) {
            const QJsonObject p = player.toObject();
            if (p.value("steamid"_L1).toString() == steamId) {
                done(p.value("personaname"_L1).toString());
                return;
            }
        }
        done(Error::notFound(u"Steam knows no player %1"_s.arg(steamId)));
    });
}

void SteamProvider::verifyTicket(const QString &ticket, IdentityCallback done)
{
    const QUrl url = apiUrl(
        "/ISteamUserAuth/AuthenticateUserTicket/v1/"_L1,
        {{u"appid"_s, m_config.appId}, {u"ticket"_s, ticket}, {u"identity"_s, m_config.identity}});
    m_http.getJson(url, {}, [this, done = std::move(done)](Result<QJsonObject> answer, int) {
        if (!answer) {
            done(answer.error());
            return;
        }
        const QJsonObject response = answer->value("response"_L1).toObject();
        const QJsonObject error = response.value("error"_L1).toObject();
        if (!error.isEmpty()) {
            const QString why = error.value("errordesc"_L1).toString().left(200);
            done(m_http.rejected(u"%1 (error %2)"_s.arg(why.isEmpty() ? u"refused"_s : why)
                                     .arg(error.value("errorcode"_L1).toInt())));
            return;
        }
        const QJsonObject params = response.value("params"_L1).toObject();
        // steamid arrives as a string of digits (a 64-bit number does not fit a double).
        const QString steamId = params.value("steamid"_L1).toString();
        const bool digits = !steamId.isEmpty() && steamId.size() <= 20 &&
                            std::all_of(steamId.begin(), steamId.end(),
                                        [](QChar c) { return c >= u'0' && c <= u'9'; });
        if (params.value("result"_L1).toString() != "OK"_L1 || !digits) {
            done(m_http.rejected(u"Steam did not confirm the ticket"_s));
            return;
        }
        if (m_config.refuseVacBanned && params.value("vacbanned"_L1).toBool()) {
            done(Error{ErrorCode::AccountBanned, u"this Steam account has a VAC ban"_s});
            return;
        }
        if (m_config.refusePublisherBanned && params.value("publisherbanned"_L1).toBool()) {
            done(Error{ErrorCode::AccountBanned, u"this Steam account is banned by the game's "
                                                 "publisher"_s});
            return;
        }
        done(ExternalIdentity{u"steam"_s, steamId, {}, {}, {}, {}});
    });
}

} // namespace latchkey
