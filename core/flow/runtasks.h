#pragma once
// std.RunTasks' input: the std.TaskRunSpec data items a task produced, each
// asking for one task to be added to the running graph (the Python dfm's
// std/run_tasks.py). Pure: items in, validated requests or an error naming
// the item out. Tested in tests/tst_runtasks.cpp.

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace dfm::flow {

/// The Python callable of std.RunTasks, which our worker runs natively.
inline constexpr const char *kRunTasksCallable = "dv_flow.mgr.std.run_tasks.RunTasks";

/// One std.TaskRunSpec item, validated.
struct TaskRunRequest {
    int item = 0;        /* 1-based position among the TaskRunSpec items (for messages) */
    QString taskType;    /* task_type: a task of the flow or of std */
    QString leaf;        /* task_name, or "dyn_<i>" (i 0-based) when it has none */
    QJsonObject params;  /* parameter overrides */
    QStringList needs;   /* as written: a leaf of this batch, or a task of the run */
};

/// The std.TaskRunSpec items among `inputs` (other items are ignored), in
/// order. False with *err ("TaskRunSpec item N: ...") for an item without a
/// task_type, a task_name that cannot name a directory, params that are not
/// a map, needs that are not names, a name used twice in the batch, or
/// needs within the batch forming a cycle.
bool parseTaskRunSpecs(const QJsonArray &inputs, std::vector<TaskRunRequest> *out, QString *err);

/// "TaskRunSpec item N (task 'LEAF')" for messages about request `r`.
QString describeRequest(const TaskRunRequest &r);

} // namespace dfm::flow
