#include "throughputchart.h"

#include "palette.h"

#include <QPainter>

namespace dfm::gui {

ThroughputChart::ThroughputChart(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setToolTip(tr("Tasks completed per minute over the last hour: passed (green) and failed or cancelled (red)"));
}

void ThroughputChart::setBins(const QList<Throughput::Bin> &bins)
{
    if (bins.size() == m_bins.size()) {
        bool same = true;
        for (int i = 0; same && i < bins.size(); ++i)
            same = bins[i].passed == m_bins[i].passed && bins[i].failed == m_bins[i].failed;
        if (same)
            return;
    }
    m_bins = bins;
    update();
}

void ThroughputChart::setUnitemised(qint64 count)
{
    if (count != m_unitemised) {
        m_unitemised = count;
        update();
    }
}

void ThroughputChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.fillRect(rect(), palette().base());

    int peak = 0, passed = 0, failed = 0;
    for (const Throughput::Bin &b : m_bins) {
        peak = qMax(peak, b.total());
        passed += b.passed;
        failed += b.failed;
    }
    const QFontMetrics fm(font());
    const int line = fm.height();
    QString title = tr("Completed per minute, last hour: %1 passed, %2 failed").arg(passed).arg(failed);
    if (m_unitemised > 0)
        title += tr(" (and %1 earlier the daemon only counted)").arg(m_unitemised);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(8, 4, width() - 16, line), Qt::AlignLeft | Qt::AlignVCenter, title);

    // Plot area: a scale on the left, minute labels below.
    const QString peakText = QString::number(qMax(peak, 1));
    const int left = 12 + fm.horizontalAdvance(peakText);
    const QRect plot(left, 8 + line, width() - left - 12, height() - 8 - line - 6 - line);
    if (plot.width() < 10 || plot.height() < 10)
        return;
    const QColor grid = palette().color(QPalette::Mid);
    p.setPen(grid);
    p.drawLine(plot.bottomLeft(), plot.bottomRight());
    p.drawLine(plot.topLeft(), plot.bottomLeft());
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(0, plot.top() - line / 2, left - 4, line), Qt::AlignRight | Qt::AlignVCenter, peakText);
    p.drawText(QRect(0, plot.bottom() - line / 2, left - 4, line), Qt::AlignRight | Qt::AlignVCenter,
               QStringLiteral("0"));
    const int labelTop = plot.bottom() + 4;
    p.drawText(QRect(plot.left(), labelTop, 80, line), Qt::AlignLeft, tr("-60 min"));
    p.drawText(QRect(plot.center().x() - 40, labelTop, 80, line), Qt::AlignHCenter, tr("-30 min"));
    p.drawText(QRect(plot.right() - 80, labelTop, 80, line), Qt::AlignRight, tr("now"));

    const int n = int(m_bins.size());
    if (n == 0 || peak == 0)
        return;
    const double slot = double(plot.width()) / n;
    const int barWidth = qMax(1, int(slot) - 2);
    for (int i = 0; i < n; ++i) {
        const Throughput::Bin &b = m_bins[i];
        if (b.total() == 0)
            continue;
        const int x = plot.left() + 1 + int(i * slot);
        const int hPassed = int(double(plot.height() - 1) * b.passed / peak + 0.5);
        const int hFailed = int(double(plot.height() - 1) * b.failed / peak + 0.5);
        // At least a pixel for a count above zero, so a lone failure shows.
        const int hp = b.passed > 0 ? qMax(1, hPassed) : 0;
        const int hf = b.failed > 0 ? qMax(1, hFailed) : 0;
        p.fillRect(QRect(x, plot.bottom() - hp, barWidth, hp), palette::passed());
        p.fillRect(QRect(x, plot.bottom() - hp - hf, barWidth, hf), palette::failed());
    }
}

} // namespace dfm::gui
