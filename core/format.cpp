#include "format.h"

#include "monitormodel.h"

#include <cstring>


namespace dfm::fmt {

QString errnoText(int e)
{
    return QString::fromLocal8Bit(std::strerror(e));
}

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

namespace {

constexpr int kRecentShown = 10; /* completions `dfm daemon status` lists */

// "by class (default) 3, big 2; by client run 3 (pid 12): 4"
QString queueBreakdown(const MonitorModel &m)
{
    QStringList byClass, byClient;
    for (auto it = m.queuedByClass().cbegin(); it != m.queuedByClass().cend(); ++it)
        if (it.value() > 0)
            byClass << QStringLiteral("%1 %2").arg(it.key().isEmpty() ? QStringLiteral("(default)") : it.key()).arg(it.value());
    for (auto it = m.queuedByClient().cbegin(); it != m.queuedByClient().cend(); ++it)
        if (it.value() > 0)
            byClient << QStringLiteral("%1: %2").arg(m.clientLabel(it.key())).arg(it.value());
    QString s;
    if (!byClass.isEmpty())
        s += QStringLiteral("by class %1").arg(byClass.join(QStringLiteral(", ")));
    if (!byClient.isEmpty())
        s += (s.isEmpty() ? QString() : QStringLiteral("; ")) + QStringLiteral("by client %1").arg(byClient.join(QStringLiteral(", ")));
    return s;
}

QString runningTable(const MonitorModel &m, qint64 nowMs)
{
    const QList<proto::RunningTask> running = m.running();
    if (running.isEmpty())
        return {};
    QString out = QStringLiteral("\n  %1 %2 %3 %4 %5\n")
                      .arg(QStringLiteral("RUNNING"), -24)
                      .arg(QStringLiteral("FOR"), -8)
                      .arg(QStringLiteral("HOST"), -16)
                      .arg(QStringLiteral("WORKER"), -8)
                      .arg(QStringLiteral("CLIENT"));
    for (const proto::RunningTask &t : running)
        out += QStringLiteral("  %1 %2 %3 %4 %5\n")
                   .arg(t.name, -24)
                   .arg(t.startedMs > 0 ? duration(qMax<qint64>(0, nowMs - t.startedMs) / 1000 * 1000) : QStringLiteral("?"), -8)
                   .arg(t.hostname.isEmpty() ? QStringLiteral("-") : t.hostname, -16)
                   .arg(t.workerId, -8)
                   .arg(m.clientLabel(t.client));
    return out;
}

QString recentList(const MonitorModel &m, qint64 nowMs)
{
    const auto &recent = m.recent();
    if (recent.empty())
        return {};
    const size_t first = recent.size() > size_t(kRecentShown) ? recent.size() - size_t(kRecentShown) : 0;
    QString out = QStringLiteral("\n  RECENT (the last %1 of %2, newest last)\n").arg(recent.size() - first).arg(recent.size());
    for (size_t i = first; i < recent.size(); ++i) {
        const proto::TaskCompleted &c = recent[i];
        const QString what = c.cancelled ? QStringLiteral("cancelled") : c.passed() ? QStringLiteral("passed") : QStringLiteral("FAILED");
        const QString ago = c.timeMs > 0 ? duration(qMax<qint64>(0, nowMs - c.timeMs) / 1000 * 1000) + QStringLiteral(" ago")
                                         : QStringLiteral("-");
        QString line = QStringLiteral("  %1 %2 %3 %4")
                           .arg(ago, -12)
                           .arg(what, -9)
                           .arg(c.name, -24)
                           .arg(duration(c.durationMs), -8);
        if (!c.passed() && !c.cancelled)
            line += QStringLiteral(" status %1").arg(c.status);
        if (!c.passed() && !c.log.isEmpty())
            line += QStringLiteral(" log: ") + c.log;
        out += line.trimmed().prepend(QStringLiteral("  ")) + QLatin1Char('\n');
    }
    return out;
}

QString workerTable(const QList<proto::WorkerInfo> &workers)
{
    QString out;
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

} // namespace

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
    if (m.queuedTotal() > 0)
        out += QStringLiteral("  queued:   %1\n").arg(queueBreakdown(m));
    const QList<proto::WorkerInfo> workers = m.workers();
    if (!workers.isEmpty())
        out += workerTable(workers);
    out += runningTable(m, nowMs);
    out += recentList(m, nowMs);
    return out;
}

} // namespace dfm::fmt
