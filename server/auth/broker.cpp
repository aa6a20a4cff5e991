// The broker's steps, each a row of oauth_pending used once (any instance may take the next).
#include "broker.h"

#include "logging.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

#include <QHostAddress>
#include <QJsonObject>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

namespace {
constexpr auto requestKind = "request"_L1;
constexpr auto codeKind = "code"_L1;
constexpr auto linkKind = "link"_L1;

OAuthRefusal invalidGrant(const QString &why)
{
    return {u"invalid_grant"_s, why};
}
} // namespace

//! What the request row keeps between the upstream redirect and the callback.
struct Broker::Flow
{
    QJsonObject data; //!< client_id, redirect_uri, code_challenge, state, provider, nonce,
                      //!< verifier, link_user, device
    QString value(const char *key) const { return data.value(QLatin1StringView(key)).toString(); }
};

QString PublicUrl::toString() const
{
    if (!m_configured.isEmpty()) {
        QString url = m_configured.toString();
        while (url.endsWith(u'/'))
            url.chop(1);
        return url;
    }
    const QString host = m_host == "localhost"_L1 ? u"127.0.0.1"_s : m_host;
    return QHostAddress(host).protocol() == QAbstractSocket::IPv6Protocol
               ? u"http://[%1]:%2"_s.arg(host).arg(m_port.load())
               : u"http://%1:%2"_s.arg(host).arg(m_port.load());
}

QString secretHash(const QString &secret)
{
    return QString::fromLatin1(base64url::encode(crypto::sha256(secret.toUtf8())));
}

QString newSecret()
{
    return QString::fromLatin1(base64url::encode(crypto::randomBytes(32)));
}

Broker::Broker(const Config &config, const PublicUrl &publicUrl, Storage &storage,
               SessionService &sessions, SignInService &signIn, AuditLog &log,
               std::vector<std::unique_ptr<Upstream>> upstreams, Clock clock)
    : m_config(config), m_publicUrl(publicUrl), m_storage(storage), m_sessions(sessions),
      m_signIn(signIn), m_log(log), m_upstreams(std::move(upstreams)), m_clock(std::move(clock))
{
}

const Config::Client *Broker::client(const QString &clientId) const
{
    for (const Config::Client &c : m_config.clients) {
        if (c.id == clientId)
            return &c;
    }
    return nullptr;
}

bool Broker::allowsRedirect(const Config::Client &client, const QString &redirectUri)
{
    if (client.redirectUris.contains(redirectUri))
        return true;
    if (!client.loopback)
        return false;
    const QUrl url(redirectUri, QUrl::StrictMode);
    return url.isValid() && url.scheme() == "http"_L1 && url.port() > 0 && !url.hasFragment() &&
           url.userInfo().isEmpty() && (url.host() == "127.0.0.1"_L1 || url.host() == "::1"_L1);
}

Upstream *Broker::upstream(const QString &name) const
{
    for (const auto &u : m_upstreams) {
        if (u->name() == name)
            return u.get();
    }
    return nullptr;
}

void Broker::start(const GameRequest &request, Upstream &upstream, const QString &linkTicket,
                   const ClientInfo &client, UrlCallback done)
{
    const qint64 now = nowSecs();
    qint64 linkUser = 0;
    if (!linkTicket.isEmpty()) {
        const Result<qint64> user = useLinkTicket(linkTicket);
        if (!user) {
            done(OAuthRefusal{user.error().code == ErrorCode::NotFound
                                  ? u"invalid_request"_s
                                  : u"temporarily_unavailable"_s,
                              user.error().message});
            return;
        }
        linkUser = *user;
    }
    pruneExpired(now);
    const QString state = newSecret();
    const QString verifier = newSecret();
    const QJsonObject flow{{u"client_id"_s, request.client->id},
                           {u"redirect_uri"_s, request.redirectUri},
                           {u"code_challenge"_s, request.codeChallenge},
                           {u"state"_s, request.state},
                           {u"provider"_s, upstream.name()},
                           {u"nonce"_s, newSecret()},
                           {u"verifier"_s, verifier},
                           {u"link_user"_s, linkUser},
                           {u"device"_s, request.deviceHash}};
    if (const Status stored =
            m_storage.flows().put(requestKind, secretHash(state), flow, now + requestLifetimeSecs);
        !stored) {
        done(OAuthRefusal{u"temporarily_unavailable"_s, stored.error().message});
        return;
    }
    m_log.write("authorize", client.address,
                {{"client_id", request.client->id}, {"provider", upstream.name()}});
    const UpstreamStart upstreamStart{
        state, flow.value("nonce"_L1).toString(),
        QString::fromLatin1(base64url::encode(crypto::sha256(verifier.toLatin1()))),
        u"%1/oauth/callback/%2"_s.arg(m_publicUrl.toString(), upstream.name())};
    upstream.authorizationUrl(upstreamStart, [done = std::move(done)](Result<QUrl> url) {
        if (url)
            done(*url);
        else
            done(OAuthRefusal{url.error().code == ErrorCode::ProviderTimeout
                                  ? u"temporarily_unavailable"_s
                                  : u"server_error"_s,
                              url.error().message});
    });
}

void Broker::callback(const QString &provider, const QString &state, const QString &code,
                      const QString &upstreamError, const ClientInfo &client, ReturnCallback done)
{
    const Result<QJsonObject> data =
        state.isEmpty() ? Result<QJsonObject>(Error::notFound({}))
                        : m_storage.flows().take(requestKind, secretHash(state), nowSecs());
    if (!data) {
        done(data.error().code == ErrorCode::NotFound
                 ? Error{ErrorCode::BadRequest,
                         u"This sign-in is unknown, expired or finished already. Start it again "
                         "from the game."_s}
                 : data.error());
        return;
    }
    const Flow flow{*data};
    if (flow.value("provider") != provider) {
        done(Error{ErrorCode::BadRequest, u"This sign-in was started with another provider."_s});
        return;
    }
    Upstream *upstream = this->upstream(provider);
    if (!upstreamError.isEmpty() || code.isEmpty() || !upstream) {
        const QString why = upstreamError.isEmpty() ? u"no code"_s : upstreamError.left(100);
        finishFlow(flow,
                   Error{ErrorCode::Cancelled, u"the provider refused the sign-in: %1"_s.arg(why)},
                   client, std::move(done));
        return;
    }
    Result<SignInAttempt> attempt = m_signIn.begin(client);
    if (!attempt) {
        finishFlow(flow, attempt.error(), client, std::move(done));
        return;
    }
    upstream->identify(
        code, flow.value("verifier"), flow.value("nonce"),
        u"%1/oauth/callback/%2"_s.arg(m_publicUrl.toString(), provider),
        [this, flow, client, done = std::move(done),
         attempt = std::make_shared<SignInAttempt>(std::move(*attempt))](
            Result<ExternalIdentity> identity) { finishFlow(flow, identity, client, done); });
}

void Broker::finishFlow(const Flow &flow, const Result<ExternalIdentity> &identity,
                        const ClientInfo &client, ReturnCallback done)
{
    GameReturn back{flow.value("redirect_uri"), {}};
    const QString device = flow.value("device");
    const auto refuse = [&](const QString &error, const Error &why) {
        m_log.write("callback_failed", client.address,
                    {{"provider", flow.value("provider")}, {"reason", why.message}});
        if (!device.isEmpty()) { // no game to go back to: the page says why
            done(why);
            return;
        }
        back.parameters = {{u"error"_s, error},
                           {u"error_description"_s, why.message},
                           {u"state"_s, flow.value("state")}};
        done(FlowEnd(back));
    };
    const qint64 linkUser = flow.data.value("link_user"_L1).toInteger();
    Result<User> user = Error::internal();
    if (!identity) {
        user = identity.error();
    } else if (linkUser != 0) {
        const Status linked = m_signIn.link(linkUser, *identity, client);
        user = linked ? m_storage.users().byId(linkUser) : Result<User>(linked.error());
    } else {
        user = m_signIn.userFor(identity, client, flow.value("provider"));
    }
    if (user && user->status == "banned"_L1)
        user = SessionService::bannedError(m_storage, user->id);
    if (!user) {
        const ErrorCode code = user.error().code;
        refuse(code == ErrorCode::IdentityInUse     ? u"identity_in_use"_s
               : code == ErrorCode::ProviderTimeout ? u"temporarily_unavailable"_s
               : code == ErrorCode::Cancelled || code == ErrorCode::InvalidProviderToken ||
                       code == ErrorCode::AccountBanned
                   ? u"access_denied"_s
                   : u"server_error"_s,
               user.error());
        return;
    }
    const QJsonObject consent{{u"device"_s, device}, {u"user_id"_s, user->id}};
    const Result<QString> code =
        device.isEmpty() ? issueCode(flow.value("client_id"), flow.value("redirect_uri"),
                                     flow.value("code_challenge"), user->id)
                         : putSecret(consentKind, consent, consentLifetimeSecs);
    if (!code) {
        refuse(u"temporarily_unavailable"_s, code.error());
        return;
    }
    m_log.write("callback_ok", client.address,
                {{"provider", flow.value("provider")}, {"user_id", QString::number(user->id)}});
    if (!device.isEmpty()) {
        const Config::Client *game = this->client(flow.value("client_id"));
        done(
            FlowEnd(DeviceConsent{*code, game ? game->name : flow.value("client_id"), user->name}));
        return;
    }
    back.parameters = {{u"code"_s, *code}, {u"state"_s, flow.value("state")}};
    done(FlowEnd(back));
}

void Broker::pruneExpired(qint64 now)
{
    if (now - m_prunedAt < 60)
        return;
    m_prunedAt = now;
    // A failure is logged by the store; the flow goes on (the rows go next time).
    (void)m_storage.flows().prune(now - pendingRetentionSecs);
}

Result<QString> Broker::putSecret(QLatin1StringView kind, const QJsonObject &data,
                                  qint64 lifetimeSecs)
{
    const QString secret = newSecret();
    const Status stored =
        m_storage.flows().put(kind, secretHash(secret), data, nowSecs() + lifetimeSecs);
    if (!stored)
        return stored.error();
    return secret;
}

Result<QString> Broker::issueCode(const QString &clientId, const QString &redirectUri,
                                  const QString &codeChallenge, qint64 userId)
{
    return putSecret(codeKind,
                     {{u"client_id"_s, clientId},
                      {u"redirect_uri"_s, redirectUri},
                      {u"code_challenge"_s, codeChallenge},
                      {u"user_id"_s, userId}},
                     codeLifetimeSecs);
}

Result<GameReturn, OAuthRefusal> Broker::guest(const GameRequest &request, const ClientInfo &client)
{
    const Result<User> user = m_signIn.guestUser(client);
    const Result<QString> code =
        user ? issueCode(request.client->id, request.redirectUri, request.codeChallenge, user->id)
             : Result<QString>(user.error());
    if (!code) {
        return OAuthRefusal{code.error().code == ErrorCode::RateLimited
                                ? u"temporarily_unavailable"_s
                                : u"server_error"_s,
                            code.error().message};
    }
    return GameReturn{request.redirectUri, {{u"code"_s, *code}, {u"state"_s, request.state}}};
}

Result<IssuedSession, OAuthRefusal> Broker::redeem(const QString &code, const QString &clientId,
                                                   const QString &redirectUri,
                                                   const QString &codeVerifier,
                                                   const ClientInfo &client)
{
    const QString hash = secretHash(code);
    const Result<QJsonObject> grant = m_storage.flows().take(codeKind, hash, nowSecs());
    if (!grant) {
        if (grant.error().code != ErrorCode::NotFound)
            return OAuthRefusal{u"temporarily_unavailable"_s, grant.error().message};
        const Result<qint64> used = m_storage.flows().usedBy(codeKind, hash);
        if (!used)
            return invalidGrant(u"the code is unknown or expired"_s);
        // RFC 6749 §4.1.2: a code used twice may have been stolen; what it gave is withdrawn.
        if (*used != 0)
            m_sessions.revokeSession(*used, u"code_reuse"_s, client);
        return invalidGrant(u"the code was used already; its session has been ended"_s);
    }
    if (grant->value("client_id"_L1).toString() != clientId)
        return invalidGrant(u"the code was issued to another client"_s);
    if (grant->value("redirect_uri"_L1).toString() != redirectUri)
        return invalidGrant(u"redirect_uri differs from the authorization request's"_s);
    const QByteArray expected = grant->value("code_challenge"_L1).toString().toLatin1();
    if (!crypto::constantTimeEquals(base64url::encode(crypto::sha256(codeVerifier.toLatin1())),
                                    expected))
        return invalidGrant(u"code_verifier does not match the code_challenge"_s);
    const Result<User> user = m_storage.users().byId(grant->value("user_id"_L1).toInteger());
    if (!user)
        return invalidGrant(u"the account no longer exists"_s);
    Result<IssuedSession> session = m_sessions.open(*user, client);
    if (!session)
        return session.error().code == ErrorCode::AccountBanned
                   ? invalidGrant(session.error().message)
                   : OAuthRefusal{u"temporarily_unavailable"_s, session.error().message};
    m_storage.flows().setSession(hash, session->sessionId);
    m_log.write("code_redeemed", client.address,
                {{"client_id", clientId}, {"user_id", QString::number(user->id)}});
    return *session;
}

Result<QString> Broker::linkTicket(qint64 userId)
{
    return putSecret(linkKind, {{u"user_id"_s, userId}}, linkTicketLifetimeSecs);
}

Result<qint64> Broker::useLinkTicket(const QString &ticket)
{
    const Result<QJsonObject> data =
        m_storage.flows().take(linkKind, secretHash(ticket), nowSecs());
    if (!data) {
        return data.error().code == ErrorCode::NotFound
                   ? Error::notFound(u"the link ticket is unknown, used or expired"_s)
                   : data.error();
    }
    return data->value("user_id"_L1).toInteger();
}

} // namespace latchkey
