#pragma once
// The task a std.TaskRunSpec request adds to a run: a copy of its
// task_type (a task of the flow, or of std) named and placed under the
// std.RunTasks task that asked for it, its parameters overridden and its
// body expanded again with them. Pure. Tested in tests/tst_runtasks.cpp.

#include "flow.h"
#include "flow/runtasks.h"

namespace dfm::flow {

/// The task `r` asks std.RunTasks task `runTasks` of `flow` to add: named
/// RUNTASKS.LEAF (in its package), run in <its rundir>/LEAF, needing what
/// its task_type needs (r.needs are left to the caller). `timeout` of
/// `runTasks` becomes its time limit when it has none of its own. False
/// with *err naming the item for a task_type that is unknown, refused by
/// the standard library or a compound, or a parameter it does not have.
bool makeDynamicTask(const Flow &flow, const FlowTask &runTasks, const TaskRunRequest &r, FlowTask *out,
                     QString *err);

} // namespace dfm::flow
