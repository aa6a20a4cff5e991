// X-Forwarded-For, walked from the right through the trusted hops only.
#include "forwarded.h"

namespace latchkey {

bool parseAddressRange(const QString &text, QPair<QHostAddress, int> *range)
{
    const QHostAddress single(text);
    if (!single.isNull()) {
        *range = {single, single.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
        return true;
    }
    *range = QHostAddress::parseSubnet(text);
    return range->second >= 0;
}

bool isInRanges(const QHostAddress &address, const AddressRanges &ranges)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    const QHostAddress plain = isV4 ? QHostAddress(v4) : address; // ::ffff:10.0.0.1 is 10.0.0.1
    for (const auto &range : ranges) {
        if (plain.isInSubnet(range))
            return true;
    }
    return false;
}

QHostAddress clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor,
                           const AddressRanges &trustedProxies)
{
    if (forwardedFor.isEmpty() || !isInRanges(peer, trustedProxies))
        return peer;
    QHostAddress client = peer;
    const QList<QByteArray> hops = forwardedFor.split(',');
    for (auto it = hops.crbegin(); it != hops.crend(); ++it) {
        QByteArray text = it->trimmed();
        if (text.startsWith('[') && text.endsWith(']'))
            text = text.mid(1, text.size() - 2);
        const QHostAddress hop(QString::fromLatin1(text));
        if (hop.isNull())
            break;
        client = hop;
        if (!isInRanges(hop, trustedProxies))
            break;
    }
    return client;
}

} // namespace latchkey
