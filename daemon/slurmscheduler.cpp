// SLURM's command lines and the reading of its answers (see scheduler.h).

#include "scheduler.h"

#include <QProcess>
#include <QRegularExpression>

namespace dfm {

namespace {

/// One argument quoted for sh: sbatch --wrap runs a shell line.
QString shellQuote(const QString &s)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+$"));
    if (plain.match(s).hasMatch())
        return s;
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

/// Pending reasons after which a job will never start on its own.
bool hopeless(const QString &reason)
{
    static const QStringList r{QStringLiteral("PartitionConfig"),   QStringLiteral("BadConstraints"),
                               QStringLiteral("PartitionNodeLimit"), QStringLiteral("PartitionTimeLimit"),
                               QStringLiteral("InvalidAccount"),     QStringLiteral("InvalidQOS"),
                               QStringLiteral("PartitionDown"),      QStringLiteral("DependencyNeverSatisfied")};
    return r.contains(reason);
}

} // namespace

QString SlurmScheduler::slurmTime(const QString &walltime)
{
    static const QRegularExpression hm(QStringLiteral("^\\d+:\\d\\d$"));
    return hm.match(walltime).hasMatch() ? walltime + QStringLiteral(":00") : walltime;
}

QStringList SlurmScheduler::submitCommand(const LaunchRequest &req, const QStringList &workerCmd) const
{
    const ResourceSpec &res = req.resources;
    QStringList cmd = QProcess::splitCommand(m_cfg.submitCmd);
    if (cmd.isEmpty())
        cmd << QStringLiteral("sbatch");
    cmd << QStringLiteral("--parsable") << QStringLiteral("--job-name=dfm-") + req.workerId;
    if (res.cores > 0)
        cmd << QStringLiteral("--cpus-per-task=%1").arg(res.cores);
    const qint64 mb = memoryMB(res);
    if (mb > 0)
        cmd << QStringLiteral("--mem=%1M").arg(mb);
    const QString partition = !res.partition.isEmpty() ? res.partition
                              : !res.queue.isEmpty()   ? res.queue
                                                       : m_cfg.queue;
    if (!partition.isEmpty())
        cmd << QStringLiteral("--partition=") + partition;
    if (!res.walltime.isEmpty())
        cmd << QStringLiteral("--time=") + slurmTime(res.walltime);
    if (!m_cfg.project.isEmpty())
        cmd << QStringLiteral("--account=") + m_cfg.project;
    const QStringList select = m_cfg.resourceSelect + res.resourceSelect;
    if (!select.isEmpty())
        cmd << QStringLiteral("--constraint=") + select.join(QLatin1Char('&'));
    const QString err = workerErrFile(req.logFile);
    cmd << QStringLiteral("--output=") + req.logFile << QStringLiteral("--error=") + err;
    cmd << m_cfg.extra;
    QStringList quoted;
    for (const QString &a : workerCmd)
        quoted << shellQuote(a);
    cmd << QStringLiteral("--wrap") << QStringLiteral("exec ") + quoted.join(QLatin1Char(' '));
    return cmd;
}

bool SlurmScheduler::parseSubmit(const CommandResult &r, QString *jobId, QString *err) const
{
    const QString what = QProcess::splitCommand(m_cfg.submitCmd).value(0, QStringLiteral("sbatch"));
    if (!r.started || r.exitCode != 0) {
        *err = commandFailure(what, r);
        return false;
    }
    // --parsable: "JOBID" or "JOBID;CLUSTER" on the last line.
    static const QRegularExpression re(QStringLiteral("^(\\d+)(;\\S+)?$"));
    const QStringList lines = r.out.trimmed().split(QLatin1Char('\n'));
    const QRegularExpressionMatch m = re.match(lines.last().trimmed());
    if (!m.hasMatch()) {
        *err = QStringLiteral("%1 printed no job id (expected 'JOBID' from --parsable): %2")
                   .arg(what, (r.out.trimmed() + QLatin1Char(' ') + r.err.trimmed()).trimmed());
        return false;
    }
    *jobId = m.captured(1);
    return true;
}

QStringList SlurmScheduler::cancelCommand(const QStringList &jobIds) const
{
    return QStringList{QStringLiteral("scancel")} + jobIds;
}

QStringList SlurmScheduler::statusCommand(const QStringList &jobIds) const
{
    return {QStringLiteral("squeue"), QStringLiteral("--noheader"), QStringLiteral("--states=all"),
            QStringLiteral("--jobs=") + jobIds.join(QLatin1Char(',')), QStringLiteral("--format=%i|%T|%r")};
}

bool SlurmScheduler::parseStatus(const CommandResult &r, const QStringList &jobIds,
                                 QHash<QString, ProbeAnswer> *out, QString *err) const
{
    if (!r.started) {
        *err = commandFailure(QStringLiteral("squeue"), r);
        return false;
    }
    // squeue fails with "Invalid job id specified" when it knows none of them.
    const bool noneKnown = r.exitCode != 0 && r.err.contains(QLatin1String("Invalid job id"));
    if (r.exitCode != 0 && !noneKnown) {
        *err = commandFailure(QStringLiteral("squeue"), r);
        return false;
    }
    QHash<QString, ProbeAnswer> found;
    bool unreadable = false;
    for (const QString &line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.trimmed().split(QLatin1Char('|'));
        if (f.size() != 3) {
            unreadable = true;
            continue;
        }
        const QString &id = f.at(0), &state = f.at(1), &reason = f.at(2);
        const bool hasReason = !reason.isEmpty() && reason != QLatin1String("None");
        ProbeAnswer a;
        a.detail = QStringLiteral("SLURM job %1 %2").arg(id, state) + (hasReason ? QStringLiteral(" (%1)").arg(reason) : QString());
        if (state == QLatin1String("PENDING") || state == QLatin1String("CONFIGURING")
            || state == QLatin1String("REQUEUED") || state == QLatin1String("RESIZING")
            || state == QLatin1String("SUSPENDED")) {
            a.state = hopeless(reason) ? JobState::Gone : JobState::Queued;
            if (a.state == JobState::Gone)
                a.detail += QStringLiteral(": it cannot start with the resources asked for");
        } else if (state == QLatin1String("RUNNING") || state == QLatin1String("COMPLETING")) {
            a.state = JobState::Running;
        } else {
            a.state = JobState::Gone;
            a.detail += QStringLiteral(" before its worker connected");
        }
        found.insert(id, a);
    }
    if (unreadable && found.isEmpty()) {
        *err = QStringLiteral("cannot read squeue's answer: %1").arg(r.out.trimmed());
        return false;
    }
    for (const QString &id : jobIds) {
        ProbeAnswer a = found.value(id);
        if (!found.contains(id)) {
            a.state = JobState::Gone;
            a.detail = QStringLiteral("SLURM job %1 is no longer known to squeue").arg(id);
        }
        out->insert(id, a);
    }
    return true;
}

QStringList SlurmScheduler::historyCommand(const QStringList &jobIds) const
{
    return {QStringLiteral("sacct"), QStringLiteral("--noheader"), QStringLiteral("--parsable2"),
            QStringLiteral("--allocations"), QStringLiteral("--jobs=") + jobIds.join(QLatin1Char(',')),
            QStringLiteral("--format=JobID,State,ExitCode,Reason")};
}

bool SlurmScheduler::parseHistory(const CommandResult &r, QHash<QString, ProbeAnswer> *out) const
{
    // Without accounting sacct says "Slurm accounting storage is disabled".
    if (!r.started || r.exitCode != 0)
        return false;
    bool any = false;
    for (const QString &line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.trimmed().split(QLatin1Char('|'));
        if (f.size() < 4 || !out->contains(f.at(0)) || (*out)[f.at(0)].state != JobState::Gone)
            continue;
        const QString &id = f.at(0), &state = f.at(1), &exit = f.at(2), &reason = f.at(3);
        if (state == QLatin1String("PENDING"))
            continue; // squeue already said why it cannot start
        QString d = QStringLiteral("SLURM job %1 %2").arg(id, state);
        if (!exit.isEmpty() && exit != QLatin1String("0:0"))
            d += QStringLiteral(" (exit code %1)").arg(exit);
        if (!reason.isEmpty() && reason != QLatin1String("None"))
            d += QStringLiteral(" (%1)").arg(reason);
        (*out)[id].detail = d + QStringLiteral(" before its worker connected");
        any = true;
    }
    return any;
}

} // namespace dfm
