#pragma once
// The flow file (flow.dv or flow.yaml): a package of shell tasks and their
// `needs`, read as the original Python dfm reads the subset we support
// (reference/flow-and-config.md). Everything we cannot run is rejected at
// load time with the file, line and task named. Tested in tests/tst_flow.cpp.

#include "config.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace dfm {

struct FlowTask {
    QString name;                   /* bare name, unique in the package */
    QString shell = QStringLiteral("bash"); /* run as /bin/<shell> */
    QString run;                    /* the shell body, `${{ ... }}` not yet expanded */
    QStringList needs;              /* bare names of the tasks it needs, in file order, no repeats */
    QJsonObject with;               /* parameters: ints, doubles, bools, strings (null when empty) */
    QString resourceClass;          /* from std.ResourceTag; empty = default class */
    ResourceSpec resources;         /* per-task values from std.ResourceTag (unset = 0/empty) */
    int line = 0;                   /* 1-based line of the task in the file */
};

struct Flow {
    QString file;        /* the flow file as given (absolute from loadFlow()) */
    QString dir;         /* the directory holding it */
    QString packageName;
    std::vector<FlowTask> tasks; /* in file order */

    /// Index of the task named NAME or PKG.NAME (PKG being this package);
    /// -1 if none.
    int indexOf(const QString &nameOrQualified) const;
};

/// Finds flow.dv, else flow.yaml, in `projectRoot` and parses it. Returns
/// false with *err when neither exists, or the file cannot be read or
/// parsed (see parseFlowText()).
bool loadFlow(const QString &projectRoot, Flow *flow, QString *err);

/// Parses flow YAML text; `fileName` names the file in messages and sets
/// flow->file and flow->dir. Checks everything that would stop a run:
/// syntax, structure, unknown keys and tags, `uses:`/`type:` tasks, tasks
/// without `run:`, duplicate names, unknown needs and cycles. Returns false
/// with the first error as "FILE:LINE: ...".
bool parseFlowText(const QString &fileName, const QString &yamlText, Flow *flow, QString *err);

/// The indices of the named tasks and of everything they need, needs before
/// the tasks needing them; with no names, of every leaf task (one no other
/// task needs) and its needs. Returns false with *err for an unknown name,
/// suggesting the closest task name or listing the tasks.
bool selectTasks(const Flow &flow, const QStringList &names, std::vector<int> *order, QString *err);

} // namespace dfm
