// The logging categories of latchkey_auth and their names.
#include "logging.h"

namespace latchkey {

Q_LOGGING_CATEGORY(lcProvider, "latchkey.provider")
Q_LOGGING_CATEGORY(lcAudit, "latchkey.audit")

} // namespace latchkey
