#include "throughput.h"

namespace dfm::gui {

namespace {
qint64 minuteOf(qint64 ms)
{
    return ms >= 0 ? ms / 60000 : (ms - 59999) / 60000;
}
} // namespace

void Throughput::add(qint64 timeMs, int passed, int failed)
{
    if (passed <= 0 && failed <= 0)
        return;
    Bin &b = m_byMinute[minuteOf(timeMs)];
    b.passed += qMax(0, passed);
    b.failed += qMax(0, failed);
    const qint64 oldest = m_byMinute.rbegin()->first - kMinutes;
    m_byMinute.erase(m_byMinute.begin(), m_byMinute.upper_bound(oldest));
}

QList<Throughput::Bin> Throughput::bins(qint64 nowMs) const
{
    QList<Bin> out(kMinutes);
    const qint64 last = minuteOf(nowMs);
    for (auto it = m_byMinute.lower_bound(last - kMinutes + 1); it != m_byMinute.end() && it->first <= last; ++it)
        out[int(it->first - (last - kMinutes + 1))] = it->second;
    return out;
}

} // namespace dfm::gui
