#pragma once
// The elaborator's state, shared by elaborate.cpp (the stages, one task's
// expansion), pkgscope.cpp (-D, package parameters and scopes), params.cpp
// (values and types), uses.cpp (`uses:` bases), needs.cpp (needs, cycles),
// compound.cpp (bodies) and matrix.cpp (strategy.matrix). Internal to
// core/flow/.

#include "flow/decl.h"
#include "flow/expr.h"
#include "flow/stdlib.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <deque>
#include <unordered_map>
#include <vector>

namespace dfm::flow {

/// Names resolve through `layers` (first wins), then the package's
/// parameters qualified by its name, then the built-in variables.
class Scope : public ExprScope {
public:
    std::vector<const QJsonObject *> layers;
    const QJsonObject *builtins = nullptr;
    QString pkgName;
    const QJsonObject *pkgParams = nullptr;
    const QJsonObject *packages = nullptr; /* other packages' parameters by name (and import alias) */
    /* A task's own built-ins, `name`, `rundir` and (for a task from another
       file) `srcdir`, looked up here rather than put in a QJsonObject per
       task, which cost a sixth of loading a large flow. */
    const QString *taskName = nullptr;   /* qualified; null outside a task */
    const QString *taskRundir = nullptr;
    const QString *taskSrcdir = nullptr; /* null: the package's */

    bool lookup(const QString &name, QJsonValue *value) const override
    {
        for (const QJsonObject *l : layers) {
            const auto it = l->constFind(name);
            if (it != l->constEnd()) {
                *value = *it;
                return true;
            }
        }
        if (taskName && name == QLatin1String("name")) {
            *value = *taskName;
            return true;
        }
        if (taskRundir && name == QLatin1String("rundir")) {
            *value = *taskRundir;
            return true;
        }
        if (taskSrcdir && name == QLatin1String("srcdir")) {
            *value = *taskSrcdir;
            return true;
        }
        if (packages) { // first: `top` there also holds package `top.sub`'s parameters as `top.sub`
            const auto p = packages->constFind(name);
            if (p != packages->constEnd()) {
                *value = *p;
                return true;
            }
        }
        if (pkgParams && name == pkgName) {
            *value = *pkgParams;
            return true;
        }
        const auto it = builtins->constFind(name);
        if (it != builtins->constEnd()) {
            *value = *it;
            return true;
        }
        return false;
    }
    QStringList names() const override
    {
        QStringList n = builtins->keys();
        if (taskName)
            n << QStringLiteral("name");
        for (const QJsonObject *l : layers)
            n += l->keys();
        return n;
    }
};

/// A task body as written and the scope it was expanded in, less the
/// task's own parameters, name and run directory: what std.RunTasks needs
/// to expand it again for a task it adds (core/flow/dyntask.cpp).
struct RawBody {
    QString run;
    std::vector<QJsonObject> layers; /* after the task's parameters, in lookup order */
    QJsonObject builtins;
    QString pkgName;
    QJsonObject pkgParams;
    QJsonObject packages;            /* empty: none */
    QString srcdir;                  /* "" = the package's */
};

/// Expands expressions in every string of `v` (lists and maps too).
bool evalValue(const QJsonValue &v, const Scope &scope, QJsonValue *out, QString *err, int depth = 0);

/// A task's parameters while elaborating: values and declared types.
struct Params {
    QJsonObject values;
    QHash<QString, QString> types;
};

/// Everything a task inherits through `uses:`, before its own expansion.
struct Resolved {
    std::vector<ParamDecl> params;   /* base first, then own: evaluated in this order */
    QString rawRun, shell = QStringLiteral("bash"), callable;
    QJsonValue consumes = flowWord("all"), passthrough = flowWord("unused");
    bool inheritRundir = false;
    double timeout = 0;
    ResourceSpec resources;
    QString resourceClass;
    const TaskDecl *bodyOwner = nullptr;     /* the declaration whose body this task runs; null: a leaf */
    const TaskDecl *strategyOwner = nullptr; /* the declaration whose strategy.matrix applies; null: none */
    int maxFailures = -1;
};

/// A need as written, resolved when every task exists (linkNeeds()).
struct PendingNeed {
    QString written;                              /* as in the file */
    int line = 0;
    const QHash<QString, QString> *siblings = nullptr; /* the body it was written in: name -> flow name */
    QString exact;                                /* a flow task name, when already known */
};

/// Where a task instance sits: at the top level, or in a compound's body.
struct InstanceCtx {
    QString name;                                 /* the flow task's bare name (C.SUB, C.SUB_0_1) */
    QString rundirParent;                         /* the enclosing compound's run directory under the root; "" at the top */
    bool nested = false;                          /* in a body */
    std::vector<const QJsonObject *> outer;       /* enclosing compounds' parameters, innermost first */
    QJsonObject extra;                            /* `this` and `matrix` for a body task */
    const QHash<QString, QString> *siblings = nullptr; /* resolves the needs written in this body */
    const std::vector<PendingNeed> *inputNeeds = nullptr; /* the compound's needs: a body task without a sibling need gets them */
    QString compound;                             /* the enclosing compound's flow name */
};

class Elaborator {
public:
    Elaborator(const PackageDecl &pkg, const FlowOptions &options, Flow *flow, Errors *errors)
        : m_pkg(pkg), m_opt(options), m_flow(flow), m_err(errors)
    {
    }
    void run();

private:
    // elaborate.cpp
    void builtins();
    void expandTask(int index, const Resolved &r);
    int expandInstance(const TaskDecl &d, const Resolved &r, const InstanceCtx &ctx);
    // pkgscope.cpp
    void applyDefines();
    void packageParams();
    // params.cpp
    /// Errors name the owner: "WHAT 'NAME': parameter 'P': ..." (WHAT is "task" or "package").
    bool evalParams(const std::vector<ParamDecl> &decls, const Scope &baseScope, Params *out, const char *what,
                    const QString &name);
    // uses.cpp
    /// What task `index` inherits and sets (its `uses:` chain followed);
    /// false after reporting why it cannot be had (once per task). Only
    /// tasks reached as a base are kept (m_bases): a flow's other tasks
    /// need theirs only while they are expanded.
    bool resolveTask(int index, Resolved *out);
    const Resolved *resolvedBase(int index); // kept; null when it cannot be had
    void applyDecl(const TaskDecl &d, Resolved *r);     // what a declaration sets over its base
    bool stdBaseOf(const TaskDecl &d, const StdTaskDef **base); // false after reporting an unknown or refused one
    int lookupUses(const TaskDecl &d);                  // the package task `uses:` names; -1 after reporting
    void applyStdBase(const StdTaskDef &base, int line, Resolved *r);
    // compound.cpp
    bool resolveDecl(const TaskDecl &d, Resolved *out); // a body task: its `uses:` base, then itself
    void expandBody(int compoundIndex, const TaskDecl &d, const Resolved &r, const Params &params,
                    const InstanceCtx &ctx, const Scope &scope, std::vector<PendingNeed> inputNeeds);
    void expandBodyOnce(int compoundIndex, const Resolved &r, const Params &params, const InstanceCtx &ctx,
                        const std::vector<PendingNeed> &inputNeeds, const QJsonObject &matrix, const QString &suffix,
                        const QString &rundirParent, QStringList *terminals);
    bool checkCompound(const TaskDecl &d, const Resolved &r, const QString &name); // false after reporting
    // matrix.cpp
    bool matrixCombinations(const TaskDecl &owner, const Scope &scope, std::vector<QJsonObject> *combos,
                            QStringList *suffixes, const QString &where);
    // needs.cpp
    void linkNeeds();
    int resolveNeed(int from, const PendingNeed &need);
    // elaborate.cpp
    bool usesRunTasks() const; // does any task name std.RunTasks in `uses:`?
    std::shared_ptr<const RawBody> keepRaw(const QString &run, const Scope &scope) const;

    const PackageDecl &m_pkg;
    const FlowOptions &m_opt;
    Flow *m_flow;
    Errors *m_err;
    QJsonObject m_builtins;
    bool m_keepRaw = false;              /* the flow uses std.RunTasks: keep raw bodies (FlowTaskMore::raw) */
    QString m_rundirRoot;
    QHash<QString, int> m_byName;        /* task decl name -> index */
    std::unordered_map<int, Resolved> m_bases;  /* decl index -> resolved, for tasks reached through `uses:` */
    std::vector<unsigned char> m_unresolvable; /* decl index -> 1: its `uses:` failed (reported) */
    QHash<QString, QJsonValue> m_pkgDefines;                 /* -D for package parameters */
    QHash<QString, QHash<QString, QJsonValue>> m_taskDefines; /* -D TASK.PARAM */
    std::vector<int> m_flowIndex;        /* decl index -> flow task index (-1: dropped) */
    QSet<QString> m_poisoned;            /* parameters whose value was an error */
    std::vector<std::vector<PendingNeed>> m_pending; /* flow index -> its needs, resolved by linkNeeds() */
    std::deque<QHash<QString, QString>> m_bodyScopes; /* sibling maps of the bodies (stable addresses) */
    std::vector<const TaskDecl *> m_bodyStack;       /* bodies being expanded: a body within itself is an error */
    QSet<QString> m_reportedNeeds;                   /* "line:name" of unknown needs reported (a compound's reach several tasks) */
    std::vector<QJsonObject> m_pkgParams; /* an imported package's (PackageDecl::imported[k - 1]) at k */
    std::vector<QJsonObject> m_pkgScopes; /* per package: the others' parameters by name and alias */
    QHash<QString, QHash<QString, QJsonValue>> m_importDefines; /* -D PKG.NAME of imported packages */

    /// The package of a task: its name and parameters.
    const QString &pkgNameOf(int k) const { return k == 0 ? m_pkg.name : m_pkg.imported[size_t(k - 1)].name; }
    const QJsonObject &pkgParamsOf(int k) const { return k == 0 ? m_flow->params : m_pkgParams[size_t(k)]; }
    void packageScopes();                 // pkgscope.cpp
    bool importedDefine(const QString &name, const QJsonValue &value);

    /// True when `v` refers to a parameter already reported wrong: its own
    /// error would only repeat that one.
    bool mentionsPoisoned(const QJsonValue &v) const
    {
        const QString text = valueText(v);
        for (const QString &name : m_poisoned) {
            const QRegularExpression re(QStringLiteral("\\b%1\\b").arg(QRegularExpression::escape(name)));
            if (text.contains(re))
                return true;
        }
        return false;
    }
};

} // namespace dfm::flow
