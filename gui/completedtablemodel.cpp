#include "completedtablemodel.h"

#include "format.h"
#include "palette.h"

#include <QDateTime>

namespace dfm::gui {

void CompletedTableModel::sync(const MonitorModel &model)
{
    QList<CompletedRow> fresh;
    fresh.reserve(int(model.recent().size()));
    for (const proto::TaskCompleted &t : model.recent())
        fresh.append(CompletedRow{t, model.clientLabel(t.client)});
    syncRows(
        fresh,
        [](const CompletedRow &r) {
            return QStringLiteral("%1/%2/%3").arg(r.task.client).arg(r.task.requestId).arg(r.task.timeMs);
        },
        [](const CompletedRow &a, const CompletedRow &b) {
            return a.run == b.run && a.task.name == b.task.name && a.task.status == b.task.status &&
                   a.task.cancelled == b.task.cancelled && a.task.durationMs == b.task.durationMs &&
                   a.task.workerId == b.task.workerId && a.task.log == b.task.log;
        });
}

QString CompletedTableModel::resultText(const proto::TaskCompleted &t)
{
    if (t.cancelled)
        return QStringLiteral("cancelled");
    return t.status == 0 ? QStringLiteral("passed") : QStringLiteral("FAILED");
}

QString CompletedTableModel::finishedText(qint64 timeMs, qint64 nowMs)
{
    if (timeMs <= 0)
        return QString();
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(timeMs);
    if (at.date() == QDateTime::fromMSecsSinceEpoch(nowMs).date())
        return at.toString(QStringLiteral("HH:mm:ss"));
    return at.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

int CompletedTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CompletedTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const CompletedRow &r = rowAt(index.row());
    const proto::TaskCompleted &t = r.task;
    switch (role) {
    case KeyRole:
        return keyAt(index.row());
    case LogRole:
        return t.log;
    case Qt::DisplayRole:
    case SortRole:
        switch (Column(index.column())) {
        case Task: return t.name;
        case Result: return resultText(t);
        case Exit: return t.status;
        case Duration: return role == SortRole ? QVariant(t.durationMs) : QVariant(fmt::duration(t.durationMs));
        case Finished:
            return role == SortRole ? QVariant(t.timeMs)
                                    : QVariant(finishedText(t.timeMs, QDateTime::currentMSecsSinceEpoch()));
        case Run: return role == SortRole ? QVariant(t.client) : QVariant(r.run);
        case Worker: return t.workerId.isEmpty() ? QStringLiteral("-") : t.workerId;
        case ColumnCount: break;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Result || index.column() == Exit) {
            if (t.cancelled)
                return palette::cancelled();
            return t.passed() ? palette::passed() : palette::failed();
        }
        return {};
    case Qt::BackgroundRole:
        if (index.column() == Result && !t.cancelled)
            return t.passed() ? palette::passedBack() : palette::failedBack();
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Exit || index.column() == Duration)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (!t.log.isEmpty())
            return tr("%1\nlog: %2\n(double-click to open)").arg(t.name, t.log);
        return tr("%1\n(no log reported)").arg(t.name);
    default:
        return {};
    }
}

QVariant CompletedTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Task: return tr("Task");
    case Result: return tr("Result");
    case Exit: return tr("Exit");
    case Duration: return tr("Duration");
    case Finished: return tr("Finished");
    case Run: return tr("Run");
    case Worker: return tr("Worker");
    case ColumnCount: break;
    }
    return {};
}

} // namespace dfm::gui
