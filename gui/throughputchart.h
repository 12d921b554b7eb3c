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

    QSize sizeHint() const override { return QSize(640, 150); }
    QSize minimumSizeHint() const override { return QSize(240, 110); }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<Throughput::Bin> m_bins;
};

} // namespace dfm::gui
