// The device authorization grant (RFC 8628) for consoles, TVs and command lines: the device
// asks for a code, the player types it into /device in any browser and signs in there, the
// device polls /oauth/token until the player allowed or denied it. No HTTP here: the routes
// (api/deviceroutes, api/oauthroutes) translate.
#pragma once

#include "broker.h"

namespace latchkey {

//! What POST /oauth/device_authorization answers (RFC 8628 §3.2).
struct DeviceAuthorization
{
    QString deviceCode;
    QString userCode; //!< "BCDF-GHJK"
    QString verificationUri;
    QString verificationUriComplete;
    qint64 expiresIn = 0;
    int interval = 0;
};

//! A code the player typed that names a pending device code.
struct DeviceEntry
{
    QString hash;     //!< of the device code
    QString userCode; //!< "BCDF-GHJK"
    const Config::Client *client = nullptr;
};

//! The player's answer on the "Allow <game>?" page.
struct DeviceDecision
{
    bool allowed = false;
    QString clientName;
};

//! One per worker thread, beside its Broker.
class DeviceGrant
{
public:
    static constexpr qint64 lifetimeSecs = 600;
    static constexpr int intervalSecs = 5;
    static constexpr int slowDownSecs = 5; //!< added to the interval by every slow_down
    //! Wrong codes one address (an IPv6 /64) may type in a minute, on all instances.
    static constexpr int wrongCodesPerMinute = 10;
    //! The user code's alphabet: consonants only, no look-alikes, no words (RFC 8628 §6.1).
    static constexpr QLatin1StringView alphabet{"BCDFGHJKLMNPQRSTVWXZ"};

    DeviceGrant(Broker &broker, Storage &storage, SessionService &sessions, AuditLog &log,
                Clock clock);

    //! POST /oauth/device_authorization: invalid_client for an unknown client or one without
    //! `device: true`.
    Result<DeviceAuthorization, OAuthRefusal> authorize(const QString &clientId,
                                                        const ClientInfo &client);
    //! The pending code \a typed names (case, spaces and dashes do not matter). NotFound for
    //! a wrong or expired code, which counts against the address; RateLimited (with the
    //! wait) once it typed wrongCodesPerMinute wrong codes this minute.
    Result<DeviceEntry> find(const QString &typed, const ClientInfo &client);
    //! grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.5).
    Result<IssuedSession, OAuthRefusal> poll(const QString &deviceCode, const QString &clientId,
                                             const ClientInfo &client);
    //! POST /device/decision with the confirmation's ticket.
    Result<DeviceDecision> decide(const QString &ticket, bool allow, const ClientInfo &client);

    //! "bcdf ghjk", "BCDF-GHJK" → "BCDFGHJK"; empty when it cannot be a user code.
    static QString normalized(const QString &typed);
    //! "BCDFGHJK" → "BCDF-GHJK".
    static QString formatted(const QString &userCode);

private:
    qint64 nowMs() const { return m_clock(); }
    //! "device:" + the address's failure key: wrong codes share the failure table.
    static QString failureKey(const ClientInfo &client);
    //! Deletes expired codes (and old failure windows), at most once a minute per worker.
    void pruneExpired(qint64 nowSecs);

    Broker &m_broker;
    Storage &m_storage;
    SessionService &m_sessions;
    AuditLog &m_log;
    const Clock m_clock;
    qint64 m_prunedAt = 0;
};

} // namespace latchkey
