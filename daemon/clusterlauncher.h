#pragma once
// Workers as cluster jobs (LSF, SLURM): submits through the Scheduler's
// commands, at most `maxInFlight` submissions at a time, remembers each
// worker's job id, cancels jobs on stop, asks about overdue workers in one
// status command, and cancels every job it submitted on stopAll(). Never
// blocks: every command runs through the CommandRunner.

#include "commandrunner.h"
#include "launcher.h"
#include "scheduler.h"

#include <QHash>
#include <QSet>

#include <deque>
#include <memory>

namespace dfm {

class ClusterLauncher : public WorkerLauncher {
    Q_OBJECT
public:
    /// Takes ownership of `scheduler` and `runner`. `dfmBinary` is the dfm
    /// the job runs (worker_dfm_path).
    ClusterLauncher(Scheduler *scheduler, CommandRunner *runner, const QString &dfmBinary, int maxInFlight,
                    QObject *parent = nullptr);
    /// Cancels (detached) every job still recorded when stopAll() never ran.
    ~ClusterLauncher() override;

    QString name() const override { return m_scheduler->name(); }
    void launch(const LaunchRequest &req) override;
    void stop(const QString &workerId) override;
    void probe(const QStringList &workerIds) override;
    void stopAll(int graceMs) override;

    /// Job ids submitted and not cancelled yet (tests).
    QStringList jobIds() const { return m_jobs.values(); }

    static constexpr int kSubmitTimeoutMs = 120000; /* a submit command still running after this is killed */
    static constexpr int kQueryTimeoutMs = 60000;   /* likewise for status and cancel commands */

private:
    void pump();
    void cancel(const QStringList &jobIds);
    void checkAllStopped();
    /// `detail` plus the last line the worker wrote to its stderr file, if any.
    QString withWorkerWords(const QString &workerId, const QString &detail) const;
    void answerProbe(QList<ProbeAnswer> answers, const QHash<QString, ProbeAnswer> &byJob,
                     const QHash<QString, QString> &workerOf);

    std::unique_ptr<Scheduler> m_scheduler;
    CommandRunner *m_runner;
    QString m_binary;
    int m_maxInFlight;
    std::deque<LaunchRequest> m_waiting; /* not submitted yet, in launch order */
    QSet<QString> m_submitting;          /* worker ids whose submit command runs */
    QSet<QString> m_stopWhenSubmitted;   /* stopped while being submitted */
    QHash<QString, QString> m_jobs;      /* worker id -> job id, until cancelled */
    QHash<QString, QString> m_logs;      /* worker id -> its job's stderr file */
    int m_cancelsRunning = 0;
    bool m_stoppingAll = false;
    bool m_allStoppedSent = false;
};

} // namespace dfm
