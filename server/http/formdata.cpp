// Form decoding for the OAuth-style endpoints (queries and form bodies).
#include "formdata.h"

#include <QByteArray>
#include <QList>

namespace latchkey {

namespace {
QString decode(QByteArrayView part)
{
    QByteArray bytes = part.toByteArray();
    bytes.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}
} // namespace

Result<FormFields> parseForm(QByteArrayView text)
{
    FormFields fields;
    if (text.isEmpty())
        return fields;
    const QList<QByteArray> pairs = text.toByteArray().split('&');
    for (QByteArrayView pair : pairs) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        const QString name = decode(equals < 0 ? pair : pair.first(equals));
        if (fields.contains(name))
            return Error{ErrorCode::BadRequest,
                         QStringLiteral("a parameter appears more than once")};
        fields.insert(name, equals < 0 ? QString() : decode(pair.sliced(equals + 1)));
    }
    return fields;
}

} // namespace latchkey
