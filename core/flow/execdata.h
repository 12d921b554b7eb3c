#pragma once
// Incremental runs as the Python dfm does them: each task's last run is
// recorded in <rundir>/<name>.exec_data.json (params, inputs, outputs,
// memento, markers, status); a task whose record passed and whose params,
// body and inputs are unchanged, with no need reporting a change, is
// up-to-date and is not run again. std.FileSet and std.SetEnv also
// re-check their files (their Python `uptodate` checks). The store is an
// interface so tests use a fake. Tested in tests/tst_execdata.cpp.

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace dfm::flow {

/// One task's last run.
struct ExecRecord {
    QString name;
    int status = -1;
    bool changed = true;
    QJsonObject params;
    QJsonArray inputs;
    QJsonArray outputs;   /* what the task itself produced (passthrough is recomputed) */
    QJsonArray markers;
    QJsonValue memento;
    QString shell, body;  /* extension: a changed body reruns the task */

    QJsonObject toJson() const;
    /// False when `o` is not a record (missing name or status).
    static bool fromJson(const QJsonObject &o, ExecRecord *r);
};

/// Where records live.
class ExecStore {
public:
    virtual ~ExecStore() = default;
    /// The record of task `name` in `rundir`; false when there is none or it is unreadable.
    virtual bool load(const QString &rundir, const QString &name, ExecRecord *r) = 0;
    /// Saves a record; false with *err when it cannot be written.
    virtual bool save(const QString &rundir, const ExecRecord &r, QString *err) = 0;
};

/// Records as files: <rundir>/<name>.exec_data.json, written atomically
/// (temporary file and rename, so never through a planted link).
class FileExecStore : public ExecStore {
public:
    bool load(const QString &rundir, const QString &name, ExecRecord *r) override;
    bool save(const QString &rundir, const ExecRecord &r, QString *err) override;
};

/// What a task is about to run with.
struct RunRequest {
    QString name, srcdir, rundir, shell, body, callable;
    QJsonObject params;
    QJsonArray inputs;
    bool needsChanged = true;
};

/// True when `prev` (may be null) shows the task need not run again. *why
/// says why it must run otherwise ("no record", "params changed", ...).
bool isUpToDate(const ExecRecord *prev, const RunRequest &req, QString *why);

} // namespace dfm::flow
