// The parts of a request that need parsing beyond http_parser's.
#include "httprequest.h"

namespace latchkey {

QByteArray HttpRequest::mediaType() const
{
    const QByteArray contentType = header("content-type");
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
}

} // namespace latchkey
