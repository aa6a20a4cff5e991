// Connection limits: the total and each client's share.
#include "connectioncounter.h"

namespace latchkey {

QByteArray ConnectionCounter::clientKey(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    if (isV4)
        return QByteArray::number(v4);
    const Q_IPV6ADDR v6 = peer.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 8); // the /64
}

bool ConnectionCounter::tryAcquire(const QHostAddress &peer)
{
    const QByteArray key = clientKey(peer);
    const QMutexLocker lock(&m_mutex);
    if (m_total.load() >= m_maxTotal)
        return false;
    int &count = m_perAddress[key]; // m_maxPerAddress >= 1: a new entry always passes
    if (count >= m_maxPerAddress && !isInRanges(peer, m_uncapped))
        return false;
    ++count;
    m_total.fetch_add(1);
    return true;
}

void ConnectionCounter::release(const QHostAddress &peer)
{
    const QByteArray key = clientKey(peer);
    const QMutexLocker lock(&m_mutex);
    const auto it = m_perAddress.find(key);
    if (it == m_perAddress.end())
        return;
    if (--it.value() == 0)
        m_perAddress.erase(it);
    m_total.fetch_sub(1);
}

} // namespace latchkey
