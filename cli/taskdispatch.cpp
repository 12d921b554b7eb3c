#include "taskdispatch.h"

#include "nativetask.h"

#include "flow/runtasks.h"

#include "pythonhost.h"
#include "pythontask.h"
#include "shelltask.h"

namespace dfm::cli {

namespace {

/// ---- NATIVE STANDARD-LIBRARY TASKS: the one place to wire them in ----
/// Returns a native C++ runner for `spec.callableSpec` (for example
/// "dv_flow.mgr.std.fileset.FileSet") whose results are identical to the
/// Python implementation's, or null to fall back to the Python task host.
/// No callable has a native implementation yet.
TaskRun *findNativeTask(const proto::TaskSpec &spec, QObject *parent)
{
    // std.RunTasks natively only for a client that adds its tasks (our `dfm
    // run`); another's goes to the Python host rather than pass having run nothing.
    if (spec.callableSpec == QLatin1String(flow::kRunTasksCallable)
        && !spec.raw.value(QLatin1String("adds_run_tasks")).toBool())
        return nullptr;
    const flow::StdTaskFn fn = flow::findStdTask(spec.callableSpec);
    return fn ? new NativeTask(spec, fn, parent) : nullptr;
}

} // namespace

TaskDispatcher::TaskDispatcher(const TaskRunnerOptions &opts, QObject *parent)
    : QObject(parent), m_opts(opts)
{
}

TaskDispatcher::~TaskDispatcher()
{
    delete m_host; // kills the host's process group
}

PythonHost *TaskDispatcher::pythonHost(QString *why)
{
    if (m_host)
        return m_host;
    QString searched;
    const QString script = findPythonHostScript(&searched);
    if (script.isEmpty()) {
        *why = QStringLiteral("the Python task host program dfm_pytask_host.py is not installed "
                              "with this dfm (looked for %1); reinstall dfm or set "
                              "DFM_PYTASK_HOST to its path").arg(searched);
        return nullptr;
    }
    m_host = new PythonHost(m_opts.python, script, this);
    connect(m_host, &PythonHost::logLine, this, &TaskDispatcher::logLine);
    return m_host;
}

TaskRun *TaskDispatcher::create(const proto::TaskSpec &spec, QObject *parent)
{
    if (spec.shell != QLatin1String("pytask")) {
        auto *t = new ShellTask(spec, parent);
        t->setGraceMs(m_opts.graceMs);
        return t;
    }
    if (TaskRun *native = findNativeTask(spec, parent))
        return native;
    QString why;
    PythonHost *host = pythonHost(&why);
    return new PythonTask(spec, host, why, parent);
}

} // namespace dfm::cli
