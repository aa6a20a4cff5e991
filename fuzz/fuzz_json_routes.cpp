// One harness for the JSON body of every route: the first byte picks the route, the rest is
// the body, sent as application/json with a valid Bearer token where the route wants one.
// "$ACCESS" and "$REFRESH" in a body become a live access or refresh token (a new sign-in),
// so that mutations around real tokens are tried too. No body may make the server answer 5xx.
#include "fuzzserver.h"

namespace {

struct Route
{
    const char *path;
    bool bearer;
};
const Route routes[] = {{"/api/login", false},          {"/api/refresh", false},
                        {"/api/update_username", true}, {"/api/update_picture", true},
                        {"/api/logout", true},          {"/api/me", true},
                        {"/api/tokens", true}};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace latchkey::fuzz;
    const FuzzServer &server = FuzzServer::instance();
    if (size == 0)
        return 0;
    const Route &route = routes[data[0] % std::size(routes)];
    QByteArray body(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    QByteArray bearer = server.accessToken();
    const bool logout = QByteArrayView(route.path) == "/api/logout";
    if (logout || body.contains("$ACCESS") || body.contains("$REFRESH")) {
        // A session of its own: a logout must not end the one every other input uses.
        const auto [access, refresh] = server.signIn();
        body.replace("$ACCESS", access).replace("$REFRESH", refresh);
        if (logout)
            bearer = access;
    }
    const QByteArray method = QByteArrayView(route.path) == "/api/me" ? "GET" : "POST";
    QByteArray request = method + ' ' + route.path +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    if (route.bearer)
        request += "Authorization: Bearer " + bearer + "\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) +
               "\r\nConnection: close\r\n\r\n" + body;
    requireNoServerError(request, server.exchange({request}, FuzzServer::End::KeepOpen));
    return 0;
}
