#pragma once
// How workers come to life: the side effect the pool's Launch, Stop and
// Probe actions need. One implementation per runner backend (local QProcess,
// LSF bsub, SLURM sbatch), all plugged into the same Engine unchanged.
//
// Nothing here blocks: launch(), probe() and stopAll() return at once and
// answer later through signals, so a slow scheduler delays only the workers
// it launches, never the daemon's clients or heartbeats. Signals are never
// emitted from inside the call that causes them.

#include "config.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

namespace dfm {

/// Everything a launcher needs to start one worker.
struct LaunchRequest {
    QString workerId;       /* the id the worker registers with */
    QString resourceClass;  /* the pool's class key; "" = default */
    ResourceSpec resources; /* resolved: cores, memory, queue/partition, walltime, select */
    QString connectHost;    /* where the worker connects back to */
    quint16 port = 0;
    QString tokenFile;      /* the secret proving the daemon launched it (0600, never on a command line) */
    QString logFile;        /* where the worker's own output goes */
    QString python;         /* the Python task host's interpreter (runner.python); "" = the worker's default */
};

/// What a probe learned about one worker that has not connected yet.
enum class JobState {
    Queued,  /* waiting in the scheduler's queue: keep waiting */
    Running, /* started but not connected yet: keep waiting */
    Gone,    /* never going to connect (exited, failed, cancelled, unknown, hopeless) */
};

struct ProbeAnswer {
    QString workerId;
    JobState state = JobState::Gone;
    QString detail; /* the scheduler's own words (state, reason) */
};

class WorkerLauncher : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~WorkerLauncher() override = default;

    /// Runner name for status output ("local", "lsf", "slurm").
    virtual QString name() const = 0;

    /// Starts a worker; returns at once. Answers later with launched() or
    /// launchFailed() for req.workerId.
    virtual void launch(const LaunchRequest &req) = 0;

    /// Ends a worker that was asked to shut down but may not have (or never
    /// connected): kills the process or cancels the cluster job. A worker
    /// still being submitted is cancelled once its job id is known.
    virtual void stop(const QString &workerId) = 0;

    /// Asks about workers that have not connected in time, in one scheduler
    /// call. Answers later with one probed() carrying an answer per id.
    virtual void probe(const QStringList &workerIds) = 0;

    /// Shutdown: gives every worker it launched up to graceMs to end, then
    /// kills or cancels what is left; emits allStopped() once none is left
    /// (or the cancel commands have answered).
    virtual void stopAll(int graceMs) = 0;

Q_SIGNALS:
    /// The worker was started or submitted; `jobId` is the scheduler's job
    /// id (local: the PID).
    void launched(const QString &workerId, const QString &jobId);
    /// The worker could not be started; `error` names the command and
    /// carries its own words.
    void launchFailed(const QString &workerId, const QString &error);
    /// The answers to one probe() call.
    void probed(const QList<dfm::ProbeAnswer> &answers);
    /// A worker this launcher started ended (local: the process exited).
    void workerExited(const QString &workerId, const QString &reason);
    /// stopAll() is done: no worker of this launcher is left.
    void allStopped();
};

/// The command line of a worker process: `<dfm> worker --connect HOST:PORT
/// --worker-id ID --token-file FILE [--resource-class C]`. Shared by every
/// launcher; the secret itself never appears on it.
QStringList workerCommand(const QString &dfmBinary, const LaunchRequest &req);

} // namespace dfm

Q_DECLARE_METATYPE(dfm::ProbeAnswer)
