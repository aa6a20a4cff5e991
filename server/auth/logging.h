// The logging categories of latchkey_auth, declared once
// (QT_LOGGING_RULES="latchkey.*.debug=true").
#pragma once

#include <QLoggingCategory>

namespace latchkey {

Q_DECLARE_LOGGING_CATEGORY(lcProvider)
Q_DECLARE_LOGGING_CATEGORY(lcAudit)

} // namespace latchkey
