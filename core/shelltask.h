#pragma once
// Runs one shell task the way the original worker does (see
// shared/reference/wire-protocol.md, "How a shell task runs"): in `rundir`,
// with the worker's environment plus `env`, TASK_SRCDIR and TASK_RUNDIR, the
// body expanded, output merged into `<rundir>/<name>.log`. The task runs in
// its own process group so cancelling it also stops what it spawned.

#include "protocol.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>

class QTimer;

namespace dfm {

class ShellTask : public QObject {
    Q_OBJECT
public:
    /// Default time between SIGTERM and SIGKILL when cancelling.
    static constexpr int kDefaultGraceMs = 5000;

    /// Prepares (does not start) `spec`.
    explicit ShellTask(const proto::TaskSpec &spec, QObject *parent = nullptr);
    /// Kills the task's whole process group (SIGKILL) if it still runs.
    ~ShellTask() override;

    /// Starts the task. Every outcome, including a task that cannot start
    /// (pytask, missing shell, rundir not creatable), arrives as finished();
    /// for those it is emitted from the event loop, never inside start().
    void start();

    /// Sends SIGTERM to the task's process group, then SIGKILL to the group
    /// after `graceMs`. The result is marked cancelled. No-op once finished.
    void cancel(int graceMs = kDefaultGraceMs);

    /// True between start() and finished().
    bool isRunning() const { return m_started && !m_done; }
    /// PID (= process group id) of the shell, 0 when not running.
    qint64 pid() const { return m_pgid; }
    const proto::TaskSpec &spec() const { return m_spec; }
    /// `<rundir>/<name>.log` ('/' in the name replaced by '_').
    QString logPath() const { return m_logPath; }
    /// `<rundir>/<name>_cmd.sh`, written only for multi-line bodies.
    QString scriptPath() const { return m_scriptPath; }

    /// Sends `sig` to process group `pgid`; false if there was none.
    static bool signalGroup(qint64 pgid, int sig);

signals:
    /// Emitted exactly once with the task's RESULT: status is the exit code,
    /// or 128+signal when killed by a signal. extra holds exit_code, signal,
    /// duration_ms, log and (if cancelled) cancelled.
    void finished(const dfm::proto::TaskResult &result);

private:
    void failLater(const QString &why, int status);
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess::ProcessError error);
    void finish(proto::TaskResult result);

    proto::TaskSpec m_spec;
    QString m_rundir;       /* absolute working directory */
    QString m_logPath;
    QString m_scriptPath;
    QProcess *m_proc = nullptr;
    QTimer *m_killTimer = nullptr;
    QElapsedTimer m_clock;
    qint64 m_pgid = 0;      /* process group of the running shell */
    bool m_started = false;
    bool m_done = false;
    bool m_cancelled = false;
};

} // namespace dfm
