// Starting and stopping the library's event-loop thread, with or without a host QCoreApplication.
#include "librarythread_p.h"

#include <QCoreApplication>
#include <QMutex>

#include <future>
#include <thread>

namespace latchkey {

struct LibraryThread::Impl
{
    std::thread ownApplicationThread; //!< when we run our own QCoreApplication
    QCoreApplication *ownApplication = nullptr;
    std::unique_ptr<QThread> qtThread; //!< when the host has a QCoreApplication
};

namespace {
QMutex instanceMutex;
std::weak_ptr<LibraryThread> instance;
} // namespace

std::shared_ptr<LibraryThread> LibraryThread::acquire()
{
    QMutexLocker lock(&instanceMutex);
    if (std::shared_ptr<LibraryThread> existing = instance.lock())
        return existing;
    std::shared_ptr<LibraryThread> created(new LibraryThread);
    created->m_impl = std::make_unique<Impl>();
    Impl &impl = *created->m_impl;
    if (QCoreApplication::instance()) {
        impl.qtThread = std::make_unique<QThread>();
        impl.qtThread->setObjectName(QStringLiteral("latchkey-client"));
        impl.qtThread->start();
        created->m_thread = impl.qtThread.get();
    } else {
        std::promise<std::pair<QCoreApplication *, QThread *>> started;
        auto ready = started.get_future();
        impl.ownApplicationThread = std::thread([&started] {
            // QCoreApplication keeps references to these for its whole life.
            static int argc = 1;
            static char name[] = "latchkey";
            static char *argv[] = {name, nullptr};
            QCoreApplication app(argc, argv);
            QThread::currentThread()->setObjectName(QStringLiteral("latchkey-client"));
            started.set_value({&app, QThread::currentThread()});
            app.exec();
        });
        const auto [app, thread] = ready.get();
        impl.ownApplication = app;
        created->m_thread = thread;
    }
    instance = created;
    return created;
}

LibraryThread::~LibraryThread()
{
    if (m_impl->qtThread) {
        m_impl->qtThread->quit();
        m_impl->qtThread->wait();
    } else if (m_impl->ownApplicationThread.joinable()) {
        QMetaObject::invokeMethod(m_impl->ownApplication, &QCoreApplication::quit,
                                  Qt::QueuedConnection);
        m_impl->ownApplicationThread.join();
    }
}

} // namespace latchkey
