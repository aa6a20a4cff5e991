// The router with an arbitrary method, path, headers and body, framed correctly so that
// every input reaches the route table and the checks each route declares (media type, JSON,
// Bearer, database), then the handlers. Half the inputs carry a valid Bearer token. No
// input may make the server answer 5xx.
#include "fuzzserver.h"

#include <fuzzer/FuzzedDataProvider.h>

namespace {

const char *const methods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"};
const char *const paths[] = {"/api/login",
                             "/api/refresh",
                             "/api/update_username",
                             "/api/update_picture",
                             "/api/me",
                             "/api/logout",
                             "/health",
                             "/health/ready",
                             "/dev-idp/authorize",
                             "/dev-idp/approve",
                             "/dev-idp/token",
                             "/dev-idp/jwks",
                             "/dev-idp/.well-known/openid-configuration",
                             "/oauth/authorize",
                             "/oauth/callback/dev",
                             "/oauth/token",
                             "/oauth/revoke",
                             "/.well-known/oauth-authorization-server",
                             "/api/login/guest",
                             "/api/identities/link",
                             "/api/identities",
                             "/api/identities/guest",
                             "/oauth/device_authorization",
                             "/device",
                             "/device/decision",
                             "/api/sessions",
                             "/api/sessions/1",
                             "/api/preferences",
                             "/api/me/export",
                             "/api/tokens",
                             "/api/tokens/1",
                             "/admin/users",
                             "/admin/users/1",
                             "/admin/users/1/sessions",
                             "/admin/sessions/1",
                             "/admin/audit"};
const char *const headerNames[] = {"Content-Type", "Authorization", "Host",
                                   "Expect",       "Connection",    "X-Forwarded-For",
                                   "User-Agent",   "Accept",        "Cookie"};

//! Keeps only bytes allowed in the part it is for: no CR, LF or NUL anywhere, no space or
//! other controls in a method, target or header name.
QByteArray clean(std::string text, bool token)
{
    QByteArray out;
    for (unsigned char c : text) {
        if (c == '\r' || c == '\n' || c == 0 || (token && (c <= ' ' || c == ':' || c == 0x7f)))
            continue;
        out.append(char(c));
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace latchkey::fuzz;
    const FuzzServer &server = FuzzServer::instance();
    FuzzedDataProvider in(data, size);
    QByteArray method = in.ConsumeBool() ? QByteArray(in.PickValueInArray(methods))
                                         : clean(in.ConsumeRandomLengthString(10), true);
    if (method.isEmpty())
        method = "GET";
    QByteArray target =
        QByteArray(in.PickValueInArray(paths)) + clean(in.ConsumeRandomLengthString(40), true);
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (in.ConsumeBool())
        request += "Authorization: Bearer " + server.accessToken() + "\r\n";
    for (int n = in.ConsumeIntegralInRange(0, 5); n > 0; --n) {
        const QByteArray name = in.ConsumeBool() ? QByteArray(in.PickValueInArray(headerNames))
                                                 : clean(in.ConsumeRandomLengthString(16), true);
        request += (name.isEmpty() ? QByteArray("X") : name) + ": " +
                   clean(in.ConsumeRandomLengthString(64), false) + "\r\n";
    }
    const std::string body = in.ConsumeRemainingBytesAsString();
    request += "Content-Length: " + QByteArray::number(qsizetype(body.size())) +
               "\r\nConnection: close\r\n\r\n" + QByteArray::fromStdString(body);
    requireNoServerError(request, server.exchange({request}, FuzzServer::End::KeepOpen));
    return 0;
}
