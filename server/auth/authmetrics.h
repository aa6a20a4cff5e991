// One worker's counters of sign-ins and refreshes, read by the metrics scrape on another
// thread. Each counter has one writer (its worker): an increment is a relaxed load and store,
// no lock and no locked instruction on the request path.
#pragma once

#include <QString>

#include <array>
#include <atomic>

namespace latchkey {

//! A counter with one writing thread and any number of reading ones.
class Counter
{
public:
    void add(quint64 n = 1)
    {
        m_value.store(m_value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    quint64 value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<quint64> m_value{0};
};

class AuthMetrics
{
public:
    enum class SignIn { Success, Failure, Count };
    enum class Refresh { Rotated, Grace, Reuse, Refused, Count };
    //! Providers beyond this many (names are configuration) count as "other".
    static constexpr int maxProviders = 32;

    //! Writer thread only.
    void signIn(QStringView provider, SignIn outcome)
    {
        m_signIns[slot(provider)][int(outcome)].add();
    }
    void refresh(Refresh outcome) { m_refreshes[int(outcome)].add(); }
    //! A Bearer check the session cache answered (\a hit) or sent to the database.
    void sessionCache(bool hit) { m_cache[hit ? 1 : 0].add(); }

    // Any thread.
    int providerCount() const { return m_published.load(std::memory_order_acquire); }
    const QString &provider(int i) const { return m_names[i]; }
    quint64 signIns(int provider, SignIn outcome) const
    {
        return m_signIns[provider][int(outcome)].value();
    }
    quint64 refreshes(Refresh outcome) const { return m_refreshes[int(outcome)].value(); }
    quint64 sessionCacheLookups(bool hit) const { return m_cache[hit ? 1 : 0].value(); }

private:
    //! The slot of \a provider: found, or added and published (the name is written before
    //! the count that makes readers see it); "other" (slot 0) once every slot is taken.
    int slot(QStringView provider)
    {
        const int n = m_published.load(std::memory_order_relaxed);
        for (int i = 0; i < n; ++i) {
            if (m_names[i] == provider)
                return i;
        }
        if (n == maxProviders)
            return 0;
        m_names[n] = provider.toString();
        m_published.store(n + 1, std::memory_order_release);
        return n;
    }

    std::array<QString, maxProviders> m_names{QStringLiteral("other")};
    std::atomic<int> m_published{1};
    std::array<std::array<Counter, int(SignIn::Count)>, maxProviders> m_signIns;
    std::array<Counter, int(Refresh::Count)> m_refreshes;
    std::array<Counter, 2> m_cache; //!< misses, hits
};

} // namespace latchkey
