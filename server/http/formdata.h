// application/x-www-form-urlencoded: a query string or a form body, as name → value.
#pragma once

#include <latchkey/error.h>

#include <QByteArrayView>
#include <QHash>
#include <QString>

namespace latchkey {

using FormFields = QHash<QString, QString>;

//! Decodes \a text ('+' is a space, %XX UTF-8). BadRequest when a name appears twice
//! (RFC 6749 §3.1: OAuth parameters must not be repeated).
Result<FormFields> parseForm(QByteArrayView text);

} // namespace latchkey
