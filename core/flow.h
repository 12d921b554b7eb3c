#pragma once
// The flow file (flow.dv or flow.yaml): a package of tasks and their
// `needs`, read as the original Python dfm reads the part of the dv-flow
// language we support (docs/flow.md). What we cannot run is refused at load
// time by name, with file and line, every error at once. The loader lives
// in core/flow/ (loader, expressions, graph walks, standard library).
// Tested in tests/tst_flow*.cpp.

#include "config.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSharedData>
#include <QSharedDataPointer>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace dfm {

namespace flow {
struct RawBody;
}

/// Shared JSON strings for FlowTask's defaults: copying one shares it,
/// where building a string value allocates (it matters at 100,000 tasks).
const QJsonValue &flowWord(const char *word);

/// What few tasks set, kept apart so that the many tasks setting none
/// share one empty block: a 100,000-task flow then holds 100,000 narrow
/// tasks, not 100,000 blocks of empty strings (docs/performance.md).
struct FlowTaskMore : QSharedData {
    QString callableSpec;           /* std task: the Python callable, e.g. dv_flow.mgr.std.fileset.FileSet */
    QString uses;                   /* as written, "" when none */
    QString desc;                   /* desc: or the first line of doc: */
    QString resourceClass;          /* from std.ResourceTag; empty = default class */
    ResourceSpec resources;         /* per-task values from std.ResourceTag (unset = 0/empty) */
    QString package;                /* its package when imported ("" = the root's); name starts with it */
    QString srcdir;                 /* the directory of its file; "" = the flow's */
    QString compound;               /* bare name of the enclosing compound; "" at the top level */
    QString rundirPath;             /* a body task's run directory relative to the rundir root ("." = the root); "" = by name */
    std::shared_ptr<const flow::RawBody> raw; /* its body before `${{ }}` and the scope it was expanded in; kept
                                                 only in a flow using std.RunTasks, which expands it again */
};

struct FlowTask {
    QString name;                   /* bare name in the root package; PKG.NAME in an imported one */
    QString shell = QStringLiteral("bash"); /* run as /bin/<shell>; "pytask" for a standard task */
    QString run;                    /* the shell body, `${{ }}` evaluated (runtime references kept) */
    QStringList needs;              /* bare names of the tasks it needs, in file order, no repeats */
    QJsonObject with;               /* parameters, evaluated (null when empty) */
    QJsonValue consumes = flowWord("all");       /* "all", "none" or a list of patterns */
    QJsonValue passthrough = flowWord("unused"); /* "all", "none", "unused" or a list of patterns */
    double timeout = 0;             /* seconds; 0 = none */
    int line = 0;                   /* 1-based line of the task in its file */
    int maxFailures = -1;           /* a compound's max_failures; -1 = no limit */
    bool inheritRundir = false;     /* rundir: inherit (runs in the rundir root) */
    bool exported = false;          /* root: or export: */
    bool root = false;              /* root: or scope: root: an entry point, listed by `dfm run` without a task */
    bool local = false;             /* local: */
    bool neverUpToDate = false;     /* uptodate: false: runs every time */
    bool iff = true;                /* false: `iff` evaluated false; the task passes without running */
    // Compound tasks (`body:`): a body task is named COMPOUND.SUB (COMPOUND.SUB_i_j
    // for a strategy.matrix instance); the compound itself runs nothing and
    // needs the body tasks no other body task needs.
    bool isCompound = false;        /* has a body (or a strategy.matrix) */

    /// The rarely set fields (callable, base, description, resources,
    /// package, srcdir, compound, rundirPath); editMore() to set one, which
    /// gives this task a block of its own.
    const FlowTaskMore &more() const { return *m_more; }
    FlowTaskMore &editMore() { return *m_more; } // detaches from the shared block
    // Reading them (the names they had before being kept apart):
    const QString &callableSpec() const { return m_more->callableSpec; }
    const QString &uses() const { return m_more->uses; }
    const QString &desc() const { return m_more->desc; }
    const QString &resourceClass() const { return m_more->resourceClass; }
    const ResourceSpec &resources() const { return m_more->resources; }
    const QString &package() const { return m_more->package; }
    const QString &srcdir() const { return m_more->srcdir; }
    const QString &compound() const { return m_more->compound; }
    const QString &rundirPath() const { return m_more->rundirPath; }

    /// True for a task that runs nothing (no body, no standard task): it
    /// only orders its needs and passes their data on.
    bool isNull() const { return run.trimmed().isEmpty() && callableSpec().isEmpty(); }

private:
    QSharedDataPointer<FlowTaskMore> m_more = emptyFlowTaskMore();
    static QSharedDataPointer<FlowTaskMore> emptyFlowTaskMore();
};

struct Flow {
    QString file;        /* the flow file as given (absolute from loadFlow()) */
    QString dir;         /* the directory holding it */
    QString packageName;
    QJsonObject params;  /* package parameters (`with:`), evaluated, -D applied */
    std::vector<FlowTask> tasks; /* in file order; an imported package's after the root's */
    QStringList warnings; /* "FILE:LINE: warning: ..." of the load (e.g. a need of another package's non-export task) */

    /// Index of the task named NAME or PKG.NAME (PKG being this package);
    /// -1 if none. O(1): a hash, rebuilt when tasks were added.
    int indexOf(const QString &nameOrQualified) const;

    /// "PKG.NAME", or NAME when the flow has no package (a task list).
    QString qualified(const FlowTask &t) const
    {
        return packageName.isEmpty() || !t.package().isEmpty() ? t.name : packageName + QLatin1Char('.') + t.name;
    }

private:
    mutable QHash<QString, int> m_index; /* bare name -> index */
    mutable size_t m_indexed = 0;        /* tasks.size() when m_index was built */
};

/// What the command line adds to a load.
struct FlowOptions {
    QStringList defines;      /* -D NAME=VALUE, in order */
    QString rundirRoot;       /* for ${{ rundir }}; "" = <flow dir>/rundir */
    QHash<QString, QString> env; /* for ${{ env.X }}; empty = the process environment */
    QString config;           /* -c: the root package's configuration; "" = `default` when it has one */
};

/// Finds flow.dv, else flow.yaml, in `projectRoot` and parses it. Returns
/// false with *err when neither exists, or the file cannot be read or
/// parsed (see parseFlowText()).
bool loadFlow(const QString &projectRoot, Flow *flow, QString *err);
bool loadFlow(const QString &projectRoot, const FlowOptions &options, Flow *flow, QString *err);

/// Parses flow YAML text; `fileName` names the file in messages and sets
/// flow->file and flow->dir. Checks everything that would stop a run:
/// syntax, structure, unknown keys, constructs not supported yet (refused by
/// name), Python task bodies, expressions, duplicate names, unknown needs and
/// cycles. Returns false with every error found, one "FILE:LINE: ..." per line.
bool parseFlowText(const QString &fileName, const QString &yamlText, Flow *flow, QString *err);
bool parseFlowText(const QString &fileName, const QString &yamlText, const FlowOptions &options, Flow *flow,
                   QString *err);

/// The indices of the named tasks and of everything they need, needs before
/// the tasks needing them; with no names, of every leaf task (one no other
/// task needs) and its needs. Returns false with *err for an unknown name,
/// suggesting the closest task name or listing the tasks. Iterative: any depth.
bool selectTasks(const Flow &flow, const QStringList &names, std::vector<int> *order, QString *err);

/// The first dependency cycle among `needs` (indices), as the indices along
/// it with the first repeated at the end, and the task whose need closes it
/// in *closer; empty when there is none. Iterative: any depth.
std::vector<int> findCycle(const std::vector<std::vector<int>> &needs, int *closer);

} // namespace dfm
