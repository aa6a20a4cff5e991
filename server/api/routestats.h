// One route's request counters in one worker: answers by status and a latency histogram.
// Written only by the worker, read by the metrics scrape (auth/authmetrics.h's Counter).
#pragma once

#include "auth/authmetrics.h"

#include <QByteArray>

#include <array>

namespace latchkey {

struct RouteStats
{
    //! The statuses counted one by one; any other counts under its class ("2xx" … "5xx").
    static constexpr std::array<int, 21> statuses{200, 201, 204, 301, 302, 303, 304,
                                                  400, 401, 403, 404, 405, 409, 413,
                                                  415, 429, 431, 500, 502, 503, 504};
    //! Upper bounds of the latency buckets, microseconds (the last bucket is +Inf).
    static constexpr std::array<qint64, 13> bucketMicros{500,     1000,    2500,   5000,   10000,
                                                         25000,   50000,   100000, 250000, 500000,
                                                         1000000, 2500000, 5000000};
    static constexpr int otherStatuses = 5; //!< 1xx … 5xx not in the list

    QByteArray method; //!< "GET"
    QByteArray route;  //!< the pattern: "/admin/users/{id}"; "unmatched" for 404/405 misses
    std::array<Counter, statuses.size() + otherStatuses> answers;
    std::array<Counter, bucketMicros.size() + 1> buckets; //!< not cumulative
    Counter sumMicros;

    void record(int status, qint64 micros)
    {
        const auto known = std::find(statuses.begin(), statuses.end(), status);
        answers[known != statuses.end()
                    ? known - statuses.begin()
                    : statuses.size() + std::clamp(status / 100 - 1, 0, otherStatuses - 1)]
            .add();
        const auto bucket = std::lower_bound(bucketMicros.begin(), bucketMicros.end(), micros);
        buckets[bucket - bucketMicros.begin()].add();
        sumMicros.add(quint64(std::max<qint64>(micros, 0)));
    }
    //! The label of answers[i]: "200", …, "2xx".
    static QByteArray statusLabel(size_t i)
    {
        return i < statuses.size() ? QByteArray::number(statuses[i])
                                   : QByteArray::number(i - statuses.size() + 1) + "xx";
    }
};

} // namespace latchkey
