// The error vocabulary both sides share: a stable code for programs, a message for people.
#pragma once

#include <latchkey/latchkey_common_export.h>

#include <QLatin1StringView>
#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace latchkey {

//! Stable error codes. The server maps each to an HTTP status and a JSON `code` string;
//! the client maps the string back with the same table (errorCodeFromWire()).
enum class ErrorCode {
    BadRequest,           //!< 400 malformed HTTP
    InvalidJson,          //!< 400 body is not a JSON object
    MissingField,         //!< 400 a required field is absent
    InvalidField,         //!< 400 a field has the wrong type or an unusable value
    InvalidUsername,      //!< 400 username breaks the rules
    InvalidPicture,       //!< 400 picture is not an https URL of at most 2048 characters
    InvalidProviderToken, //!< 401 the identity provider's token was refused
    InvalidToken,         //!< 401 the access token is missing, bad, expired or its session ended
    InvalidRefreshToken,  //!< 401 the refresh token is bad, expired, revoked or reused
    AccountBanned,        //!< 403 the account is banned (by an operator, or Steam's VAC ban)
    Forbidden,            //!< 403 the caller may not do this (not an admin, or a token's scope)
    NotFound,             //!< 404
    MethodNotAllowed,     //!< 405
    UsernameTaken,        //!< 409
    IdentityInUse,        //!< 409 the provider account belongs to another user
    LastIdentity,         //!< 409 the only way left to sign in cannot be removed
    PayloadTooLarge,      //!< 413
    UnsupportedMediaType, //!< 415
    RateLimited,          //!< 429
    HeadersTooLarge,      //!< 431
    Internal,             //!< 500, never with details
    ProviderUnavailable,  //!< 503 the identity provider could not be reached
    DatabaseUnavailable,  //!< 503
    ProviderTimeout,      //!< 504 the identity provider did not answer in time
    // Client-side only: never sent by the server.
    NetworkError,
    Cancelled,
    Timeout,
};

//! HTTP status the server answers with for \a code (0 for client-side codes).
LATCHKEY_COMMON_EXPORT int httpStatus(ErrorCode code);
//! The JSON `code` string for \a code, e.g. "username_taken".
LATCHKEY_COMMON_EXPORT QLatin1StringView wireName(ErrorCode code);
//! The code a wire string names; std::nullopt for an unknown string.
LATCHKEY_COMMON_EXPORT std::optional<ErrorCode> errorCodeFromWire(QStringView wire);

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;        //!< for people; never holds secrets or internals
    int retryAfterSecs = 0; //!< when > 0, how long to wait before trying again (Retry-After)

    // The recurring errors, worded once.
    //! 503: the database cannot be reached (the server answers it, never 500).
    static Error databaseUnavailable()
    {
        return {ErrorCode::DatabaseUnavailable, QStringLiteral("the database is unavailable")};
    }
    //! 500 as a client sees it: nothing internal (the details are logged where they happen).
    static Error internal() { return {ErrorCode::Internal, QStringLiteral("internal error")}; }
    //! 429 from the failed-attempt limit: the client may try again in \a waitSecs (> 0).
    static Error tooManyFailures(int waitSecs)
    {
        return {ErrorCode::RateLimited, QStringLiteral("too many failed attempts; try again later"),
                waitSecs};
    }
    //! 404, also "no such row" between a store and its caller.
    static Error notFound(const QString &message) { return {ErrorCode::NotFound, message}; }
};

//! A value or an error, for fallible calls (no exceptions cross our boundaries). \a E is
//! Error everywhere but where a protocol defines its own refusals (an OAuth error, a page).
template <typename T, typename E = Error> class Result
{
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(E error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<0>(m_data); }
    T &value() & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }
    const E &error() const { return std::get<1>(m_data); }
    T valueOr(T fallback) const & { return ok() ? value() : std::move(fallback); }

private:
    std::variant<T, E> m_data;
};

//! For fallible calls with no value.
struct Done
{
};
using Status = Result<Done>;

} // namespace latchkey
