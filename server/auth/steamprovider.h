// Steam session tickets (ISteamUser::GetAuthTicketForWebApi): the game hands the ticket to
// Latchkey, which asks Steam's Web API whom it belongs to. The Web API key never leaves the
// server and never reaches a log.
#pragma once

#include "identity.h"
#include "providerhttp.h"

#include "config/config.h"

namespace latchkey {

//! One per worker thread (it owns that thread's network access), only when Steam is on.
class SteamProvider
{
public:
    static constexpr qsizetype maxTicketChars = 2048;

    explicit SteamProvider(const Config::Steam &config);

    //! InvalidField for a ticket that is not hex or longer than maxTicketChars (no call).
    static Status checkTicket(const QString &ticket);

    using IdentityCallback = std::function<void(Result<ExternalIdentity>)>;
    //! GET <api_url>/ISteamUserAuth/AuthenticateUserTicket/v1/: the identity steam/<steamid>;
    //! InvalidProviderToken with Steam's reason when it refuses the ticket, AccountBanned
    //! when the ban policy refuses the account, ProviderTimeout / ProviderUnavailable.
    void verifyTicket(const QString &ticket, IdentityCallback done);

    using NameCallback = std::function<void(Result<QString>)>;
    //! GET <api_url>/ISteamUser/GetPlayerSummaries/v2/: the persona name of \a steamId;
    //! NotFound when Steam knows no such player.
    void personaName(const QString &steamId, NameCallback done);

    //! The object its calls run on (for ProviderCallGate).
    QObject *context() { return &m_http; }

private:
    //! <api_url>/<path> with the key and \a query.
    QUrl apiUrl(QLatin1StringView path, const QUrlQuery &query) const;

    const Config::Steam m_config;
    ProviderHttp m_http;
};

} // namespace latchkey
