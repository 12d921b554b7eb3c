#pragma once
// The standard library's tasks (std.Message, std.FileSet, ...), natively:
// the worker runs them when a task.submit says `shell: "pytask"` with the
// Python `callable_spec` the Python dfm would import. Results (output items,
// memento, changed, markers) are those of the Python implementations.
// Pure but for the files they read and write. Tested in tests/tst_stdtasks.cpp.

#include "protocol.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace dfm::flow {

/// What a standard task is given: the task.submit fields of the same names.
struct StdTaskInput {
    QString name, srcdir, rundir;
    QJsonObject params;
    QJsonArray inputs;   /* data items from the task's needs */
    QJsonValue memento;  /* from the task's last run; null when none */
    bool changed = true; /* did any need's output change (task.submit `changed`, an extension; default true) */
};

/// Runs one standard task. *log receives what the Python task prints (the
/// task's log text); the result's status is 0 on success.
using StdTaskFn = proto::TaskResult (*)(const StdTaskInput &, QString *log);

/// The native implementation of a Python callable such as
/// "dv_flow.mgr.std.fileset.FileSet"; nullptr when there is none.
StdTaskFn findStdTask(const QString &callableSpec);

/// A std.FileSet data item (the Python FileSet model, every field).
QJsonObject fileSetItem(const QString &src, const QString &filetype, const QString &basedir,
                        const QJsonArray &files = {}, const QJsonArray &incdirs = {});

} // namespace dfm::flow
