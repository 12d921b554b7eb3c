#include "runningtablemodel.h"

#include "format.h"

namespace dfm::gui {

void RunningTableModel::sync(const MonitorModel &model)
{
    QList<RunningRow> fresh;
    const QList<proto::RunningTask> running = model.running();
    fresh.reserve(running.size());
    for (const proto::RunningTask &t : running)
        fresh.append(RunningRow{t, model.clientLabel(t.client)});
    syncRows(
        fresh, [](const RunningRow &r) { return QString::number(r.task.client) + QLatin1Char('/') + r.task.requestId; },
        [](const RunningRow &a, const RunningRow &b) {
            return a.run == b.run && a.task.name == b.task.name && a.task.workerId == b.task.workerId &&
                   a.task.hostname == b.task.hostname && a.task.startedMs == b.task.startedMs &&
                   a.task.attempt == b.task.attempt;
        });
}

void RunningTableModel::setNow(qint64 nowMs)
{
    m_nowMs = nowMs;
    touchColumn(Elapsed);
}

int RunningTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunningTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const RunningRow &r = rowAt(index.row());
    const qint64 elapsed = r.task.startedMs > 0 ? qMax<qint64>(0, m_nowMs - r.task.startedMs) : 0;
    if (role == KeyRole)
        return keyAt(index.row());
    if (role == Qt::DisplayRole || role == SortRole) {
        switch (Column(index.column())) {
        case Task:
            return r.task.name;
        case Run:
            return role == SortRole ? QVariant(r.task.client) : QVariant(r.run);
        case Worker:
            return r.task.workerId;
        case Host:
            return r.task.hostname;
        case Elapsed:
            return role == SortRole ? QVariant(elapsed) : QVariant(fmt::duration(elapsed));
        case ColumnCount:
            break;
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == Elapsed)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == Task) {
        QString tip = QStringLiteral("%1 (request %2").arg(r.task.name, r.task.requestId);
        if (!r.task.resourceClass.isEmpty())
            tip += QStringLiteral(", class %1").arg(r.task.resourceClass);
        if (r.task.attempt > 1)
            tip += QStringLiteral(", attempt %1").arg(r.task.attempt);
        return tip + QLatin1Char(')');
    }
    return {};
}

QVariant RunningTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Task: return tr("Task");
    case Run: return tr("Run");
    case Worker: return tr("Worker");
    case Host: return tr("Host");
    case Elapsed: return tr("Elapsed");
    case ColumnCount: break;
    }
    return {};
}

} // namespace dfm::gui
