#pragma once
// `dfm run --tasks-from FILE`: one independent shell task per line, as a
// Flow without needs, so the rest of `dfm run` treats it like a flow file.
// Pure; tested in tests/tst_tasklist.cpp.

#include "flow.h"

#include <QString>

namespace dfm {

/// Parses a task list. Each non-blank line not starting with `#` (after
/// leading blanks) is one bash task: `NAME: command` when the line starts
/// with an identifier ([A-Za-z_][A-Za-z0-9_.-]*) followed by ": ", else the
/// whole line as the command of task `line-N` (N = 1-based line number).
/// `fileName` names the list in messages and sets flow->file; `dir` becomes
/// flow->dir (the tasks' srcdir). Returns false with *err
/// "FILE:LINE: duplicate task name 'x' (also on line M)" for a name used
/// twice; flow is then left unspecified.
bool parseTaskList(const QString &fileName, const QString &text, const QString &dir, Flow *flow,
                   QString *err);

} // namespace dfm
