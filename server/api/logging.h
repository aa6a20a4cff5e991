// The logging categories of latchkey_api, declared once (QT_LOGGING_RULES="latchkey.*.debug=true").
#pragma once

#include <QLoggingCategory>

namespace latchkey {

Q_DECLARE_LOGGING_CATEGORY(lcDevIdp)
Q_DECLARE_LOGGING_CATEGORY(lcEvents)

} // namespace latchkey
