// std.RunTasks in the worker: it checks the std.TaskRunSpec items it was
// given and says which tasks they ask for. Adding those tasks to the run is
// `dfm run`'s part (cli/runtasksexpander.cpp), which holds this task until
// they have ended, as the Python RunTasks awaits its sub-graph.

#include "flow/runtasks.h"
#include "flow/std/stdimpl.h"

namespace dfm::flow::stdimpl {

proto::TaskResult runTasks(const StdTaskInput &in, QString *log)
{
    std::vector<TaskRunRequest> reqs;
    QString e;
    if (!parseTaskRunSpecs(in.inputs, &reqs, &e)) {
        *log += QStringLiteral("%1: error: %2\n").arg(in.name, e);
        proto::TaskResult r = proto::failedResult(e);
        return r;
    }
    proto::TaskResult r;
    r.changed = true; // the Python TaskDataResult's default
    if (reqs.empty()) {
        *log += QStringLiteral("%1: no TaskRunSpec items in its inputs; no task to run\n").arg(in.name);
        return r;
    }
    *log += QStringLiteral("%1: %2 task(s) to run:\n").arg(in.name).arg(reqs.size());
    for (const TaskRunRequest &q : reqs)
        *log += QStringLiteral("  %1 (%2)%3\n")
                    .arg(q.leaf, q.taskType,
                         q.needs.isEmpty() ? QString() : QStringLiteral(" needs ") + q.needs.join(QStringLiteral(", ")));
    return r;
}

} // namespace dfm::flow::stdimpl
