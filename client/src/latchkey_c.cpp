// The C API over latchkey::Client: handles, plain structs, callbacks run inside
// latchkey_process_callbacks(). Nothing thrown leaves these functions.
#include <latchkey/client.h>
#include <latchkey/latchkey_c.h>

#include <QObject>

#include <cstring>
#include <memory>
#include <vector>

using latchkey::Client;
using latchkey::ErrorCode;
using latchkey::User;

struct latchkey_client
{
    std::unique_ptr<Client> client;
    latchkey_callback onLogout = nullptr;
    void *logoutData = nullptr;
    latchkey_callback loginDone = nullptr; //!< the running (or last) login's callback
    void *loginData = nullptr;
    int processing = 0; //!< nesting depth of latchkey_process_callbacks()
    bool freed = false; //!< latchkey_client_free() ran inside a callback
};

namespace {

latchkey_error toC(ErrorCode code)
{
    switch (code) { // no default: a new ErrorCode does not compile until it is mapped here
    case ErrorCode::BadRequest:
        return LATCHKEY_ERROR_BAD_REQUEST;
    case ErrorCode::InvalidJson:
        return LATCHKEY_ERROR_INVALID_JSON;
    case ErrorCode::MissingField:
        return LATCHKEY_ERROR_MISSING_FIELD;
    case ErrorCode::InvalidField:
        return LATCHKEY_ERROR_INVALID_FIELD;
    case ErrorCode::InvalidUsername:
        return LATCHKEY_ERROR_INVALID_USERNAME;
    case ErrorCode::InvalidPicture:
        return LATCHKEY_ERROR_INVALID_PICTURE;
    case ErrorCode::InvalidProviderToken:
        return LATCHKEY_ERROR_INVALID_PROVIDER_TOKEN;
    case ErrorCode::InvalidToken:
        return LATCHKEY_ERROR_INVALID_TOKEN;
    case ErrorCode::InvalidRefreshToken:
        return LATCHKEY_ERROR_INVALID_REFRESH_TOKEN;
    case ErrorCode::AccountBanned:
        return LATCHKEY_ERROR_ACCOUNT_BANNED;
    case ErrorCode::Forbidden:
        return LATCHKEY_ERROR_FORBIDDEN;
    case ErrorCode::NotFound:
        return LATCHKEY_ERROR_NOT_FOUND;
    case ErrorCode::MethodNotAllowed:
        return LATCHKEY_ERROR_METHOD_NOT_ALLOWED;
    case ErrorCode::UsernameTaken:
        return LATCHKEY_ERROR_USERNAME_TAKEN;
    case ErrorCode::IdentityInUse:
        return LATCHKEY_ERROR_IDENTITY_IN_USE;
    case ErrorCode::LastIdentity:
        return LATCHKEY_ERROR_LAST_IDENTITY;
    case ErrorCode::PayloadTooLarge:
        return LATCHKEY_ERROR_PAYLOAD_TOO_LARGE;
    case ErrorCode::UnsupportedMediaType:
        return LATCHKEY_ERROR_UNSUPPORTED_MEDIA_TYPE;
    case ErrorCode::RateLimited:
        return LATCHKEY_ERROR_RATE_LIMITED;
    case ErrorCode::HeadersTooLarge:
        return LATCHKEY_ERROR_HEADERS_TOO_LARGE;
    case ErrorCode::Internal:
        return LATCHKEY_ERROR_INTERNAL;
    case ErrorCode::ProviderUnavailable:
        return LATCHKEY_ERROR_PROVIDER_UNAVAILABLE;
    case ErrorCode::DatabaseUnavailable:
        return LATCHKEY_ERROR_DATABASE_UNAVAILABLE;
    case ErrorCode::ProviderTimeout:
        return LATCHKEY_ERROR_PROVIDER_TIMEOUT;
    case ErrorCode::NetworkError:
        return LATCHKEY_ERROR_NETWORK;
    case ErrorCode::Cancelled:
        return LATCHKEY_ERROR_CANCELLED;
    case ErrorCode::Timeout:
        return LATCHKEY_ERROR_TIMEOUT;
    }
    return LATCHKEY_ERROR_INTERNAL;
}

//! Runs \a f (a call without a result) when \a client is set; anything it throws ends here.
template <typename F> void guardedCall(latchkey_client *client, F &&f) noexcept
{
    if (!client)
        return;
    try {
        f(*client->client);
    } catch (...) {
    }
}

//! Runs \a f; anything it throws ends here as \a fallback.
template <typename R, typename F> R guarded(R fallback, F &&f) noexcept
{
    try {
        return f();
    } catch (...) {
        return fallback;
    }
}

//! The value of a C enum as C may pass it: any int. Read as the C++ enum it would be undefined
//! past the enumerators (UBSan aborts), so the bytes are read as an int.
template <typename E> int rawValue(const E &value)
{
    static_assert(sizeof(E) == sizeof(int));
    int raw = 0;
    std::memcpy(&raw, &value, sizeof raw);
    return raw;
}

QString text(const char *utf8)
{
    return utf8 ? QString::fromUtf8(utf8) : QString();
}

//! A result and the UTF-8 bytes its pointers refer to, alive while its callback runs.
class ResultView
{
public:
    explicit ResultView(latchkey_result_kind kind) { m_result.kind = kind; }

    void setError(const latchkey::Error &error)
    {
        m_result.error = toC(error.code);
        m_result.message = keep(error.message);
    }
    void setUser(const User &user)
    {
        m_user = {user.id,
                  keep(user.email),
                  keep(user.name),
                  keep(user.picture),
                  user.stars,
                  user.level,
                  user.isGuest ? 1 : 0,
                  keep(user.role),
                  user.createdAt.isValid() ? user.createdAt.toMSecsSinceEpoch() : 0,
                  user.lastLogin.isValid() ? user.lastLogin.toMSecsSinceEpoch() : 0};
        m_result.user = &m_user;
    }
    void setDeviceCode(const latchkey::DeviceCode &code)
    {
        m_result.user_code = keep(code.userCode);
        m_result.verification_uri = keep(code.verificationUri.toString());
        m_result.verification_uri_complete = keep(code.verificationUriComplete.toString());
        m_result.expires_at_ms = code.expiresAt.toMSecsSinceEpoch();
    }
    void setIdentities(const QList<latchkey::Identity> &identities)
    {
        for (const latchkey::Identity &i : identities) {
            m_identities.push_back({keep(i.provider), keep(i.subject), keep(i.email),
                                    i.createdAt.isValid() ? i.createdAt.toMSecsSinceEpoch() : 0});
        }
        m_result.identities = m_identities.data();
        m_result.identity_count = m_identities.size();
    }
    //! Runs \a done unless the client was freed by an earlier callback.
    void deliver(const latchkey_client *h, latchkey_callback done, void *data)
    {
        if (done && !h->freed)
            done(&m_result, data);
    }

private:
    const char *keep(const QString &s)
    {
        m_strings.push_back(std::make_unique<QByteArray>(s.toUtf8()));
        return m_strings.back()->constData();
    }

    latchkey_result m_result{
        LATCHKEY_RESULT_LOGIN, LATCHKEY_OK, "", nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0};
    latchkey_user m_user{};
    std::vector<latchkey_identity> m_identities;
    std::vector<std::unique_ptr<QByteArray>> m_strings;
};

//! The callback of a call that answers the player (refresh, rename, picture).
Client::UserCallback userReply(latchkey_client *h, latchkey_callback done, void *data)
{
    return [h, done, data](const latchkey::Result<User> &result) {
        ResultView view(LATCHKEY_RESULT_USER);
        if (result)
            view.setUser(*result);
        else
            view.setError(result.error());
        view.deliver(h, done, data);
    };
}

//! Starts a login through \a start when the arguments are usable.
template <typename F>
latchkey_error beginLogin(latchkey_client *h, latchkey_callback done, void *data, F &&start)
{
    if (!h || !done)
        return LATCHKEY_ERROR_BAD_ARGUMENT;
    return guarded(LATCHKEY_ERROR_INTERNAL, [&] {
        if (h->client->loginStatus() == latchkey::LoginStatus::InProgress)
            return LATCHKEY_ERROR_INVALID_FIELD;
        h->loginDone = done;
        h->loginData = data;
        return start() ? LATCHKEY_OK : LATCHKEY_ERROR_INVALID_FIELD;
    });
}

} // namespace

extern "C" {

latchkey_client *latchkey_client_create(const latchkey_config *config, latchkey_callback on_logout,
                                        void *user_data)
{
    if (!config || !config->server_url || !*config->server_url || !config->client_id ||
        !*config->client_id)
        return nullptr;
    return guarded<latchkey_client *>(nullptr, [&] {
        latchkey::ClientConfig c;
        c.serverUrl = QUrl(text(config->server_url));
        c.clientId = text(config->client_id);
        c.provider = text(config->provider);
        c.organization = text(config->organization);
        c.application = text(config->application);
        c.storageDirectory = text(config->storage_directory);
        const int storage = rawValue(config->secret_storage);
        c.secretStorage = storage == LATCHKEY_STORAGE_FILE ? latchkey::SecretStorage::File
                          : storage == LATCHKEY_STORAGE_KEYCHAIN
                              ? latchkey::SecretStorage::Keychain
                              : latchkey::SecretStorage::Automatic;
        if (config->login_timeout_ms > 0)
            c.loginTimeout = std::chrono::milliseconds(config->login_timeout_ms);
        if (config->request_timeout_ms > 0)
            c.requestTimeout = std::chrono::milliseconds(config->request_timeout_ms);
        auto h = std::make_unique<latchkey_client>();
        h->client = std::make_unique<Client>(std::move(c));
        h->onLogout = on_logout;
        h->logoutData = user_data;
        latchkey_client *raw = h.get();
        // Emitted inside processCallbacks(), on the caller's thread: direct connections.
        QObject::connect(h->client.get(), &Client::loggedIn, [raw](const User &user) {
            ResultView view(LATCHKEY_RESULT_LOGIN);
            view.setUser(user);
            view.deliver(raw, std::exchange(raw->loginDone, nullptr), raw->loginData);
        });
        QObject::connect(
            h->client.get(), &Client::loginFailed, [raw](const latchkey::Error &error) {
                ResultView view(LATCHKEY_RESULT_LOGIN);
                view.setError(error);
                view.deliver(raw, std::exchange(raw->loginDone, nullptr), raw->loginData);
            });
        QObject::connect(h->client.get(), &Client::loggedOut, [raw] {
            ResultView(LATCHKEY_RESULT_LOGOUT).deliver(raw, raw->onLogout, raw->logoutData);
        });
        return h.release();
    });
}

void latchkey_client_free(latchkey_client *client)
{
    if (!client)
        return;
    if (client->processing > 0) { // inside a callback: latchkey_process_callbacks() frees it
        client->freed = true;
        return;
    }
    guardedCall(client, [client](Client &) {
        delete client; // abandons whatever is in flight; its callbacks never run
    });
}

int latchkey_process_callbacks(latchkey_client *client)
{
    if (!client || client->freed)
        return 0;
    ++client->processing;
    const int ran = guarded(0, [&] { return client->client->processCallbacks(); });
    if (--client->processing == 0 && client->freed) {
        client->processing = 0;
        client->freed = false;
        latchkey_client_free(client);
    }
    return ran;
}

latchkey_error latchkey_login(latchkey_client *client, latchkey_callback done, void *user_data)
{
    return beginLogin(client, done, user_data, [&] { return client->client->login({}); });
}

latchkey_error latchkey_login_as_guest(latchkey_client *client, latchkey_callback done,
                                       void *user_data)
{
    return beginLogin(client, done, user_data, [&] { return client->client->loginAsGuest({}); });
}

latchkey_error latchkey_login_with_device_code(latchkey_client *client, latchkey_callback done,
                                               void *user_data)
{
    return beginLogin(client, done, user_data, [&] {
        return client->client->loginWithDeviceCode(
            [client, done, user_data](const latchkey::DeviceCode &code) {
                ResultView view(LATCHKEY_RESULT_DEVICE_CODE);
                view.setDeviceCode(code);
                view.deliver(client, done, user_data);
            },
            {});
    });
}

latchkey_error latchkey_login_with_steam_ticket(latchkey_client *client, const char *hex_ticket,
                                                latchkey_callback done, void *user_data)
{
    if (!hex_ticket)
        return LATCHKEY_ERROR_BAD_ARGUMENT;
    return beginLogin(client, done, user_data,
                      [&] { return client->client->loginWithSteamTicket(text(hex_ticket), {}); });
}

latchkey_error latchkey_load_stored_credentials(latchkey_client *client, latchkey_callback done,
                                                void *user_data)
{
    bool stored = false;
    const latchkey_error started = beginLogin(client, done, user_data, [&] {
        stored = client->client->loadStoredCredentials();
        return true;
    });
    if (started != LATCHKEY_OK)
        return started;
    if (!stored) {
        client->loginDone = nullptr;
        return LATCHKEY_ERROR_NOT_FOUND;
    }
    return LATCHKEY_OK;
}

void latchkey_cancel_login(latchkey_client *client)
{
    guardedCall(client, [&](Client &c) { c.cancelLogin(); });
}

void latchkey_refresh(latchkey_client *client, latchkey_callback done, void *user_data)
{
    guardedCall(client, [&](Client &c) { c.refreshTokens(userReply(client, done, user_data)); });
}

void latchkey_update_username(latchkey_client *client, const char *username, latchkey_callback done,
                              void *user_data)
{
    guardedCall(client, [&](Client &c) {
        c.updateUsername(text(username), userReply(client, done, user_data));
    });
}

void latchkey_update_picture(latchkey_client *client, const char *picture_url,
                             latchkey_callback done, void *user_data)
{
    guardedCall(client, [&](Client &c) {
        c.updatePicture(text(picture_url), userReply(client, done, user_data));
    });
}

void latchkey_update_username_from_steam(latchkey_client *client, latchkey_callback done,
                                         void *user_data)
{
    guardedCall(client,
                [&](Client &c) { c.updateUsernameFromSteam(userReply(client, done, user_data)); });
}

void latchkey_identities(latchkey_client *client, latchkey_callback done, void *user_data)
{
    guardedCall(client, [&](Client &c) {
        c.identities(
            [client, done, user_data](const latchkey::Result<QList<latchkey::Identity>> &list) {
                ResultView view(LATCHKEY_RESULT_IDENTITIES);
                if (list)
                    view.setIdentities(*list);
                else
                    view.setError(list.error());
                view.deliver(client, done, user_data);
            });
    });
}

void latchkey_logout(latchkey_client *client)
{
    guardedCall(client, [&](Client &c) { c.logout(); });
}

int latchkey_is_logged_in(const latchkey_client *client)
{
    return client && client->client->isLoggedIn() ? 1 : 0;
}

int latchkey_is_live(const latchkey_client *client)
{
    return client && client->client->isLive() ? 1 : 0;
}

const char *latchkey_error_name(latchkey_error error)
{
    const int value = rawValue(error);
    if (value == LATCHKEY_OK)
        return "ok";
    if (value == LATCHKEY_ERROR_BAD_ARGUMENT)
        return "bad_argument";
    for (int i = 0; i <= int(ErrorCode::Timeout); ++i) {
        if (toC(ErrorCode(i)) == value)
            return latchkey::wireName(ErrorCode(i)).data(); // static, NUL-terminated literals
    }
    return "unknown";
}

} // extern "C"
