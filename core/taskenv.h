#pragma once
// The dv-flow task environment of a shell task, as the Python dfm stages it
// (data_io.stage_inputs / harvest_outputs): DFM_* variables, the JSON files
// written into the rundir before the run, and the files the task may write,
// read back into its RESULT after the run. Used by the worker's ShellTask and
// by anything else that runs a shell task (the C++ `dfm run` goes through
// the worker). The parsers are pure; stageTaskFiles()/harvestTaskFiles() are
// the only functions that touch the file system.

#include "protocol.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QString>

#include <vector>

namespace dfm::taskenv {

// File names in the rundir, as the original names them (its public contract).
inline constexpr QLatin1String kParamsFile("dfm.params.json");
inline constexpr QLatin1String kInputsFile("dfm.inputs.json");
inline constexpr QLatin1String kMementoIn("dfm.memento.json");
inline constexpr QLatin1String kOutputFile("dfm.output.jsonl");
inline constexpr QLatin1String kEnvFile("dfm.env");
inline constexpr QLatin1String kPathFile("dfm.path");
inline constexpr QLatin1String kMarkersFile("dfm.markers.jsonl");
inline constexpr QLatin1String kMementoOut("dfm.memento.out.json");

/// The environment additions for a task running in `rundir` (absolute):
/// TASK_SRCDIR, TASK_RUNDIR, DFM_TASK_NAME, DFM_RUNDIR, DFM_SRCDIR,
/// DFM_PARAMS, DFM_INPUTS, DFM_OUTPUT, DFM_ENV, DFM_PATH, DFM_MARKERS,
/// DFM_MEMENTO_OUT, DFM_MEMENTO (only when the spec carries a memento) and
/// DFM_PARAM_<NAME> per parameter (scalars as text, lists/maps compact JSON,
/// bools true/false, null empty). Pure.
QHash<QString, QString> taskVariables(const proto::TaskSpec &spec, const QString &rundir);

/// The same variables as "NAME=VALUE" entries in the local 8-bit encoding
/// (as execve() takes them), each name once, appended to *out. Pure.
void appendTaskVariableEntries(const proto::TaskSpec &spec, const QString &rundir,
                               std::vector<QByteArray> *out);

/// True when `name` could be one of taskVariables()' names (it starts with
/// DFM_ or TASK_): a name that is not needs no comparing. Pure.
bool isTaskVariableName(QByteArrayView name);

/// Applies the std.Env items among `inputs` to `env`, oldest first, as the
/// original's _merge_env_filesets does: `vals` set variables,
/// `append_path`/`prepend_path` join with ':' to what is there. Pure.
void mergeInputEnv(const QJsonArray &inputs, QHash<QString, QString> *env);

/// Writes dfm.params.json, dfm.inputs.json and (when the spec has a memento)
/// dfm.memento.json into `rundir`, and creates the output files empty, so a
/// task can append to them. Never follows a symlink. False with *err naming
/// the file on failure. `freshDir`: the caller has just created `rundir`
/// (empty), so nothing stale can be in it: the empty files are made without
/// opening them and no old memento is looked for.
bool stageTaskFiles(const proto::TaskSpec &spec, const QString &rundir, QString *err,
                    bool freshDir = false);

/// What a task wrote into its output files.
struct Harvest {
    QJsonArray output;   /* data items, then one std.Env item if DFM_ENV/DFM_PATH had any */
    QJsonArray markers;  /* from DFM_MARKERS, plus warnings about malformed lines */
    QJsonValue memento = QJsonValue::Null;
};

/// Data items from DFM_OUTPUT text (JSON lines): each needs a "type"; a
/// std.FileSet with basedir "." gets `rundir`; items get "src" = taskName
/// and "seq" = 0, 1, ...; bad lines become warning markers. Pure.
void parseOutputLines(const QByteArray &text, const QString &rundir, const QString &taskName,
                      Harvest *h);
/// KEY=VALUE and KEY<<DELIM heredoc lines of DFM_ENV, in order. Pure.
QList<QPair<QString, QString>> parseEnvLines(const QByteArray &text);
/// Non-empty trimmed lines of DFM_PATH. Pure.
QStringList parsePathLines(const QByteArray &text);
/// The std.Env item for DFM_ENV values and DFM_PATH directories, or an
/// undefined value when both are empty. Pure.
QJsonValue envItem(const QList<QPair<QString, QString>> &vals, const QStringList &dirs,
                   const QString &taskName);
/// Markers from DFM_MARKERS text (JSON lines of {severity, msg, loc?});
/// unknown severities become "info". Pure.
void parseMarkerLines(const QByteArray &text, Harvest *h);
/// The memento from DFM_MEMENTO_OUT text; empty text leaves null. Pure.
void parseMemento(const QByteArray &text, Harvest *h);

/// Reads the output files of a task in `rundir` (a missing file is empty,
/// a symlink is refused with a warning marker).
Harvest harvestTaskFiles(const QString &rundir, const QString &taskName);

/// A result whose task reported success but which carries an error marker
/// fails: status becomes 1 (exit_code stays as it was). No-op otherwise.
void failOnErrorMarkers(proto::TaskResult *result);

} // namespace dfm::taskenv
