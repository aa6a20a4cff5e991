// The one table that maps error codes to HTTP statuses and wire names.
#include <latchkey/error.h>

#include <iterator>

namespace latchkey {

namespace {
struct Entry
{
    ErrorCode code;
    int status;
    QLatin1StringView wire;
};

constexpr Entry table[] = {
    {ErrorCode::BadRequest, 400, QLatin1StringView("bad_request")},
    {ErrorCode::InvalidJson, 400, QLatin1StringView("invalid_json")},
    {ErrorCode::MissingField, 400, QLatin1StringView("missing_field")},
    {ErrorCode::InvalidField, 400, QLatin1StringView("invalid_field")},
    {ErrorCode::InvalidUsername, 400, QLatin1StringView("invalid_username")},
    {ErrorCode::InvalidPicture, 400, QLatin1StringView("invalid_picture")},
    {ErrorCode::InvalidProviderToken, 401, QLatin1StringView("invalid_provider_token")},
    {ErrorCode::InvalidToken, 401, QLatin1StringView("invalid_token")},
    {ErrorCode::InvalidRefreshToken, 401, QLatin1StringView("invalid_refresh_token")},
    {ErrorCode::AccountBanned, 403, QLatin1StringView("account_banned")},
    {ErrorCode::Forbidden, 403, QLatin1StringView("forbidden")},
    {ErrorCode::NotFound, 404, QLatin1StringView("not_found")},
    {ErrorCode::MethodNotAllowed, 405, QLatin1StringView("method_not_allowed")},
    {ErrorCode::UsernameTaken, 409, QLatin1StringView("username_taken")},
    {ErrorCode::IdentityInUse, 409, QLatin1StringView("identity_in_use")},
    {ErrorCode::LastIdentity, 409, QLatin1StringView("last_identity")},
    {ErrorCode::PayloadTooLarge, 413, QLatin1StringView("payload_too_large")},
    {ErrorCode::UnsupportedMediaType, 415, QLatin1StringView("unsupported_media_type")},
    {ErrorCode::RateLimited, 429, QLatin1StringView("rate_limited")},
    {ErrorCode::HeadersTooLarge, 431, QLatin1StringView("headers_too_large")},
    {ErrorCode::Internal, 500, QLatin1StringView("internal_error")},
    {ErrorCode::ProviderUnavailable, 503, QLatin1StringView("provider_unavailable")},
    {ErrorCode::DatabaseUnavailable, 503, QLatin1StringView("database_unavailable")},
    {ErrorCode::ProviderTimeout, 504, QLatin1StringView("provider_timeout")},
    {ErrorCode::NetworkError, 0, QLatin1StringView("network_error")},
    {ErrorCode::Cancelled, 0, QLatin1StringView("cancelled")},
    {ErrorCode::Timeout, 0, QLatin1StringView("timeout")},
};

const Entry &entry(ErrorCode code)
{
    for (const Entry &e : table) {
        if (e.code == code)
            return e;
    }
    return table[std::size(table) - 1]; // unreachable: every code is in the table
}
} // namespace

int httpStatus(ErrorCode code)
{
    return entry(code).status;
}

QLatin1StringView wireName(ErrorCode code)
{
    return entry(code).wire;
}

std::optional<ErrorCode> errorCodeFromWire(QStringView wire)
{
    for (const Entry &e : table) {
        if (wire == e.wire)
            return e.code;
    }
    return std::nullopt;
}

} // namespace latchkey
