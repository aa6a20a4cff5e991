// A game's frame loop in a test: run the library's callbacks, check, let the test thread's
// event loop (in-process servers, stand-ins) run, until done or out of time.
#pragma once

#include <QElapsedTimer>
#include <QTest>

#include <functional>

namespace latchkey::test {

//! Calls \a frame (e.g. client.processCallbacks()) every 10 ms until \a done; false after
//! \a timeoutMs.
inline bool runFrames(const std::function<void()> &frame, const std::function<bool()> &done,
                      int timeoutMs = 20000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        frame();
        if (done())
            return true;
        QTest::qWait(10);
    }
    return false;
}

} // namespace latchkey::test
