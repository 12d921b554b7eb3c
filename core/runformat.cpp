#include "runformat.h"

#include "format.h"

#include <QJsonArray>
#include <QRegularExpression>

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

QString clock(qint64 ms)
{
    const qint64 sec = qMax<qint64>(0, ms) / 1000;
    if (sec < 60)
        return QStringLiteral("%1s").arg(sec);
    if (sec < 3600)
        return QStringLiteral("%1m%2s").arg(sec / 60).arg(sec % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h%2m").arg(sec / 3600).arg((sec % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString statusLine(const Progress &p, int width)
{
    QString head = QStringLiteral("[%1/%2] %3 running").arg(p.done).arg(p.total).arg(p.running);
    if (p.queued > 0)
        head += QStringLiteral(", %1 queued").arg(p.queued);
    head += QStringLiteral(", %1 failed, %2").arg(p.failed).arg(clock(p.elapsedMs));
    if (p.longestTask.isEmpty())
        return width > 0 ? head.left(width) : head;
    const QString before = QStringLiteral("; longest: ");
    const QString after = QLatin1Char(' ') + clock(p.longestMs);
    QString name = p.longestTask;
    if (width > 0) {
        const qsizetype room = width - head.size() - before.size() - after.size();
        if (room < 7) // not even "ab...yz": leave the longest-running task out
            return head.left(width);
        if (name.size() > room) {
            const qsizetype keep = room - 3;
            name = name.left(keep - keep / 2) + QStringLiteral("...") + name.right(keep / 2);
        }
    }
    return head + before + name + after;
}

QString paint(const QString &text, const char *sgr, bool color)
{
    if (!color)
        return text;
    return QStringLiteral("\x1b[%1m%2\x1b[0m").arg(QLatin1String(sgr), text);
}

QStringList errorExcerpt(const QStringList &tail, int max)
{
    // Simulator and tool error conventions: UVM, Cadence (*E,), Verilator
    // (%Error), compilers and shells (error:, Error:, FATAL).
    static const QRegularExpression errorLike(
        QStringLiteral(R"(UVM_(ERROR|FATAL)|\b(ERROR|FATAL|Error|Fatal|error|fatal)\b|^\s*\*[EF],|^%(Error|Fatal))"));
    static const QRegularExpression uvmCount(QStringLiteral(R"(^\s*UVM_(ERROR|FATAL)\s*:\s*\d+\s*$)"));
    QStringList errors, plain;
    for (const QString &line : tail) {
        if (line.trimmed().isEmpty())
            continue;
        plain << line;
        if (errorLike.match(line).hasMatch() && !uvmCount.match(line).hasMatch())
            errors << line;
    }
    const QStringList &pick = errors.isEmpty() ? plain : errors;
    return pick.mid(qMax<qsizetype>(0, pick.size() - max));
}

QString failureBlock(int done, int total, const TaskOutcome &t, const QStringList &excerpt, bool color)
{
    QString s = QStringLiteral("[%1/%2] %3 %4 (%5)\n")
                    .arg(done)
                    .arg(total)
                    .arg(paint(QStringLiteral("FAILED"), "1;31", color), t.name, failureDetail(t));
    for (const QString &line : excerpt)
        s += QStringLiteral("  | ") + line + QLatin1Char('\n');
    if (!t.log.isEmpty())
        s += QStringLiteral("  log: ") + t.log + QLatin1Char('\n');
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

QString taskLine(int done, int total, const TaskOutcome &t, bool color)
{
    const QString head = QStringLiteral("[%1/%2] ").arg(done).arg(total);
    switch (t.status) {
    case TaskStatus::Passed:
        return head + QStringLiteral("passed %1 (%2)").arg(t.name, t.reason.isEmpty() ? duration(t.durationMs) : t.reason);
    case TaskStatus::Failed:
        return head + paint(QStringLiteral("FAILED"), "1;31", color) + QLatin1Char(' ') + failedText(t);
    case TaskStatus::Skipped:
        return head + QStringLiteral("skipped %1 (%2)").arg(t.name, t.reason);
    case TaskStatus::Cancelled:
        return head + QStringLiteral("cancelled ") + t.name;
    default:
        return head + taskStatusName(t.status) + QLatin1Char(' ') + t.name;
    }
}

namespace {

// "a, b, c" or "a, b, ... j and 5 more".
QString nameList(const QStringList &names)
{
    QString s = names.mid(0, kListed).join(QStringLiteral(", "));
    if (names.size() > kListed)
        s += QStringLiteral(" and %1 more").arg(names.size() - kListed);
    return s;
}

} // namespace

QString summary(const std::vector<TaskOutcome> &tasks, qint64 wallMs, const QString &mode, bool color)
{
    const RunCounts c = countOutcomes(tasks);
    const QString failed = QStringLiteral("%1 failed").arg(c.failed);
    QString s = QStringLiteral("dfm run: %1 passed, %2, %3 skipped, %4 cancelled in %5 (%6)\n")
                    .arg(c.passed)
                    .arg(c.failed > 0 ? paint(failed, "1;31", color) : failed)
                    .arg(c.skipped)
                    .arg(c.cancelled)
                    .arg(duration(wallMs), mode);
    QStringList skipped, cancelled;
    int listed = 0;
    for (const TaskOutcome &t : tasks) {
        if (t.status == TaskStatus::Failed && listed++ < kListed) {
            if (listed == 1)
                s += paint(QStringLiteral("failed:"), "31", color) + QLatin1Char('\n');
            s += QStringLiteral("  ") + failedText(t) + QLatin1Char('\n');
        }
        if (t.status == TaskStatus::Skipped)
            skipped << t.name;
        if (t.status == TaskStatus::Cancelled)
            cancelled << t.name;
    }
    if (c.failed > kListed)
        s += QStringLiteral("  and %1 more\n").arg(c.failed - kListed);
    if (!skipped.isEmpty())
        s += QStringLiteral("skipped: ") + nameList(skipped) + QLatin1Char('\n');
    if (!cancelled.isEmpty())
        s += QStringLiteral("cancelled: ") + nameList(cancelled) + QLatin1Char('\n');
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
