// The logging categories of latchkey_api and their names.
#include "logging.h"

namespace latchkey {

Q_LOGGING_CATEGORY(lcDevIdp, "latchkey.devidp")
Q_LOGGING_CATEGORY(lcEvents, "latchkey.events")

} // namespace latchkey
