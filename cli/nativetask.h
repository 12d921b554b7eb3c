#pragma once
// A standard-library task (std.FileSet, std.Message, ...) run natively in
// the worker instead of in the Python task host: the callable_spec the
// Python dfm would import names a C++ implementation (core/flow/std). Its
// result is the Python one's; what it prints goes to <rundir>/<name>.log.

#include "flow/std/stdtasks.h"
#include "taskrun.h"

namespace dfm::cli {

class NativeTask : public TaskRun {
    Q_OBJECT
public:
    NativeTask(const proto::TaskSpec &spec, flow::StdTaskFn fn, QObject *parent = nullptr);

    void start() override;
    void cancel(int graceMs) override;
    void timeOut(int graceMs) override;
    void killNow() override;
    const proto::TaskSpec &spec() const override { return m_spec; }

private:
    void run();
    void finish(proto::TaskResult result);

    proto::TaskSpec m_spec;
    flow::StdTaskFn m_fn;
    Stop m_stop = Stop::None; /* stopped before it ran: it never runs */
    bool m_done = false;
};

} // namespace dfm::cli
