// LSF's command lines and the reading of its answers (see scheduler.h).

#include "scheduler.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSet>

namespace dfm {

QStringList LsfScheduler::submitCommand(const LaunchRequest &req, const QStringList &workerCmd) const
{
    const ResourceSpec &res = req.resources;
    QStringList cmd = QProcess::splitCommand(m_cfg.submitCmd);
    if (cmd.isEmpty())
        cmd << QStringLiteral("bsub");
    cmd << QStringLiteral("-J") << QStringLiteral("dfm-") + req.workerId;
    if (res.cores > 0)
        cmd << QStringLiteral("-n") << QString::number(res.cores);
    const qint64 mb = memoryMB(res);
    if (mb > 0)
        cmd << QStringLiteral("-M") << QString::number(mb);
    const QString queue = res.queue.isEmpty() ? m_cfg.queue : res.queue;
    if (!queue.isEmpty())
        cmd << QStringLiteral("-q") << queue;
    if (!m_cfg.project.isEmpty())
        cmd << QStringLiteral("-P") << m_cfg.project;
    if (mb > 0)
        cmd << QStringLiteral("-R") << QStringLiteral("rusage[mem=%1]").arg(mb);
    const QStringList select = m_cfg.resourceSelect + res.resourceSelect;
    if (!select.isEmpty())
        cmd << QStringLiteral("-R") << QStringLiteral("select[%1]").arg(select.join(QStringLiteral(" && ")));
    if (!res.walltime.isEmpty())
        cmd << QStringLiteral("-W") << res.walltime;
    const QString err = workerErrFile(req.logFile);
    cmd << QStringLiteral("-oo") << req.logFile << QStringLiteral("-eo") << err;
    cmd << m_cfg.extra;
    cmd << QStringLiteral("--") << workerCmd;
    return cmd;
}

bool LsfScheduler::parseSubmit(const CommandResult &r, QString *jobId, QString *err) const
{
    const QString what = QProcess::splitCommand(m_cfg.submitCmd).value(0, QStringLiteral("bsub"));
    if (!r.started || r.exitCode != 0) {
        *err = commandFailure(what, r);
        return false;
    }
    static const QRegularExpression re(QStringLiteral("Job <(\\d+)> is submitted"));
    const QRegularExpressionMatch m = re.match(r.out);
    if (!m.hasMatch()) {
        *err = QStringLiteral("%1 printed no job id (expected 'Job <N> is submitted ...'): %2")
                   .arg(what, (r.out.trimmed() + QLatin1Char(' ') + r.err.trimmed()).trimmed());
        return false;
    }
    *jobId = m.captured(1);
    return true;
}

QStringList LsfScheduler::cancelCommand(const QStringList &jobIds) const
{
    return QStringList{QStringLiteral("bkill")} + jobIds;
}

QStringList LsfScheduler::statusCommand(const QStringList &jobIds) const
{
    return QStringList{QStringLiteral("bjobs"), QStringLiteral("-noheader"), QStringLiteral("-o"),
                       QStringLiteral("jobid stat pend_reason delimiter='|'")}
           + jobIds;
}

bool LsfScheduler::parseStatus(const CommandResult &r, const QStringList &jobIds,
                               QHash<QString, ProbeAnswer> *out, QString *err) const
{
    if (!r.started) {
        *err = commandFailure(QStringLiteral("bjobs"), r);
        return false;
    }
    // bjobs exits non-zero when one of the jobs is not found; the others
    // are still listed.
    static const QRegularExpression notFound(QStringLiteral("Job <(\\d+)> is not found"));
    QHash<QString, ProbeAnswer> found;
    for (const QString &line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.trimmed().split(QLatin1Char('|'));
        if (f.size() < 2 || !jobIds.contains(f.at(0)))
            continue;
        const QString stat = f.at(1).trimmed();
        const QString reason = f.mid(2).join(QLatin1Char('|')).trimmed();
        ProbeAnswer a;
        if (stat == QLatin1String("PEND") || stat == QLatin1String("PSUSP")) {
            a.state = JobState::Queued;
            a.detail = QStringLiteral("LSF job %1 %2").arg(f.at(0), stat);
            if (!reason.isEmpty() && reason != QLatin1String("-"))
                a.detail += QStringLiteral(": ") + reason;
        } else if (stat == QLatin1String("RUN") || stat == QLatin1String("USUSP") || stat == QLatin1String("SSUSP")
                   || stat == QLatin1String("PROV") || stat == QLatin1String("WAIT")) {
            a.state = JobState::Running;
            a.detail = QStringLiteral("LSF job %1 %2").arg(f.at(0), stat);
        } else if (stat == QLatin1String("DONE") || stat == QLatin1String("EXIT") || stat == QLatin1String("ZOMBI")
                   || stat == QLatin1String("UNKWN")) {
            a.state = JobState::Gone;
            a.detail = QStringLiteral("LSF job %1 ended (%2) before its worker connected").arg(f.at(0), stat);
        } else {
            continue; // not a status line
        }
        found.insert(f.at(0), a);
    }
    QSet<QString> unknown;
    for (auto it = notFound.globalMatch(r.err + r.out); it.hasNext();)
        unknown.insert(it.next().captured(1));
    if (found.isEmpty() && unknown.isEmpty()) {
        *err = QStringLiteral("cannot read bjobs' answer: %1")
                   .arg(r.describe().isEmpty() ? QStringLiteral("(no output)") : r.describe());
        return false;
    }
    for (const QString &id : jobIds) {
        ProbeAnswer a = found.value(id);
        if (!found.contains(id)) {
            a.state = JobState::Gone;
            a.detail = unknown.contains(id) ? QStringLiteral("LSF job %1 is not found").arg(id)
                                            : QStringLiteral("bjobs did not list LSF job %1").arg(id);
        }
        out->insert(id, a);
    }
    return true;
}

} // namespace dfm
