#pragma once
// The throughput chart: a bar per minute of the last hour, passed stacked
// under failed, drawn with QPainter.

#include "throughput.h"

#include <QWidget>

namespace dfm::gui {

class ThroughputChart : public QWidget {
    Q_OBJECT
public:
    explicit ThroughputChart(QWidget *parent = nullptr);

    /// Shows `bins` (oldest first, one a minute); repaints.
    void setBins(const QList<Throughput::Bin> &bins);
    const QList<Throughput::Bin> &bins() const { return m_bins; }
    /// Completions the daemon counted before the first it itemised (its
    /// recent list is short): said in the title, since their minutes are unknown.
    void setUnitemised(qint64 count);

    QSize sizeHint() const override { return QSize(640, 150); }
    QSize minimumSizeHint() const override { return QSize(240, 110); }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<Throughput::Bin> m_bins;
    qint64 m_unitemised = 0;
};

} // namespace dfm::gui
