// The client library's logging categories and their names.
#include "logging_p.h"

namespace latchkey {

Q_LOGGING_CATEGORY(lcEngine, "latchkey.client")
Q_LOGGING_CATEGORY(lcFlow, "latchkey.client.login")
Q_LOGGING_CATEGORY(lcStore, "latchkey.client.store")

} // namespace latchkey
