// The server's open connections, in all and per client address.
#pragma once

#include "forwarded.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QMutex>

#include <atomic>

namespace latchkey {

//! Shared by the acceptor thread and the workers: taken once when a connection is accepted,
//! given back once when it closes (never per request). An IPv6 client is its /64 (one
//! subscriber's block), an IPv4 client (mapped or not) its address.
class ConnectionCounter
{
public:
    //! \a uncapped: addresses only the total limits (the trusted load balancers, which carry
    //! every player's connections).
    ConnectionCounter(int maxTotal, int maxPerAddress, AddressRanges uncapped = {})
        : m_maxTotal(maxTotal), m_maxPerAddress(maxPerAddress), m_uncapped(std::move(uncapped))
    {
    }

    //! Counts a connection from \a peer; false (and nothing counted) past either limit.
    bool tryAcquire(const QHostAddress &peer);
    void release(const QHostAddress &peer);
    int total() const { return m_total.load(); }

    static QByteArray clientKey(const QHostAddress &peer);

private:
    const int m_maxTotal;
    const int m_maxPerAddress;
    const AddressRanges m_uncapped;
    std::atomic<int> m_total{0};
    QMutex m_mutex;
    QHash<QByteArray, int> m_perAddress; //!< guarded by m_mutex; only addresses with connections
};

} // namespace latchkey
