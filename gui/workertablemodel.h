#pragma once
// The workers table: one row per worker the daemon knows (launched, idle or
// busy); a worker that stops or is lost leaves. Fed from MonitorModel::workers().

#include "keyedtablemodel.h"
#include "monitormodel.h"

namespace dfm::gui {

class WorkerTableModel : public KeyedTableModel<proto::WorkerInfo> {
    Q_OBJECT
public:
    enum Column { Id, Host, State, Class, Job, CurrentTask, TasksDone, ColumnCount };

    /// The Job column: the scheduler job id and, when it said, its state
    /// ("4242 PEND: queue full"); "-" for a local worker.
    static QString jobText(const proto::WorkerInfo &w);

    using KeyedTableModel::KeyedTableModel;

    /// Brings the rows up to date with `model` (no reset; see KeyedTableModel).
    void sync(const MonitorModel &model);

    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
};

} // namespace dfm::gui
