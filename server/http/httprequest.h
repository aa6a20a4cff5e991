// One parsed HTTP/1.1 request as handlers see it.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QPair>

#include <algorithm>

namespace latchkey {

struct HttpRequest
{
    QByteArray method;
    QByteArray path;                              //!< without the query
    QByteArray query;                             //!< after '?', undecoded
    QList<QPair<QByteArray, QByteArray>> headers; //!< names lower-cased
    QByteArray body;
    QHostAddress peer;

    //! Value of the first header named \a lowerName, or a null QByteArray.
    QByteArray header(QByteArrayView lowerName) const
    {
        for (const auto &h : headers) {
            if (h.first == lowerName)
                return h.second;
        }
        return {};
    }

    //! Whether a header named \a lowerName was sent, even with an empty value.
    bool hasHeader(QByteArrayView lowerName) const
    {
        return std::any_of(headers.cbegin(), headers.cend(),
                           [lowerName](const auto &h) { return h.first == lowerName; });
    }

    //! The Content-Type's media type, lower-cased, without parameters ("application/json"
    //! for "Application/JSON; charset=utf-8"); empty without a Content-Type. The one place
    //! that parses it: the router decides per route which media types it takes.
    QByteArray mediaType() const;
};

} // namespace latchkey
