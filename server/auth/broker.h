// The sign-in broker's flow (Latchkey as an OAuth 2.1 authorization server for games): the
// game's request sent upstream, the upstream answer turned into a Latchkey code, the code
// redeemed for a session, link tickets. No HTTP here: the routes (api/oauthroutes) translate.
#pragma once

#include "sessionservice.h"
#include "signinservice.h"
#include "upstream.h"

#include "config/config.h"
#include "db/storage.h"

#include <latchkey/clock.h>

#include <QPair>

#include <atomic>
#include <memory>
#include <variant>
#include <vector>

namespace latchkey {

//! The address players' browsers reach: server.public_url, else http://<host>:<bound port>.
//! Shared by the workers; the port is known only once the server listens.
class PublicUrl
{
public:
    PublicUrl(const Config::Server &server) : m_configured(server.publicUrl), m_host(server.host) {}
    void setPort(quint16 port) { m_port.store(port); }
    //! Without a trailing slash: "https://accounts.example.com".
    QString toString() const;

private:
    const QUrl m_configured;
    const QString m_host;
    std::atomic<quint16> m_port{0};
};

//! The game's authorization request, checked by the route.
struct GameRequest
{
    const Config::Client *client = nullptr;
    QString redirectUri;
    QString codeChallenge; //!< S256
    QString state;         //!< echoed to the game
    //! A device flow (RFC 8628): the device code's hash; no redirect, challenge or state then.
    QString deviceHash;
};

//! An RFC 6749 error (§4.1.2.1 or §5.2): its code and description.
struct OAuthRefusal
{
    QString error; //!< "invalid_grant", "access_denied", "identity_in_use", ...
    QString description;
};

//! Where the browser goes back to the game: the redirect URI and the query to append.
struct GameReturn
{
    QString redirectUri;
    QList<QPair<QString, QString>> parameters;
};

//! A device flow's sign-in succeeded: the player confirms on the "Allow <game>?" page.
struct DeviceConsent
{
    QString ticket; //!< single-use, for POST /device/decision
    QString clientName;
    QString userName;
};

//! How a flow's return from the upstream ends.
using FlowEnd = std::variant<GameReturn, DeviceConsent>;

//! One per worker thread.
class Broker
{
public:
    static constexpr qint64 requestLifetimeSecs = 600; //!< the player's time at the provider
    static constexpr qint64 codeLifetimeSecs = 60;
    static constexpr qint64 linkTicketLifetimeSecs = 300;
    //! Used and expired steps stay this long past their expiry (a code presented again within
    //! it still ends the session it opened), then go, at most once a minute per worker.
    static constexpr qint64 pendingRetentionSecs = 3600;
    //! The oauth_pending kind of a device flow's "Allow <game>?" confirmation.
    static constexpr QLatin1StringView consentKind{"consent"};
    static constexpr qint64 consentLifetimeSecs = 600;

    Broker(const Config &config, const PublicUrl &publicUrl, Storage &storage,
           SessionService &sessions, SignInService &signIn, AuditLog &log,
           std::vector<std::unique_ptr<Upstream>> upstreams, Clock clock);

    const Config::Client *client(const QString &clientId) const;
    //! RFC 8252 §7.3 for loopback clients (http, 127.0.0.1 or [::1], any port, never
    //! "localhost"), else one of the client's exact URIs.
    static bool allowsRedirect(const Config::Client &client, const QString &redirectUri);
    const std::vector<std::unique_ptr<Upstream>> &upstreams() const { return m_upstreams; }
    Upstream *upstream(const QString &name) const;
    QString publicUrl() const { return m_publicUrl.toString(); }

    using UrlCallback = std::function<void(Result<QUrl, OAuthRefusal>)>;
    //! Stores the flow (and uses \a linkTicket when set: the upstream identity is then
    //! attached to its user) and gives the upstream authorization URL.
    void start(const GameRequest &request, Upstream &upstream, const QString &linkTicket,
               const ClientInfo &client, UrlCallback done);

    using ReturnCallback = std::function<void(Result<FlowEnd, Error>)>;
    //! The upstream came back to /oauth/callback/{provider}. An Error (for a page) when the
    //! state is not a live flow of that provider; otherwise where to send the browser: the
    //! game's redirect URI with a code, or with the refusal (upstream error, timeout,
    //! identity_in_use) and the game's state. A device flow ends in its confirmation, or in
    //! an Error for a page when the sign-in failed.
    void callback(const QString &provider, const QString &state, const QString &code,
                  const QString &upstreamError, const ClientInfo &client, ReturnCallback done);

    //! "Play as guest" from the chooser: a new guest and a code for it, no upstream.
    Result<GameReturn, OAuthRefusal> guest(const GameRequest &request, const ClientInfo &client);

    //! grant_type=authorization_code. A code presented again ends the session it opened.
    Result<IssuedSession, OAuthRefusal> redeem(const QString &code, const QString &clientId,
                                               const QString &redirectUri,
                                               const QString &codeVerifier,
                                               const ClientInfo &client);

    //! POST /api/identities/link: a single-use ticket for \a userId.
    Result<QString> linkTicket(qint64 userId);
    //! Uses a link ticket: the user it was issued for; NotFound when it is unknown, used or
    //! expired.
    Result<qint64> useLinkTicket(const QString &ticket);

private:
    struct Flow;
    void finishFlow(const Flow &flow, const Result<ExternalIdentity> &identity,
                    const ClientInfo &client, ReturnCallback done);
    //! A code for \a userId bound to the game's client, redirect URI and challenge.
    Result<QString> issueCode(const QString &clientId, const QString &redirectUri,
                              const QString &codeChallenge, qint64 userId);
    //! A fresh secret stored as a step of \a kind carrying \a data.
    Result<QString> putSecret(QLatin1StringView kind, const QJsonObject &data, qint64 lifetimeSecs);
    qint64 nowSecs() const { return m_clock() / 1000; }
    //! Deletes steps expired for longer than pendingRetentionSecs (once a minute at most).
    void pruneExpired(qint64 now);

    const Config &m_config;
    const PublicUrl &m_publicUrl;
    Storage &m_storage;
    SessionService &m_sessions;
    SignInService &m_signIn;
    AuditLog &m_log;
    const std::vector<std::unique_ptr<Upstream>> m_upstreams;
    const Clock m_clock;
    qint64 m_prunedAt = 0;
};

//! base64url(SHA-256(\a secret)): what the database keeps of a code, state or ticket.
QString secretHash(const QString &secret);
//! A fresh 256-bit secret, base64url.
QString newSecret();

} // namespace latchkey
