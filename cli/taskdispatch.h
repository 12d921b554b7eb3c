#pragma once
// Picks what runs a task the worker received: a native implementation of a
// standard-library callable, the Python task host, or a shell.

#include "taskrun.h"

#include <QObject>
#include <QPointer>

namespace dfm::cli {

class PythonHost;

/// How the worker's task runners are set up.
struct TaskRunnerOptions {
    QString python = QStringLiteral("python3"); /* runner.python: the host's interpreter */
    int graceMs = TaskRun::kDefaultGraceMs;      /* SIGTERM -> SIGKILL delay */
};

class TaskDispatcher : public QObject {
    Q_OBJECT
public:
    explicit TaskDispatcher(const TaskRunnerOptions &opts, QObject *parent = nullptr);
    /// Kills the Python task host, if one runs.
    ~TaskDispatcher() override;

    /// A new, not yet started, runner for `spec`, owned by `parent`.
    TaskRun *create(const proto::TaskSpec &spec, QObject *parent);

signals:
    /// A line for the worker's log (from the Python task host).
    void logLine(const QString &msg);

private:
    PythonHost *pythonHost(QString *why);

    TaskRunnerOptions m_opts;
    QPointer<PythonHost> m_host; /* started on the first pytask, kept */
};

} // namespace dfm::cli
