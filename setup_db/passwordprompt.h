// Asking the operator for the PostgreSQL superuser's password on the terminal.
#pragma once

#include <latchkey/error.h>

#include <QString>

namespace latchkey {

//! Shows \a prompt on stderr and reads one line from stdin without echoing it (echo comes
//! back even when the operator interrupts). Cancelled at the end of input.
Result<QString> promptHidden(const QString &prompt);

} // namespace latchkey
