#pragma once
// What differs between cluster schedulers: their command lines and how to
// read their answers. Every function here is pure (no process is run), so
// each command line and each parse is unit-tested (tests/tst_launchers.cpp);
// ClusterLauncher runs the commands through a CommandRunner.

#include "commandrunner.h"
#include "config.h"
#include "launcher.h"

#include <QHash>

namespace dfm {

class Scheduler {
public:
    virtual ~Scheduler() = default;

    /// Runner name: "lsf", "slurm".
    virtual QString name() const = 0;

    /// The submit command for one worker running `workerCmd`.
    virtual QStringList submitCommand(const LaunchRequest &req, const QStringList &workerCmd) const = 0;

    /// The job id from the submit command's answer. False with *err naming
    /// the command and quoting its output when it failed or said something
    /// unexpected.
    virtual bool parseSubmit(const CommandResult &r, QString *jobId, QString *err) const = 0;

    /// The command cancelling these jobs.
    virtual QStringList cancelCommand(const QStringList &jobIds) const = 0;

    /// The one command asking about all these jobs.
    virtual QStringList statusCommand(const QStringList &jobIds) const = 0;

    /// Reads the status command's answer: for each job id, Queued, Running
    /// or Gone with the scheduler's words (`workerId` is left empty). A job
    /// missing from the answer is Gone. False with *err when the answer
    /// cannot be read at all.
    virtual bool parseStatus(const CommandResult &r, const QStringList &jobIds,
                             QHash<QString, ProbeAnswer> *out, QString *err) const = 0;

    /// For jobs found Gone: a command asking the scheduler's accounting how
    /// they ended, or empty when there is none to ask.
    virtual QStringList historyCommand(const QStringList &jobIds) const
    {
        Q_UNUSED(jobIds);
        return {};
    }

    /// Replaces the details of the Gone answers in *out with the
    /// accounting's words. False, leaving *out alone, when the accounting
    /// gave none (disabled, failed, unreadable).
    virtual bool parseHistory(const CommandResult &r, QHash<QString, ProbeAnswer> *out) const
    {
        Q_UNUSED(r);
        Q_UNUSED(out);
        return false;
    }
};

/// LSF: bsub / bjobs / bkill, configured by the `lsf:` section.
class LsfScheduler : public Scheduler {
public:
    explicit LsfScheduler(const SchedulerConfig &cfg) : m_cfg(cfg) {}
    QString name() const override { return QStringLiteral("lsf"); }
    QStringList submitCommand(const LaunchRequest &req, const QStringList &workerCmd) const override;
    bool parseSubmit(const CommandResult &r, QString *jobId, QString *err) const override;
    QStringList cancelCommand(const QStringList &jobIds) const override;
    QStringList statusCommand(const QStringList &jobIds) const override;
    bool parseStatus(const CommandResult &r, const QStringList &jobIds, QHash<QString, ProbeAnswer> *out,
                     QString *err) const override;

private:
    SchedulerConfig m_cfg;
};

/// SLURM: sbatch --parsable / squeue / scancel, configured by `slurm:`.
class SlurmScheduler : public Scheduler {
public:
    explicit SlurmScheduler(const SchedulerConfig &cfg) : m_cfg(cfg) {}
    QString name() const override { return QStringLiteral("slurm"); }
    QStringList submitCommand(const LaunchRequest &req, const QStringList &workerCmd) const override;
    bool parseSubmit(const CommandResult &r, QString *jobId, QString *err) const override;
    QStringList cancelCommand(const QStringList &jobIds) const override;
    QStringList statusCommand(const QStringList &jobIds) const override;
    bool parseStatus(const CommandResult &r, const QStringList &jobIds, QHash<QString, ProbeAnswer> *out,
                     QString *err) const override;
    /// sacct, for jobs that squeue no longer knows or that failed.
    QStringList historyCommand(const QStringList &jobIds) const override;
    bool parseHistory(const CommandResult &r, QHash<QString, ProbeAnswer> *out) const override;

    /// A walltime as sbatch --time takes it: dv-flow's "H:MM" (hours and
    /// minutes) becomes "H:MM:00"; anything else is passed on unchanged.
    static QString slurmTime(const QString &walltime);

private:
    SchedulerConfig m_cfg;
};

/// Where a cluster worker's stderr goes: its log file with .log replaced
/// by .err.
QString workerErrFile(const QString &logFile);

/// The memory of `res` in megabytes, 0 when unset or unreadable.
qint64 memoryMB(const ResourceSpec &res);

/// "bsub failed (exit code 255): <its words>" for messages.
QString commandFailure(const QString &what, const CommandResult &r);

} // namespace dfm
