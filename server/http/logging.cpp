// The logging categories of latchkey_http and their names.
#include "logging.h"

namespace latchkey {

Q_LOGGING_CATEGORY(lcHttp, "latchkey.http")

} // namespace latchkey
