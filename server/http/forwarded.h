// Who the client is behind a load balancer: X-Forwarded-For, believed only from trusted proxies.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace latchkey {

using AddressRanges = QList<QPair<QHostAddress, int>>; //!< (address, prefix length)

//! Parses "10.0.0.0/8" or "::1" (a single address is its own range); false when it is neither.
bool parseAddressRange(const QString &text, QPair<QHostAddress, int> *range);

bool isInRanges(const QHostAddress &address, const AddressRanges &ranges);

//! The client's address: \a peer itself unless it is one of \a trustedProxies; then the
//! right-most address of \a forwardedFor (all X-Forwarded-For values, comma-joined) that is
//! not a trusted proxy — the hops a trusted proxy added — as nginx's real_ip does. An entry
//! that is no address stops the walk at the last trusted hop.
QHostAddress clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor,
                           const AddressRanges &trustedProxies);

} // namespace latchkey
