// The server's open connections, in all and per client address.
#pragma once

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
    ConnectionCounter(int maxTotal, int maxPerAddress)
        : m_maxTotal(maxTotal), m_maxPerAddress(maxPerAddress)
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
    std::atomic<int> m_total{0};
    QMutex m_mutex;
    QHash<QByteArray, int> m_perAddress; //!< guarded by m_mutex; only addresses with connections
};

} // namespace latchkey
