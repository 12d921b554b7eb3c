#pragma once
// The running-tasks table: one row per task on a worker, elapsed time
// ticking. Fed from MonitorModel::running().

#include "keyedtablemodel.h"
#include "monitormodel.h"

namespace dfm::gui {

/// A running task and the label of the run that submitted it.
struct RunningRow {
    proto::RunningTask task;
    QString run; /* MonitorModel::clientLabel() */
};

class RunningTableModel : public KeyedTableModel<RunningRow> {
    Q_OBJECT
public:
    enum Column { Task, Run, Worker, Host, Elapsed, ColumnCount };

    using KeyedTableModel::KeyedTableModel;

    /// Brings the rows up to date with `model` (no reset; see KeyedTableModel).
    void sync(const MonitorModel &model);
    /// Sets the time elapsed is measured to (epoch ms) and announces the
    /// Elapsed column changed.
    void setNow(qint64 nowMs);
    qint64 now() const { return m_nowMs; }

    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    qint64 m_nowMs = 0;
};

} // namespace dfm::gui
