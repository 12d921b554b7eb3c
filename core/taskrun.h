#pragma once
// One task being run by a worker, whatever runs it: a shell (ShellTask), the
// Python task host (PythonTask), or a native implementation of a standard
// library callable. The worker only talks to this interface.

#include "protocol.h"

#include <QObject>

namespace dfm {

class TaskRun : public QObject {
    Q_OBJECT
public:
    /// Why a task was stopped before it ended by itself.
    enum class Stop { None, Cancelled, TimedOut };

    /// Default time between SIGTERM and SIGKILL when stopping a task.
    static constexpr int kDefaultGraceMs = 5000;

    using QObject::QObject;
    ~TaskRun() override = default;

    /// Starts the task. Every outcome, including one that cannot start,
    /// arrives as finished(), never from inside start().
    virtual void start() = 0;
    /// Stops the task (TERM, then KILL after graceMs); the result is marked
    /// cancelled (`cancelled: true`, an info marker). No-op once finished.
    virtual void cancel(int graceMs) = 0;
    /// Stops the task like cancel(); the result fails with the error marker
    /// "task timed out after N s" and `timed_out: true`.
    virtual void timeOut(int graceMs) = 0;
    /// Kills the task at once (SIGKILL), e.g. on a second stop request.
    virtual void killNow() = 0;
    virtual const proto::TaskSpec &spec() const = 0;

signals:
    /// Emitted exactly once, with the task's RESULT.
    void finished(const dfm::proto::TaskResult &result);
};

/// Marks `result` for how the task was stopped: cancelled (extension field
/// `cancelled`, info marker "cancelled") or timed out (status at least 1,
/// error marker "task timed out after N s", `timed_out: true`). A task that
/// was not stopped is left as it is.
void markStopped(proto::TaskResult *result, TaskRun::Stop how, double timeoutSec);

} // namespace dfm
