#pragma once
// How workers come to life: the side effect the pool's Launch, Stop and
// Probe actions need. One implementation per runner backend (local QProcess,
// LSF bsub, SLURM sbatch), all plugged into the same Engine unchanged.

#include <QObject>
#include <QString>

namespace dfm {

/// Everything a launcher needs to start one worker.
struct LaunchRequest {
    QString workerId;       /* the id the worker registers with */
    QString resourceClass;  /* "" = default */
    QString connectHost;    /* where the worker connects back to */
    quint16 port = 0;
    QString tokenFile;      /* the secret proving the daemon launched it */
    QString logFile;        /* where the worker's own output goes */
};

enum class ProbeResult {
    Starting, /* still queued or starting: keep waiting */
    Gone,     /* never going to connect (exited, job failed or vanished) */
};

class WorkerLauncher : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~WorkerLauncher() override = default;

    /// Runner name for status output ("local", "lsf", "slurm").
    virtual QString name() const = 0;

    /// Starts a worker. Returns false with *err when it could not even be
    /// submitted; *jobId gets the scheduler's job id (local: the PID).
    virtual bool launch(const LaunchRequest &req, QString *jobId, QString *err) = 0;

    /// Ends a worker that was asked to shut down but may not have (or never
    /// connected): kills the process or the cluster job. Non-blocking.
    virtual void stop(const QString &workerId) = 0;

    /// Asks about a worker that has not connected within the launch timeout.
    virtual ProbeResult probe(const QString &workerId, QString *detail) = 0;

    /// Shutdown: waits up to graceMs for every worker it launched to end,
    /// then kills what is left. Blocking; returns when none is left.
    virtual void stopAll(int graceMs) = 0;

Q_SIGNALS:
    /// A worker this launcher started ended (local: the process exited).
    void workerExited(const QString &workerId, const QString &reason);
};

} // namespace dfm
