// A monotonic millisecond clock for connection deadlines (never the wall clock).
#pragma once

#include <QtGlobal>

#include <chrono>

namespace latchkey {

inline qint64 monotonicMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

} // namespace latchkey
