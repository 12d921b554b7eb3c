#pragma once
// Runs one shell task the way the original worker does (see
// shared/reference/wire-protocol.md, "How a shell task runs"): in `rundir`,
// with the worker's environment plus the std.Env inputs, `env` and the
// dv-flow task environment (core/taskenv), the body expanded, output merged
// into `<rundir>/<name>.log`; afterwards what the task wrote to DFM_OUTPUT,
// DFM_ENV, DFM_PATH, DFM_MARKERS and DFM_MEMENTO_OUT comes back in the
// RESULT. The task runs in its own process group, guarded so that the group
// dies with the worker (GroupGuard); when the shell ends, whatever is left
// of its group gets SIGTERM, then SIGKILL, before the result is reported.

#include "procgroup.h"
#include "childspawn.h"
#include "taskrun.h"

#include <QElapsedTimer>
#include <QString>

class QSocketNotifier;
class QTimer;

namespace dfm {

class ShellTask : public TaskRun {
    Q_OBJECT
public:
    /// Prepares (does not start) `spec`.
    explicit ShellTask(const proto::TaskSpec &spec, QObject *parent = nullptr);
    /// Kills the task's whole process group (SIGKILL) if it still runs.
    ~ShellTask() override;

    /// Starts the task. Every outcome, including a task that cannot start
    /// (pytask, missing shell, rundir not creatable), arrives as finished();
    /// for those it is emitted from the event loop, never inside start().
    void start() override;

    /// Sends SIGTERM to the task's process group, then SIGKILL to the group
    /// after `graceMs`. The result is marked cancelled. No-op once finished.
    void cancel(int graceMs = kDefaultGraceMs) override;
    /// As cancel(), but the result says the task timed out.
    void timeOut(int graceMs = kDefaultGraceMs) override;
    /// SIGKILL to the group now.
    void killNow() override;

    /// SIGTERM-to-SIGKILL delay for what is left of the group when the
    /// shell has ended (default kDefaultGraceMs).
    void setGraceMs(int ms) { m_graceMs = ms; }

    /// True between start() and finished().
    bool isRunning() const { return m_started && !m_done; }
    /// PID (= process group id) of the shell, 0 when not running.
    qint64 pid() const { return m_pgid; }
    const proto::TaskSpec &spec() const override { return m_spec; }
    /// `<rundir>/<name>.log` ('/' in the name replaced by '_').
    QString logPath() const { return m_logPath; }
    /// `<rundir>/<name>_cmd.sh`, written only for multi-line bodies.
    QString scriptPath() const { return m_scriptPath; }

    /// Sends `sig` to process group `pgid`; false if there was none.
    static bool signalGroup(qint64 pgid, int sig) { return GroupGuard::signalGroup(pgid, sig); }

private:
    void stop(Stop how, int graceMs);
    void failLater(const QString &why, int status);
    void watchChild();
    void checkChild();
    void onProcessFinished(int waitStatus);
    void reapGroup(proto::TaskResult result);
    void finish(proto::TaskResult result);

    proto::TaskSpec m_spec;
    QString m_rundir;       /* absolute working directory */
    QString m_logPath;
    QString m_scriptPath;
    Child m_child;          /* the shell while it runs (spawnChild) */
    QSocketNotifier *m_exitNotifier = nullptr; /* on the shell's pidfd */
    QTimer *m_exitPoll = nullptr; /* without a pidfd (Linux < 5.2): waitpid() polled */
    QTimer *m_killTimer = nullptr;
    QElapsedTimer m_clock;
    GroupGuard m_guard;     /* the group dies with this process */
    qint64 m_pgid = 0;      /* process group of the running shell */
    qint64 m_lastPgid = 0;  /* the group, kept after the shell ended */
    int m_graceMs = kDefaultGraceMs;
    Stop m_stop = Stop::None;
    bool m_started = false;
    bool m_spawned = false; /* the shell was started (the result names the log) */
    bool m_done = false;
};

} // namespace dfm
