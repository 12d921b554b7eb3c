#pragma once
// Tasks completed per minute, passed and not passed, over the last hour:
// the numbers behind the throughput chart. Pure: the caller passes times.

#include <QList>

#include <map>

namespace dfm::gui {

class Throughput {
public:
    static constexpr int kMinutes = 60; /* the chart's window */

    /// One minute's completions.
    struct Bin {
        int passed = 0;
        int failed = 0; /* failed or cancelled */
        int total() const { return passed + failed; }
    };

    /// Counts `passed` and `failed` completions at `timeMs` (epoch ms).
    /// Counts older than an hour before the newest seen are dropped.
    void add(qint64 timeMs, int passed, int failed);
    void clear() { m_byMinute.clear(); }

    /// The kMinutes minutes ending with the one holding `nowMs`, oldest first.
    QList<Bin> bins(qint64 nowMs) const;

private:
    std::map<qint64, Bin> m_byMinute; /* minute since the epoch -> counts */
};

} // namespace dfm::gui
