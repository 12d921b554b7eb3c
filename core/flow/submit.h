#pragma once
// The task.submit params `dfm run` sends for one flow task (before the run
// adds `inputs`, `changed` and `memento`). Pure; tested in tests/tst_flowlang.cpp.

#include "flow.h"

#include <QJsonObject>

namespace dfm::flow {

/// The run directory of `t`: <rundirRoot>/PKG.TASK, the root itself for
/// `rundir: inherit`, and for a compound's body task its place under the
/// compound's (PKG.C/PKG.C.SUB), as the Python dfm nests them.
QString taskRundir(const Flow &flow, const FlowTask &t, const QString &rundirRoot);

/// A flow task is named PKG.TASK and runs in <rundirRoot>/PKG.TASK (the
/// root itself for `rundir: inherit`); a task-list task keeps its bare name
/// and gets `srcdir` among its params for the worker's ${{ srcdir }}. A
/// standard task goes as `shell: "pytask"` with its `callable_spec`.
/// Extensions: `adds_run_tasks` (true on a std.RunTasks task), `timeout` (its own, else `defaultTimeout`; left out when
/// neither), `resources` (std.ResourceTag's cores/memory/queue/walltime,
/// left out when none).
QJsonObject submitParams(const Flow &flow, const FlowTask &t, const QString &rundirRoot, double defaultTimeout);

} // namespace dfm::flow
