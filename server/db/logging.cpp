// The logging categories of latchkey_db and their names.
#include "logging.h"

namespace latchkey {

Q_LOGGING_CATEGORY(lcDb, "latchkey.db")

} // namespace latchkey
