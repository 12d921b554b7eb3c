#include "runformat.h"

#include "format.h"

#include <QJsonArray>

namespace dfm::fmt {

RunCounts countOutcomes(const std::vector<TaskOutcome> &tasks)
{
    RunCounts c;
    for (const TaskOutcome &t : tasks) {
        switch (t.status) {
        case TaskStatus::Passed: ++c.passed; break;
        case TaskStatus::Failed: ++c.failed; break;
        case TaskStatus::Skipped: ++c.skipped; break;
        case TaskStatus::Cancelled: ++c.cancelled; break;
        default: break;
        }
    }
    return c;
}

QString statusLine(int done, int total, int running, int failed, const QString &lastFinished)
{
    QString s = QStringLiteral("[%1/%2] %3 running, %4 failed").arg(done).arg(total).arg(running).arg(failed);
    if (!lastFinished.isEmpty())
        s += QStringLiteral(": ") + lastFinished;
    return s;
}

QString failureDetail(const TaskOutcome &t)
{
    if (t.exitCode >= 0)
        return QStringLiteral("exit %1").arg(t.exitCode);
    if (t.signal > 0)
        return QStringLiteral("signal %1").arg(t.signal);
    return t.reason.isEmpty() ? QStringLiteral("no exit code") : t.reason;
}

namespace {

QString failedText(const TaskOutcome &t)
{
    QString s = QStringLiteral("%1 (%2)").arg(t.name, failureDetail(t));
    if (!t.log.isEmpty())
        s += QStringLiteral(" log: ") + t.log;
    return s;
}

} // namespace

QString taskLine(int done, int total, const TaskOutcome &t)
{
    const QString head = QStringLiteral("[%1/%2] ").arg(done).arg(total);
    switch (t.status) {
    case TaskStatus::Passed:
        return head + QStringLiteral("passed %1 (%2)").arg(t.name, t.reason.isEmpty() ? duration(t.durationMs) : t.reason);
    case TaskStatus::Failed:
        return head + QStringLiteral("FAILED ") + failedText(t);
    case TaskStatus::Skipped:
        return head + QStringLiteral("skipped %1 (%2)").arg(t.name, t.reason);
    case TaskStatus::Cancelled:
        return head + QStringLiteral("cancelled ") + t.name;
    default:
        return head + taskStatusName(t.status) + QLatin1Char(' ') + t.name;
    }
}

QString summary(const std::vector<TaskOutcome> &tasks, qint64 wallMs, const QString &mode)
{
    const RunCounts c = countOutcomes(tasks);
    QString s = QStringLiteral("dfm run: %1 passed, %2 failed, %3 skipped, %4 cancelled in %5 (%6)\n")
                    .arg(c.passed)
                    .arg(c.failed)
                    .arg(c.skipped)
                    .arg(c.cancelled)
                    .arg(duration(wallMs), mode);
    if (c.failed > 0) {
        s += QStringLiteral("failed:\n");
        for (const TaskOutcome &t : tasks)
            if (t.status == TaskStatus::Failed)
                s += QStringLiteral("  ") + failedText(t) + QLatin1Char('\n');
    }
    return s;
}

QJsonObject jsonReport(const std::vector<TaskOutcome> &tasks, qint64 wallMs, const QString &mode)
{
    QJsonArray list;
    for (const TaskOutcome &t : tasks) {
        QJsonObject o{{QStringLiteral("name"), t.name},
                      {QStringLiteral("status"), taskStatusName(t.status)},
                      {QStringLiteral("exit_code"), t.exitCode >= 0 ? QJsonValue(t.exitCode) : QJsonValue()},
                      {QStringLiteral("duration_ms"), t.durationMs},
                      {QStringLiteral("worker"), t.worker},
                      {QStringLiteral("host"), t.host},
                      {QStringLiteral("log"), t.log}};
        if (!t.reason.isEmpty())
            o.insert(QStringLiteral("reason"), t.reason);
        list.append(o);
    }
    const RunCounts c = countOutcomes(tasks);
    return QJsonObject{{QStringLiteral("tasks"), list},
                       {QStringLiteral("passed"), c.passed},
                       {QStringLiteral("failed"), c.failed},
                       {QStringLiteral("skipped"), c.skipped},
                       {QStringLiteral("cancelled"), c.cancelled},
                       {QStringLiteral("wall_ms"), wallMs},
                       {QStringLiteral("mode"), mode}};
}

} // namespace dfm::fmt
