// The injected wall clock: production reads the system time, tests move it by hand.
#pragma once

#include <QDateTime>

#include <functional>

namespace latchkey {

//! Milliseconds since the Unix epoch.
using Clock = std::function<qint64()>;

inline Clock systemClock()
{
    return [] { return QDateTime::currentMSecsSinceEpoch(); };
}

} // namespace latchkey
