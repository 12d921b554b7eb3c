#pragma once
// The recent-completions table: one row per finished task the daemon still
// reports in its recent list, the result coloured. Fed from
// MonitorModel::recent(); rows leave from the front as the list is trimmed.

#include "keyedtablemodel.h"
#include "monitormodel.h"

namespace dfm::gui {

/// A finished task and the label of the run that submitted it.
struct CompletedRow {
    proto::TaskCompleted task;
    QString run; /* MonitorModel::clientLabel() */
};

class CompletedTableModel : public KeyedTableModel<CompletedRow> {
    Q_OBJECT
public:
    enum Column { Task, Result, Exit, Duration, Finished, Run, Worker, ColumnCount };

    using KeyedTableModel::KeyedTableModel;

    /// Brings the rows up to date with `model` (no reset; see KeyedTableModel).
    void sync(const MonitorModel &model);

    /// "passed", "FAILED" or "cancelled".
    static QString resultText(const proto::TaskCompleted &t);
    /// When a task finished, local time: "14:03:07" today, else "2026-11-29 14:03".
    static QString finishedText(qint64 timeMs, qint64 nowMs);

    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
};

} // namespace dfm::gui
