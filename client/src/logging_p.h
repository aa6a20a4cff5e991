// The client library's logging categories, declared once
// (QT_LOGGING_RULES="latchkey.client*.debug=true").
#pragma once

#include <QLoggingCategory>

namespace latchkey {

Q_DECLARE_LOGGING_CATEGORY(lcEngine) // latchkey.client: sessions, refresh, API calls
Q_DECLARE_LOGGING_CATEGORY(lcFlow)   // latchkey.client.login: the browser step
Q_DECLARE_LOGGING_CATEGORY(lcStore)  // latchkey.client.store: keychain and file storage

} // namespace latchkey
