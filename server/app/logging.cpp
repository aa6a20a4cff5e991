// The logging categories of latchkey_app and their names.
#include "logging.h"

namespace latchkey {

Q_LOGGING_CATEGORY(lcServer, "latchkey.server")

} // namespace latchkey
