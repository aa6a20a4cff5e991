// The other instances' changes, for this process's ChangeFeed: LISTEN latchkey_changes on a
// PostgreSQL connection of its own (migration 009's triggers NOTIFY every change that makes a
// cached session stale), on a thread of its own.
#pragma once

#include "changefeed.h"

#include "config/config.h"

#include <latchkey/clock.h>

#include <QObject>
#include <QThread>

namespace latchkey {

//! Proves itself with heartbeats: every beatMs a second connection NOTIFYs "hb:<id>:<ms>"; a
//! heartbeat heard back means every change committed before it was sent has been published
//! (PostgreSQL delivers notifications in commit order), and ChangeFeed trusts the caches for
//! ChangeFeed::heartbeatValidMs after it. Nothing heard for silentMs, or a heartbeat that
//! cannot be sent: the connections are dropped (ChangeFeed::listenerDown(): caches are
//! bypassed and then emptied) and opened again, waiting 250 ms doubling to 5 s between tries.
class ChangeListener
{
public:
    static constexpr int beatMs = 200;
    static constexpr qint64 silentMs = 3000;
    static constexpr const char channel[] = "latchkey_changes";

    ChangeListener(const Config::Database &config, ChangeFeed &feed, Clock clock);
    ~ChangeListener(); //!< stops the thread

private:
    QThread m_thread;
};

} // namespace latchkey
