#pragma once
// The standard library's task declarations (std.*, from the Python dfm's
// std/flow.dv) as the loader sees them: parameters with their defaults,
// consumes/passthrough, and the Python callable our worker runs natively
// (core/flow/std/). Internal to core/flow/.

#include "flow/decl.h"

namespace dfm::flow {

struct StdTaskDef {
    QString name;          /* "std.FileSet" */
    QString callable;      /* "dv_flow.mgr.std.fileset.FileSet"; "" for std.Null */
    std::vector<ParamDecl> params;
    QJsonValue consumes;   /* "all", "none" or a list */
    QJsonValue passthrough;
    QString refusal;       /* non-empty: why a flow may not use it (said with the task's name) */
};

/// The declaration of std task NAME ("std.Message"); nullptr when the
/// standard library has no such task.
const StdTaskDef *findStdTaskDef(const QString &name);

/// Names of every std task, for "did you mean".
QStringList stdTaskNames();

} // namespace dfm::flow
