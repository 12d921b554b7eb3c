#include "format.h"

#include "monitormodel.h"

namespace dfm::fmt {

QString duration(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    if (ms < 1000)
        return QStringLiteral("%1ms").arg(ms);
    if (ms < 60000)
        return QStringLiteral("%1s").arg(ms / 1000.0, 0, 'f', 1);
    const qint64 s = ms / 1000;
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600, 2, 10, QLatin1Char('0'));
}

QString daemonStatus(const MonitorModel &m, qint64 nowMs, const QString &root)
{
    const MonitorModel::DaemonInfo &d = m.daemon();
    const MonitorModel::WorkerCounts wc = m.workerCounts();
    const proto::TaskCounters &c = m.totals();
    QString out;
    out += QStringLiteral("dfm daemon: running (pid %1), runner %2\n").arg(d.pid).arg(d.runner);
    out += QStringLiteral("  project:  %1\n").arg(root);
    out += QStringLiteral("  socket:   %1\n").arg(d.socket);
    out += QStringLiteral("  started:  %1 (up %2)\n")
               .arg(d.started.isEmpty() ? proto::utcStamp(d.startedMs) : d.started, duration(m.uptimeMs(nowMs) / 1000 * 1000));
    out += QStringLiteral("  workers:  %1 (%2 busy, %3 idle, %4 pending), max %5\n")
               .arg(wc.total)
               .arg(wc.busy)
               .arg(wc.idle)
               .arg(wc.pending)
               .arg(d.pool.maxWorkers);
    out += QStringLiteral("  tasks:    %1 running, %2 queued; %3 passed, %4 failed, %5 cancelled\n")
               .arg(m.runningCount())
               .arg(m.queuedTotal())
               .arg(c.passed)
               .arg(c.failed)
               .arg(c.cancelled);
    const QList<proto::WorkerInfo> workers = m.workers();
    if (workers.isEmpty())
        return out;
    out += QStringLiteral("\n  %1 %2 %3 %4 %5 %6 %7\n")
               .arg(QStringLiteral("WORKER"), -8)
               .arg(QStringLiteral("STATE"), -8)
               .arg(QStringLiteral("CLASS"), -10)
               .arg(QStringLiteral("HOST"), -16)
               .arg(QStringLiteral("JOB"), -10)
               .arg(QStringLiteral("DONE"), 6)
               .arg(QStringLiteral("TASK"));
    for (const proto::WorkerInfo &w : workers) {
        out += QStringLiteral("  %1 %2 %3 %4 %5 %6 %7\n")
                   .arg(w.workerId, -8)
                   .arg(w.state, -8)
                   .arg(w.resourceClass.isEmpty() ? QStringLiteral("-") : w.resourceClass, -10)
                   .arg(w.hostname, -16)
                   .arg(w.jobId.isEmpty() ? QStringLiteral("-") : w.jobId, -10)
                   .arg(w.tasksDone, 6)
                   .arg(w.currentTask);
    }
    return out;
}

} // namespace dfm::fmt
