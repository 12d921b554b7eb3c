#include "workertablemodel.h"

#include "palette.h"

namespace dfm::gui {

void WorkerTableModel::sync(const MonitorModel &model)
{
    syncRows(
        model.workers(), [](const proto::WorkerInfo &w) { return w.workerId; },
        [](const proto::WorkerInfo &a, const proto::WorkerInfo &b) {
            return a.hostname == b.hostname && a.state == b.state && a.resourceClass == b.resourceClass &&
                   a.jobId == b.jobId && a.schedulerState == b.schedulerState && a.currentTask == b.currentTask &&
                   a.tasksDone == b.tasksDone;
        });
}

QString WorkerTableModel::jobText(const proto::WorkerInfo &w)
{
    if (w.jobId.isEmpty())
        return w.schedulerState.isEmpty() ? QStringLiteral("-") : w.schedulerState;
    return w.schedulerState.isEmpty() ? w.jobId : w.jobId + QLatin1Char(' ') + w.schedulerState;
}

int WorkerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorkerTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const proto::WorkerInfo &w = rowAt(index.row());
    switch (role) {
    case KeyRole:
        return keyAt(index.row());
    case SortRole:
        if (index.column() == Id) // w2 before w10, as MonitorModel::workers() orders them
            return QStringLiteral("%1:%2").arg(w.workerId.size(), 6, 10, QLatin1Char('0')).arg(w.workerId);
        if (index.column() == TasksDone)
            return w.tasksDone;
        Q_FALLTHROUGH();
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Id: return w.workerId;
        case Host: return w.hostname;
        case State: return w.state;
        case Class: return w.resourceClass.isEmpty() ? QStringLiteral("default") : w.resourceClass;
        case Job: return jobText(w);
        case CurrentTask: return w.currentTask;
        case TasksDone: return w.tasksDone;
        case ColumnCount: break;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() != State)
            return {};
        if (w.state == proto::kStateBusy)
            return palette::busy();
        if (w.state == proto::kStatePending)
            return palette::pending();
        return palette::idle();
    case Qt::TextAlignmentRole:
        if (index.column() == TasksDone)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant WorkerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Id: return tr("Worker");
    case Host: return tr("Host");
    case State: return tr("State");
    case Class: return tr("Class");
    case Job: return tr("Job");
    case CurrentTask: return tr("Current task");
    case TasksDone: return tr("Done");
    case ColumnCount: break;
    }
    return {};
}

} // namespace dfm::gui
