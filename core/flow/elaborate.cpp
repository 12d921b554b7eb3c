// Elaboration: from the package as written to the tasks `dfm run` runs.
// The order of the stages (run()) and the expansion of one task instance:
// its parameters, body, `iff` and needs as written. The stages live in
// files of their own: pkgscope.cpp (-D, package parameters and scopes),
// params.cpp (values, types), uses.cpp (`uses:` bases), needs.cpp (needs
// and cycles), compound.cpp (bodies), matrix.cpp (strategy.matrix).
// Lookups by hash; walks iterative.

#include "flow/elaborator.h"
#include "flow/yamlvalue.h"

#include <QProcessEnvironment>

namespace dfm::flow {

namespace {

bool sameResources(const ResourceSpec &a, const ResourceSpec &b)
{
    return a.cores == b.cores && a.memory == b.memory && a.walltime == b.walltime && a.queue == b.queue
           && a.resourceSelect == b.resourceSelect && a.partition == b.partition;
}

} // namespace

void Elaborator::builtins()
{
    m_rundirRoot = m_opt.rundirRoot.isEmpty() ? m_flow->dir + QStringLiteral("/rundir") : m_opt.rundirRoot;
    QJsonObject env;
    if (m_opt.env.isEmpty()) {
        const QProcessEnvironment pe = QProcessEnvironment::systemEnvironment();
        for (const QString &k : pe.keys())
            env.insert(k, pe.value(k));
    } else {
        for (auto it = m_opt.env.begin(); it != m_opt.env.end(); ++it)
            env.insert(it.key(), it.value());
    }
    m_builtins.insert(QStringLiteral("env"), env);
    m_builtins.insert(QStringLiteral("srcdir"), m_flow->dir);
    m_builtins.insert(QStringLiteral("rootdir"), m_flow->dir);
    m_builtins.insert(QStringLiteral("rundir"), m_rundirRoot);
}

bool Elaborator::usesRunTasks() const
{
    std::vector<const TaskDecl *> stack;
    for (const TaskDecl &d : m_pkg.tasks)
        stack.push_back(&d);
    while (!stack.empty()) {
        const TaskDecl *d = stack.back();
        stack.pop_back();
        if (d->task.uses() == QLatin1String("std.RunTasks"))
            return true;
        for (const TaskDecl &b : d->body)
            stack.push_back(&b);
    }
    return false;
}

std::shared_ptr<const RawBody> Elaborator::keepRaw(const QString &run, const Scope &scope) const
{
    auto raw = std::make_shared<RawBody>();
    raw->run = run;
    for (const QJsonObject *l : scope.layers)
        raw->layers.push_back(*l);
    raw->builtins = *scope.builtins;
    raw->pkgName = scope.pkgName;
    if (scope.pkgParams)
        raw->pkgParams = *scope.pkgParams;
    if (scope.packages)
        raw->packages = *scope.packages;
    if (scope.taskSrcdir)
        raw->srcdir = *scope.taskSrcdir;
    return raw;
}

void Elaborator::expandTask(int index, const Resolved &r)
{
    const TaskDecl &d = m_pkg.tasks[size_t(index)];
    InstanceCtx ctx;
    ctx.name = d.task.name;
    m_flowIndex[size_t(index)] = expandInstance(d, r, ctx);
}

int Elaborator::expandInstance(const TaskDecl &d, const Resolved &r, const InstanceCtx &ctx)
{
    FlowTask t = d.task;
    t.name = ctx.name;
    if (t.compound() != ctx.compound) // most tasks: both empty, and the shared block stays shared
        t.editMore().compound = ctx.compound;
    const auto where = [&t] { return QStringLiteral("task '%1'").arg(t.name); }; // for errors only
    // Most tasks of a large flow evaluate nothing (no parameters, no
    // `${{ }}`, no `iff`, no body): they need no names built for a scope.
    const bool evaluates = !r.params.empty() || r.rawRun.contains(QLatin1String("${{")) || !d.iff.isUndefined()
                           || r.bodyOwner || r.strategyOwner || m_taskDefines.contains(t.name);
    QString qualified, rundir;
    if (evaluates || ctx.nested) {
        qualified = t.package().isEmpty() ? m_pkg.name + QLatin1Char('.') + t.name : t.name;
        // The run directory, as the Python dfm nests it: PKG.T under the
        // root, a body task's PKG.C.SUB under its compound's (or the
        // compound's own with `rundir: inherit`).
        const QString rundirPath = r.inheritRundir ? ctx.rundirParent
                                   : ctx.rundirParent.isEmpty() ? qualified
                                                                : ctx.rundirParent + QLatin1Char('/') + qualified;
        if (ctx.nested)
            t.editMore().rundirPath = rundirPath.isEmpty() ? QStringLiteral(".") : rundirPath;
        rundir = rundirPath.isEmpty() ? m_rundirRoot : m_rundirRoot + QLatin1Char('/') + rundirPath;
    }
    Scope scope;
    scope.layers.reserve(ctx.outer.size() + 4);
    scope.builtins = &m_builtins;
    scope.pkgName = pkgNameOf(d.pkg);
    scope.pkgParams = &pkgParamsOf(d.pkg);
    if (!m_pkgScopes.empty())
        scope.packages = &m_pkgScopes[size_t(d.pkg)];
    for (const QJsonObject *o : ctx.outer)
        scope.layers.push_back(o);
    scope.layers.push_back(scope.pkgParams);
    if (!ctx.extra.isEmpty()) // `this` and `matrix` of a body task
        scope.layers.push_back(&ctx.extra);
    scope.taskName = &qualified;
    scope.taskRundir = &rundir;
    if (!d.task.srcdir().isEmpty())
        scope.taskSrcdir = &d.task.srcdir();

    const std::vector<ParamDecl> *decls = &r.params;
    std::vector<ParamDecl> defined; /* r.params and this task's -D values, when it has some */
    const auto defs = ctx.nested ? m_taskDefines.constEnd() : m_taskDefines.constFind(t.name);
    if (defs != m_taskDefines.constEnd()) {
        defined = r.params;
        for (auto it = defs->begin(); it != defs->end(); ++it) {
            ParamDecl p;
            p.name = it.key();
            p.value = it.value();
            p.line = t.line;
            defined.push_back(p);
        }
        decls = &defined;
    }
    Params params;
    bool ok = evalParams(*decls, scope, &params, "task", t.name);
    t.with = params.values;
    if (t.callableSpec() != r.callable)
        t.editMore().callableSpec = r.callable;
    t.shell = r.shell.isEmpty() ? QStringLiteral("bash") : r.shell;
    t.consumes = r.consumes;
    t.passthrough = r.passthrough;
    t.inheritRundir = r.inheritRundir;
    t.timeout = r.timeout;
    if (!sameResources(t.resources(), r.resources))
        t.editMore().resources = r.resources;
    if (t.resourceClass() != r.resourceClass)
        t.editMore().resourceClass = r.resourceClass;
    t.run.clear();
    if (t.shell == QLatin1String("pytask") && t.callableSpec().isEmpty()) {
        m_err->add(d.runLine ? d.runLine : t.line,
                   QStringLiteral("task '%1': `shell: pytask` runs the Python callable '%2', a Python task body; this dfm "
                                  "cannot run it (the Python `dfm run` runs it through our daemon)").arg(t.name, r.rawRun.trimmed()));
        ok = false;
    } else if (t.shell == QLatin1String("python") || t.shell == QLatin1String("python3")) {
        m_err->add(d.runLine ? d.runLine : t.line,
                   QStringLiteral("task '%1': `shell: %2` is a Python task body; this dfm cannot run it "
                                  "(the Python `dfm run` runs it through our daemon)").arg(t.name, t.shell));
        ok = false;
    } else if (t.callableSpec().isEmpty() && !r.rawRun.contains(QLatin1String("${{"))) {
        t.run = r.rawRun; // nothing to expand: shared, not copied
    } else if (t.callableSpec().isEmpty()) {
        scope.layers.insert(scope.layers.begin(), &params.values);
        QJsonValue body;
        QString e;
        if (!expandText(r.rawRun, scope, &body, &e)) {
            if (m_poisoned.isEmpty() || !mentionsPoisoned(r.rawRun))
                m_err->add(d.runLine ? d.runLine : t.line, QStringLiteral("%1: run: %2").arg(where(), e));
            ok = false;
        }
        t.run = valueText(body);
        scope.layers.erase(scope.layers.begin());
        if (m_keepRaw)
            t.editMore().raw = keepRaw(r.rawRun, scope);
    }
    if (!d.iff.isUndefined()) {
        scope.layers.insert(scope.layers.begin(), &params.values);
        QJsonValue v;
        QString e;
        if (d.iff.isString() && !evalValue(d.iff, scope, &v, &e)) {
            if (m_poisoned.isEmpty() || !mentionsPoisoned(d.iff))
                m_err->add(d.iffLine, QStringLiteral("%1: iff: %2").arg(where(), e));
            ok = false;
        } else {
            if (!d.iff.isString())
                v = d.iff;
            if (v.isString()) { // "true"/"false" after expansion
                const QJsonValue b = scalarToJson(v.toString().trimmed());
                v = b.isBool() ? b : QJsonValue(!v.toString().isEmpty());
            }
            t.iff = v.isBool() ? v.toBool() : v.isDouble() ? v.toDouble() != 0 : !v.isNull();
        }
    }
    if (!t.iff) { // the task stays in the graph, runs nothing, passes its inputs on
        t.run.clear();
        if (!t.callableSpec().isEmpty())
            t.editMore().callableSpec.clear();
        t.passthrough = QStringLiteral("all");
    }
    const bool compound = t.iff && (r.bodyOwner || r.strategyOwner);
    if (compound && !checkCompound(d, r, t.name))
        ok = false;
    if (!ok)
        return -1;
    // Its needs: as written, resolved in the body it is written in; a body
    // task that needs no sibling also gets what its compound needs.
    std::vector<PendingNeed> needs;
    needs.reserve(d.needs.size());
    bool sibling = false;
    for (const auto &need : d.needs) {
        needs.push_back(PendingNeed{need.first, need.second, ctx.siblings, QString()});
        sibling = sibling || (ctx.siblings && ctx.siblings->contains(need.first));
    }
    if (ctx.inputNeeds && !sibling)
        needs.insert(needs.end(), ctx.inputNeeds->begin(), ctx.inputNeeds->end());
    const int fi = int(m_flow->tasks.size());
    if (compound) {
        t.isCompound = true;
        t.maxFailures = r.maxFailures;
        t.run.clear();
        if (!t.callableSpec().isEmpty())
            t.editMore().callableSpec.clear();
        t.consumes = QStringLiteral("all");
        t.passthrough = QStringLiteral("all");
    }
    m_flow->tasks.push_back(std::move(t));
    m_pending.emplace_back();
    if (compound) {
        scope.layers.insert(scope.layers.begin(), &params.values);
        expandBody(fi, d, r, params, ctx, scope, std::move(needs)); // sets m_pending[fi]
    } else {
        m_pending[size_t(fi)] = std::move(needs);
    }
    return fi;
}

void Elaborator::run()
{
    m_flow->packageName = m_pkg.name;
    m_byName.reserve(qsizetype(m_pkg.tasks.size()));
    for (size_t i = 0; i < m_pkg.tasks.size(); ++i) {
        const TaskDecl &d = m_pkg.tasks[i];
        const auto dup = m_byName.constFind(d.task.name);
        if (dup != m_byName.constEnd()) {
            const int first = m_pkg.tasks[size_t(*dup)].task.line;
            const bool sameFile = m_err->fileOf(first) == m_err->fileOf(d.task.line);
            m_err->add(d.task.line, sameFile ? QStringLiteral("task '%1' is defined twice (lines %2 and %3)")
                                                   .arg(d.task.name).arg(first % kFileStride).arg(d.task.line % kFileStride)
                                             : QStringLiteral("task '%1' is defined twice (%2:%3 and here)")
                                                   .arg(d.task.name, m_err->fileOf(first)).arg(first % kFileStride));
            continue;
        }
        m_byName.insert(d.task.name, int(i));
    }
    builtins();
    m_keepRaw = usesRunTasks();
    applyDefines();
    packageParams();
    m_unresolvable.assign(m_pkg.tasks.size(), 0);
    m_flowIndex.assign(m_pkg.tasks.size(), -1);
    m_flow->tasks.reserve(m_pkg.tasks.size());
    m_pending.reserve(m_pkg.tasks.size());
    for (size_t i = 0; i < m_pkg.tasks.size(); ++i) {
        const TaskDecl &d = m_pkg.tasks[i];
        if (d.broken)
            continue;
        Resolved r;
        // A task defined twice is reported (above); its `uses:` is still checked.
        if (resolveTask(int(i), &r) && m_byName.value(d.task.name) == int(i))
            expandTask(int(i), r);
    }
    linkNeeds();
}

void elaborate(const PackageDecl &pkg, const FlowOptions &options, Flow *flow, Errors *errors)
{
    Elaborator(pkg, options, flow, errors).run();
}

} // namespace dfm::flow
