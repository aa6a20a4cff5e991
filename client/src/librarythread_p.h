// The one thread, per process, on which every Client's network work runs.
#pragma once

#include <QThread>

#include <memory>

namespace latchkey {

//! Started by the first Client, stopped when the last one is gone. In a host without a
//! QCoreApplication (SDL, GLFW, a custom engine) it creates one on itself and runs its
//! loop; in a Qt app it is a QThread with its own event loop.
class LibraryThread
{
public:
    static std::shared_ptr<LibraryThread> acquire();
    ~LibraryThread();

    QThread *thread() const { return m_thread; }

private:
    LibraryThread() = default;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    QThread *m_thread = nullptr;
};

} // namespace latchkey
