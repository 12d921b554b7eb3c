#pragma once
// The worker's Python task host: a Python process running the project's
// dfm_pytask_host.py, started on the first `pytask` and kept for the
// worker's life so imports are paid once. One JSON line per request and per
// answer over its stdin/stdout. The host runs in its own process group,
// guarded so it dies with the worker (GroupGuard). Stopping a task kills
// the host; the next task starts a fresh one.

#include "framing.h"
#include "procgroup.h"
#include "protocol.h"

#include <QObject>
#include <QProcess>

namespace dfm::cli {

/// Where dfm_pytask_host.py is: $DFM_PYTASK_HOST, else next to the `dfm`
/// executable, else <prefix>/lib/dfm/ beside its bin/. Returns "" when none
/// exists, with *searched listing the places looked at.
QString findPythonHostScript(QString *searched);

class PythonHost : public QObject {
    Q_OBJECT
public:
    /// `python`: the interpreter (runner.python); `script`: the host program.
    PythonHost(const QString &python, const QString &script, QObject *parent = nullptr);
    /// Kills the host's process group if it runs.
    ~PythonHost() override;

    /// Sends a task to the host, starting the host first when none runs.
    /// Exactly one taskDone() follows. One task at a time.
    void run(const proto::TaskSpec &spec, const QString &logPath);
    /// Stops the host: SIGTERM to its group, SIGKILL after graceMs. A task it
    /// was running ends with taskDone() (a failure saying the host died).
    void stop(int graceMs);
    /// SIGKILL to the host's group now.
    void killNow();
    /// PID of the running host, 0 when none.
    qint64 pid() const { return m_pid; }

signals:
    /// The RESULT of the task given to run().
    void taskDone(const dfm::proto::TaskResult &result);
    /// A line for the worker's log.
    void logLine(const QString &msg);

private:
    bool startHost(QString *err);
    void onReadyRead();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    void handleLine(const QByteArray &line);
    void completePending(const proto::TaskResult &result);

    QString m_python;
    QString m_script;
    QProcess *m_proc = nullptr;   /* the running host, or null */
    GroupGuard m_guard;           /* the host's group dies with the worker */
    LineReader m_reader;
    qint64 m_pid = 0;
    qint64 m_nextId = 1;
    qint64 m_pendingId = 0;       /* id of the task the host runs, 0 if none */
    QString m_pendingName;
    QString m_pendingLog;
    bool m_stopping = false;
};

} // namespace dfm::cli
