#include "format.h"

#include <QJsonArray>

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

QString daemonStatus(const QJsonObject &st, const QString &root)
{
    const QJsonArray workers = st.value(QLatin1String("workers")).toArray();
    int busy = 0, idle = 0, pending = 0;
    for (const QJsonValue &w : workers) {
        const QString s = w.toObject().value(QLatin1String("state")).toString();
        busy += s == QLatin1String("busy");
        idle += s == QLatin1String("idle");
        pending += s == QLatin1String("pending");
    }
    const QJsonObject c = st.value(QLatin1String("counters")).toObject();
    const QJsonObject pool = st.value(QLatin1String("pool")).toObject();
    QString out;
    out += QStringLiteral("dfm daemon: running (pid %1), runner %2\n")
               .arg(st.value(QLatin1String("pid")).toInteger())
               .arg(st.value(QLatin1String("runner")).toString());
    out += QStringLiteral("  project:  %1\n").arg(root);
    out += QStringLiteral("  socket:   %1\n").arg(st.value(QLatin1String("socket")).toString());
    out += QStringLiteral("  started:  %1 (up %2)\n")
               .arg(st.value(QLatin1String("started")).toString(),
                    duration(st.value(QLatin1String("uptime_s")).toInteger() * 1000));
    out += QStringLiteral("  workers:  %1 (%2 busy, %3 idle, %4 pending), max %5\n")
               .arg(workers.size())
               .arg(busy)
               .arg(idle)
               .arg(pending)
               .arg(pool.value(QLatin1String("max_workers")).toInt());
    out += QStringLiteral("  tasks:    %1 running, %2 queued; %3 passed, %4 failed, %5 cancelled\n")
               .arg(st.value(QLatin1String("running_tasks")).toInt())
               .arg(st.value(QLatin1String("pending_tasks")).toInt())
               .arg(c.value(QLatin1String("passed")).toInteger())
               .arg(c.value(QLatin1String("failed")).toInteger())
               .arg(c.value(QLatin1String("cancelled")).toInteger());
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
    for (const QJsonValue &v : workers) {
        const QJsonObject w = v.toObject();
        const QString cls = w.value(QLatin1String("resource_class")).toString();
        const QString job = w.value(QLatin1String("job_id")).toString();
        out += QStringLiteral("  %1 %2 %3 %4 %5 %6 %7\n")
                   .arg(w.value(QLatin1String("worker_id")).toString(), -8)
                   .arg(w.value(QLatin1String("state")).toString(), -8)
                   .arg(cls.isEmpty() ? QStringLiteral("-") : cls, -10)
                   .arg(w.value(QLatin1String("hostname")).toString(), -16)
                   .arg(job.isEmpty() ? QStringLiteral("-") : job, -10)
                   .arg(w.value(QLatin1String("tasks_done")).toInteger(), 6)
                   .arg(w.value(QLatin1String("current_task")).toString());
    }
    return out;
}

} // namespace dfm::fmt
