// Elaboration: from the package as written to the tasks `dfm run` runs.
// Parameters (-D overrides, types, `${{ }}`), `uses:` inheritance, `iff`,
// needs and cycles. Lookups by hash; walks iterative.

#include "flow/elaborator.h"
#include "flow/yamlvalue.h"

#include "spellcheck.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSet>

namespace dfm::flow {

namespace {
constexpr int kMaxValueDepth = 64;
} // namespace

bool evalValue(const QJsonValue &v, const Scope &scope, QJsonValue *out, QString *err, int depth)
{
    if (depth > kMaxValueDepth) {
        *err = QStringLiteral("value nested too deeply");
        return false;
    }
    if (v.isString())
        return hasExpr(v.toString()) ? expandText(v.toString(), scope, out, err) : (*out = v, true);
    if (v.isArray()) {
        QJsonArray a;
        for (const QJsonValue &x : v.toArray()) {
            QJsonValue y;
            if (!evalValue(x, scope, &y, err, depth + 1))
                return false;
            a.append(y);
        }
        *out = a;
        return true;
    }
    if (v.isObject()) {
        QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            QJsonValue y;
            if (!evalValue(it.value(), scope, &y, err, depth + 1))
                return false;
            it.value() = y;
        }
        *out = o;
        return true;
    }
    *out = v;
    return true;
}

namespace {

/// The default of a typed parameter declared without a value.
QJsonValue typeDefault(const QString &type)
{
    if (type == QLatin1String("str")) return QString();
    if (type == QLatin1String("int") || type == QLatin1String("float")) return 0;
    if (type == QLatin1String("bool")) return false;
    if (type == QLatin1String("list")) return QJsonArray();
    if (type == QLatin1String("map")) return QJsonObject();
    return QJsonValue();
}

/// `v` as a value of `type`; false with *err when it cannot be one.
bool coerce(const QJsonValue &v, const QString &type, QJsonValue *out, QString *err)
{
    *out = v;
    if (type.isEmpty() || v.isNull())
        return true;
    if (type == QLatin1String("str")) {
        if (v.isArray() || v.isObject()) {
            *err = QStringLiteral("expected a string, got a %1").arg(v.isArray() ? QStringLiteral("list") : QStringLiteral("map"));
            return false;
        }
        *out = valueText(v);
        return true;
    }
    if (type == QLatin1String("int") || type == QLatin1String("float")) {
        if (v.isDouble()) {
            if (type == QLatin1String("int") && v.toDouble() != std::floor(v.toDouble())) {
                *err = QStringLiteral("expected an integer, got %1").arg(valueText(v));
                return false;
            }
            return true;
        }
        const QJsonValue n = v.isString() ? scalarToJson(v.toString().trimmed()) : v;
        if (!n.isDouble() || (type == QLatin1String("int") && n.toDouble() != std::floor(n.toDouble()))) {
            *err = QStringLiteral("expected %1, got '%2'").arg(type == QLatin1String("int") ? QStringLiteral("an integer") : QStringLiteral("a number"), valueText(v));
            return false;
        }
        *out = n;
        return true;
    }
    if (type == QLatin1String("bool")) {
        const QJsonValue b = v.isString() ? scalarToJson(v.toString().trimmed()) : v;
        if (!b.isBool()) {
            *err = QStringLiteral("expected true or false, got '%1'").arg(valueText(v));
            return false;
        }
        *out = b;
        return true;
    }
    if (type == QLatin1String("list")) {
        if (v.isString()) { // a single item, as the Python std tasks accept it
            *out = QJsonArray{v};
            return true;
        }
        if (!v.isArray()) {
            *err = QStringLiteral("expected a list, got '%1'").arg(valueText(v));
            return false;
        }
        return true;
    }
    if (type == QLatin1String("map") && !v.isObject()) {
        *err = QStringLiteral("expected a map, got '%1'").arg(valueText(v));
        return false;
    }
    return true;
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

void Elaborator::applyDefines()
{
    for (const QString &d : m_opt.defines) {
        const qsizetype eq = d.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            m_err->addPlain(QStringLiteral("-D %1: expected NAME=VALUE").arg(d));
            continue;
        }
        QString name = d.left(eq).trimmed();
        const QJsonValue value = scalarToJson(d.mid(eq + 1));
        const QString prefix = m_pkg.name + QLatin1Char('.');
        if (!m_pkg.imported.empty() && name.startsWith(prefix) && importedDefine(name, value))
            continue; // a package named like the root's prefix (`top.sub` beside `top`)
        if (name.startsWith(prefix))
            name = name.mid(prefix.size());
        bool isPkgParam = false;
        QStringList known;
        for (const ParamDecl &p : m_pkg.params) {
            known << p.name;
            isPkgParam = isPkgParam || p.name == name;
        }
        if (isPkgParam) {
            m_pkgDefines.insert(name, value);
            continue;
        }
        if (!m_pkg.imported.empty() && importedDefine(name, value))
            continue;
        const qsizetype dot = name.lastIndexOf(QLatin1Char('.'));
        if (dot > 0 && m_byName.contains(name.left(dot))) {
            m_taskDefines[name.left(dot)].insert(name.mid(dot + 1), value);
            continue;
        }
        const QString close = closestMatch(name, known);
        m_err->addPlain(QStringLiteral("-D %1: package '%2' has no parameter '%1'%3").arg(name, m_pkg.name,
                            close.isEmpty() ? (known.isEmpty() ? QStringLiteral(" (it has none)")
                                                               : QStringLiteral(" (parameters: %1)").arg(known.join(QStringLiteral(", "))))
                                            : QStringLiteral("; did you mean '%1'?").arg(close)));
    }
}

bool Elaborator::importedDefine(const QString &name, const QJsonValue &value)
{
    for (const PackageDecl &p : m_pkg.imported) {
        if (name.size() <= p.name.size() + 1 || !name.startsWith(p.name) || name.at(p.name.size()) != QLatin1Char('.'))
            continue;
        const QString param = name.mid(p.name.size() + 1);
        for (const ParamDecl &d : p.params) {
            if (d.name == param) {
                m_importDefines[p.name].insert(param, value);
                return true;
            }
        }
    }
    return false;
}

bool Elaborator::evalParams(const std::vector<ParamDecl> &decls, const Scope &baseScope, Params *out,
                            const QString &where)
{
    bool ok = true;
    Scope scope = baseScope;
    scope.layers.insert(scope.layers.begin(), &out->values);
    for (const ParamDecl &d : decls) {
        QString type = d.typed ? d.type : out->types.value(d.name);
        if (d.typed)
            out->types.insert(d.name, d.type);
        QJsonValue v = d.typed && d.value.isUndefined() ? typeDefault(d.type) : d.value;
        if (v.isUndefined())
            v = QJsonValue();
        QString e;
        QJsonValue ev, cv;
        if (!evalValue(v, scope, &ev, &e) || !coerce(ev, type, &cv, &e)) {
            if (m_poisoned.isEmpty() || !mentionsPoisoned(v))
                m_err->add(d.line, QStringLiteral("%1: parameter '%2': %3").arg(where, d.name, e));
            m_poisoned.insert(d.name);
            ok = false;
            continue;
        }
        out->values.insert(d.name, cv);
    }
    return ok;
}

void Elaborator::packageParams()
{
    std::vector<ParamDecl> decls = m_pkg.params;
    for (ParamDecl &d : decls) {
        const auto it = m_pkgDefines.constFind(d.name);
        if (it != m_pkgDefines.constEnd())
            d.value = *it;
    }
    Scope scope;
    scope.builtins = &m_builtins;
    Params p;
    evalParams(decls, scope, &p, QStringLiteral("package '%1'").arg(m_pkg.name));
    m_flow->params = p.values;
    // Imported packages: each with its own -D PKG.NAME.
    m_pkgParams.resize(m_pkg.imported.size() + 1);
    for (size_t k = 0; k < m_pkg.imported.size(); ++k) {
        const PackageDecl &ip = m_pkg.imported[k];
        std::vector<ParamDecl> ds = ip.params;
        const QHash<QString, QJsonValue> defs = m_importDefines.value(ip.name);
        for (ParamDecl &d : ds) {
            const auto it = defs.constFind(d.name);
            if (it != defs.constEnd())
                d.value = *it;
        }
        Params ipv;
        evalParams(ds, scope, &ipv, QStringLiteral("package '%1'").arg(ip.name));
        m_pkgParams[k + 1] = ipv.values;
    }
    packageScopes();
}

void Elaborator::packageScopes()
{
    // PKG.NAME for every package; a dotted package name nests (vendor.ip -> vendor: {ip: ...}).
    QJsonObject all;
    for (size_t k = 0; k <= m_pkg.imported.size(); ++k) {
        const QStringList parts = pkgNameOf(int(k)).split(QLatin1Char('.'));
        std::vector<QJsonObject> path{all};
        for (qsizetype i = 0; i + 1 < parts.size(); ++i)
            path.push_back(path.back().value(parts[i]).toObject());
        QJsonObject leaf = path.back().value(parts.last()).toObject();
        const QJsonObject &params = pkgParamsOf(int(k));
        for (auto it = params.begin(); it != params.end(); ++it)
            leaf.insert(it.key(), it.value());
        path.back().insert(parts.last(), leaf);
        for (qsizetype i = parts.size() - 2; i >= 0; --i)
            path[size_t(i)].insert(parts[i], path[size_t(i) + 1]);
        all = path[0];
    }
    m_pkgScopes.assign(m_pkg.imported.size() + 1, all);
    for (size_t k = 0; k <= m_pkg.imported.size(); ++k) {
        const QHash<QString, QString> &aliases = k == 0 ? m_pkg.aliases : m_pkg.imported[k - 1].aliases;
        for (auto it = aliases.begin(); it != aliases.end(); ++it) {
            for (size_t j = 0; j <= m_pkg.imported.size(); ++j) {
                if (pkgNameOf(int(j)) == it.value())
                    m_pkgScopes[k].insert(it.key(), pkgParamsOf(int(j)));
            }
        }
    }
}

bool Elaborator::stdBaseOf(const TaskDecl &d, const StdTaskDef **base)
{
    const QString &uses = d.task.uses;
    *base = findStdTaskDef(uses);
    if (!*base) {
        const QString close = closestMatch(uses, stdTaskNames());
        m_err->add(d.usesLine, QStringLiteral("task '%1' uses '%2', which is not a task of the standard library%3")
                                   .arg(d.task.name, uses, close.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(close)));
        return false;
    }
    if (!(*base)->refusal.isEmpty()) {
        m_err->add(d.usesLine, (*base)->refusal.startsWith(QLatin1Char('`'))
                                   ? QStringLiteral("task '%1': %2").arg(d.task.name, (*base)->refusal)
                                   : QStringLiteral("task '%1' uses '%2', which %3").arg(d.task.name, uses, (*base)->refusal));
        return false;
    }
    return true;
}

int Elaborator::lookupUses(const TaskDecl &d)
{
    const QString &uses = d.task.uses;
    QString bare = uses;
    if (!m_byName.contains(bare) && bare.startsWith(m_pkg.name + QLatin1Char('.')))
        bare = bare.mid(m_pkg.name.size() + 1);
    const auto it = m_byName.constFind(bare);
    if (it != m_byName.constEnd())
        return *it;
    const qsizetype dot = uses.indexOf(QLatin1Char('.'));
    if (dot > 0 && !m_byName.contains(uses)) {
        m_err->add(d.usesLine, QStringLiteral("task '%1' uses '%2', but no package '%3' is imported")
                                   .arg(d.task.name, uses, uses.left(dot)));
    } else {
        const QString close = closestMatch(bare, m_byName.keys());
        m_err->add(d.usesLine, QStringLiteral("task '%1' uses '%2', which is not a task in package '%3'%4")
                                   .arg(d.task.name, uses, m_pkg.name, close.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(close)));
    }
    return -1;
}

void Elaborator::applyStdBase(const StdTaskDef &base, int line, Resolved *r)
{
    r->callable = base.callable;
    r->shell = base.callable.isEmpty() ? QString() : QStringLiteral("pytask");
    r->params = base.params;
    for (ParamDecl &p : r->params)
        p.line = line;
    r->consumes = base.consumes;
    r->passthrough = base.passthrough;
}

void Elaborator::applyDecl(const TaskDecl &d, Resolved *r)
{
    for (const ParamDecl &p : d.params)
        r->params.push_back(p);
    if (d.hasRun) {
        r->rawRun = d.task.run;
        r->callable.clear();
        r->shell = QStringLiteral("bash");
    }
    if (d.hasShell)
        r->shell = d.task.shell;
    if (d.hasConsumes)
        r->consumes = d.task.consumes;
    if (d.hasPassthrough)
        r->passthrough = d.task.passthrough;
    if (d.hasRundir)
        r->inheritRundir = d.task.inheritRundir;
    if (d.hasTimeout)
        r->timeout = d.task.timeout;
    const ResourceSpec &own = d.task.resources;
    if (own.cores)
        r->resources.cores = own.cores;
    if (!own.memory.isEmpty())
        r->resources.memory = own.memory;
    if (!own.queue.isEmpty())
        r->resources.queue = own.queue;
    if (!own.walltime.isEmpty())
        r->resources.walltime = own.walltime;
    if (!d.task.resourceClass.isEmpty())
        r->resourceClass = d.task.resourceClass;
    if (!d.body.empty())
        r->bodyOwner = &d;
    if (!d.matrix.empty())
        r->strategyOwner = &d;
    if (d.hasMaxFailures)
        r->maxFailures = d.maxFailures;
}

bool Elaborator::resolveOne(int index)
{
    // Follow the `uses:` chain iteratively to a resolved base, then unwind.
    std::vector<int> chain{index};
    QHash<int, bool> onChain{{index, true}};
    const StdTaskDef *stdBase = nullptr;
    while (true) {
        const TaskDecl &d = m_pkg.tasks[size_t(chain.back())];
        if (d.task.uses.isEmpty() || m_resolved[size_t(chain.back())].done)
            break;
        const QString &uses = d.task.uses;
        if (uses.startsWith(QLatin1String("std."))) {
            if (!stdBaseOf(d, &stdBase))
                return false;
            break;
        }
        const int base = lookupUses(d);
        if (base < 0)
            return false;
        if (onChain.contains(base)) {
            m_err->add(d.usesLine, QStringLiteral("task '%1' uses '%2', which closes a `uses:` cycle").arg(d.task.name, uses));
            return false;
        }
        if (m_resolved[size_t(base)].failed || m_pkg.tasks[size_t(base)].broken)
            return false;
        chain.push_back(base);
        onChain.insert(base, true);
    }
    // chain.back() is resolved or has no local base; build from it forwards.
    for (auto ci = chain.rbegin(); ci != chain.rend(); ++ci) {
        Resolved &r = m_resolved[size_t(*ci)];
        if (r.done)
            continue;
        const TaskDecl &d = m_pkg.tasks[size_t(*ci)];
        if (ci != chain.rbegin()) {
            r = m_resolved[size_t(*(ci - 1))]; // the base, inherited whole
            r.done = false;
        } else if (stdBase) {
            applyStdBase(*stdBase, d.usesLine, &r);
        }
        applyDecl(d, &r);
        r.done = true;
    }
    return true;
}

void Elaborator::resolveUses()
{
    m_resolved.resize(m_pkg.tasks.size());
    for (size_t i = 0; i < m_pkg.tasks.size(); ++i) {
        if (!m_pkg.tasks[i].broken && !m_resolved[i].done && !resolveOne(int(i)))
            m_resolved[i].failed = true;
    }
}

void Elaborator::expandTask(int index)
{
    const TaskDecl &d = m_pkg.tasks[size_t(index)];
    InstanceCtx ctx;
    ctx.name = d.task.name;
    m_flowIndex[size_t(index)] = expandInstance(d, m_resolved[size_t(index)], ctx);
}

int Elaborator::expandInstance(const TaskDecl &d, const Resolved &r, const InstanceCtx &ctx)
{
    FlowTask t = d.task;
    t.name = ctx.name;
    t.compound = ctx.compound;
    const QString where = QStringLiteral("task '%1'").arg(t.name);
    const QString qualified = t.package.isEmpty() ? m_pkg.name + QLatin1Char('.') + t.name : t.name;
    // The run directory, as the Python dfm nests it: PKG.T under the root,
    // a body task's PKG.C.SUB under its compound's (or the compound's own
    // with `rundir: inherit`).
    QString rundirPath = r.inheritRundir ? ctx.rundirParent
                                         : ctx.rundirParent.isEmpty() ? qualified : ctx.rundirParent + QLatin1Char('/') + qualified;
    if (ctx.nested)
        t.rundirPath = rundirPath.isEmpty() ? QStringLiteral(".") : rundirPath;
    const QString rundir = rundirPath.isEmpty() ? m_rundirRoot : m_rundirRoot + QLatin1Char('/') + rundirPath;
    Scope scope;
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
    if (!d.task.srcdir.isEmpty())
        scope.taskSrcdir = &d.task.srcdir;

    std::vector<ParamDecl> decls = r.params;
    const auto defs = ctx.nested ? m_taskDefines.constEnd() : m_taskDefines.constFind(t.name);
    if (defs != m_taskDefines.constEnd()) {
        for (auto it = defs->begin(); it != defs->end(); ++it) {
            ParamDecl p;
            p.name = it.key();
            p.value = it.value();
            p.line = t.line;
            decls.push_back(p);
        }
    }
    Params params;
    bool ok = evalParams(decls, scope, &params, where);
    t.with = params.values;
    t.callableSpec = r.callable;
    t.shell = r.shell.isEmpty() ? QStringLiteral("bash") : r.shell;
    t.consumes = r.consumes;
    t.passthrough = r.passthrough;
    t.inheritRundir = r.inheritRundir;
    t.timeout = r.timeout;
    t.resources = r.resources;
    t.resourceClass = r.resourceClass;
    t.run.clear();
    if (t.shell == QLatin1String("pytask") && t.callableSpec.isEmpty()) {
        m_err->add(d.runLine ? d.runLine : t.line,
                   QStringLiteral("task '%1': `shell: pytask` runs the Python callable '%2', a Python task body; this dfm "
                                  "cannot run it (the Python `dfm run` runs it through our daemon)").arg(t.name, r.rawRun.trimmed()));
        ok = false;
    } else if (t.shell == QLatin1String("python") || t.shell == QLatin1String("python3")) {
        m_err->add(d.runLine ? d.runLine : t.line,
                   QStringLiteral("task '%1': `shell: %2` is a Python task body; this dfm cannot run it "
                                  "(the Python `dfm run` runs it through our daemon)").arg(t.name, t.shell));
        ok = false;
    } else if (t.callableSpec.isEmpty() && !r.rawRun.isEmpty()) {
        scope.layers.insert(scope.layers.begin(), &params.values);
        QJsonValue body;
        QString e;
        if (!expandText(r.rawRun, scope, &body, &e)) {
            if (m_poisoned.isEmpty() || !mentionsPoisoned(r.rawRun))
                m_err->add(d.runLine ? d.runLine : t.line, QStringLiteral("%1: run: %2").arg(where, e));
            ok = false;
        }
        t.run = valueText(body);
        scope.layers.erase(scope.layers.begin());
    }
    if (!d.iff.isUndefined()) {
        scope.layers.insert(scope.layers.begin(), &params.values);
        QJsonValue v;
        QString e;
        if (d.iff.isString() && !evalValue(d.iff, scope, &v, &e)) {
            if (m_poisoned.isEmpty() || !mentionsPoisoned(d.iff))
                m_err->add(d.iffLine, QStringLiteral("%1: iff: %2").arg(where, e));
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
        t.callableSpec.clear();
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
        t.callableSpec.clear();
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

int Elaborator::resolveNeed(int from, const PendingNeed &need)
{
    if (!need.exact.isEmpty())
        return m_flow->indexOf(need.exact);
    if (need.siblings) {
        const auto sib = need.siblings->constFind(need.written);
        if (sib != need.siblings->constEnd())
            return m_flow->indexOf(*sib); // -1: that body task had errors of its own
    }
    QString bare = need.written;
    if (!m_byName.contains(bare) && bare.startsWith(m_pkg.name + QLatin1Char('.')))
        bare = bare.mid(m_pkg.name.size() + 1);
    const auto it = m_byName.constFind(bare);
    if (it != m_byName.constEnd())
        return m_flowIndex[size_t(*it)]; // -1: that task had errors of its own
    if (const int body = m_flow->indexOf(bare); body >= 0 && !m_flow->tasks[size_t(body)].compound.isEmpty())
        return body; // a compound's body task by its full name, C.SUB
    // A compound's needs reach several body tasks: report each once.
    const QString key = QStringLiteral("%1:%2").arg(need.line).arg(need.written);
    if (m_reportedNeeds.contains(key))
        return -1;
    m_reportedNeeds.insert(key);
    const QString &name = m_flow->tasks[size_t(from)].name;
    const qsizetype dot = need.written.indexOf(QLatin1Char('.'));
    if (dot > 0 && need.written.left(dot) == QLatin1String("std")) {
        m_err->add(need.line, QStringLiteral("task '%1' needs '%2', a standard-library task type; "
                                             "declare a task that `uses: %2` and need that").arg(name, need.written));
        return -1;
    }
    if (dot > 0 && need.written.left(dot) != m_pkg.name && !(need.siblings && need.siblings->contains(need.written.left(dot)))) {
        m_err->add(need.line, QStringLiteral("task '%1' needs '%2', but no package '%3' is imported")
                                  .arg(name, need.written, need.written.left(dot)));
        return -1;
    }
    QStringList names = m_byName.keys();
    if (need.siblings)
        names += need.siblings->keys();
    const QString close = closestMatch(bare, names);
    QString msg = need.siblings
                      ? QStringLiteral("task '%1' needs '%2', which is neither a task of its body nor of package '%3'")
                            .arg(name, need.written, m_pkg.name)
                      : QStringLiteral("task '%1' needs '%2', which is not a task in package '%3'").arg(name, need.written, m_pkg.name);
    if (!close.isEmpty())
        msg += QStringLiteral("; did you mean '%1'?").arg(close);
    m_err->add(need.line, msg);
    return -1;
}

void Elaborator::linkNeeds()
{
    const size_t n = m_flow->tasks.size();
    std::vector<std::vector<int>> idx(n);
    std::vector<std::vector<int>> lines(n);
    std::vector<int> seen(n, -1); /* need target -> the last task that named it */
    for (size_t fi = 0; fi < n; ++fi) {
        for (const PendingNeed &need : m_pending[fi]) {
            const int target = resolveNeed(int(fi), need);
            if (target < 0)
                continue;
            // A repeat is dropped; looked up by index, since a report task
            // may need 10,000 others (a name scan per need was quadratic).
            if (seen[size_t(target)] != int(fi)) {
                seen[size_t(target)] = int(fi);
                m_flow->tasks[fi].needs << m_flow->tasks[size_t(target)].name;
                idx[fi].push_back(target);
                lines[fi].push_back(need.line);
            }
        }
    }
    int closer = -1;
    const std::vector<int> cycle = findCycle(idx, &closer);
    if (!cycle.empty()) {
        QStringList path;
        for (int i : cycle)
            path << m_flow->tasks[size_t(i)].name;
        const int target = cycle.back();
        int line = m_flow->tasks[size_t(closer)].line;
        const auto &ns = idx[size_t(closer)];
        for (size_t k = 0; k < ns.size(); ++k) {
            if (ns[k] == target)
                line = lines[size_t(closer)][k];
        }
        m_err->add(line, QStringLiteral("task '%1' needs '%2', which closes a dependency cycle: %3")
                             .arg(m_flow->tasks[size_t(closer)].name, m_flow->tasks[size_t(target)].name,
                                  path.join(QStringLiteral(" -> "))));
    }
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
    applyDefines();
    packageParams();
    resolveUses();
    m_flowIndex.assign(m_pkg.tasks.size(), -1);
    m_flow->tasks.reserve(m_pkg.tasks.size());
    m_pending.reserve(m_pkg.tasks.size());
    for (size_t i = 0; i < m_pkg.tasks.size(); ++i) {
        const TaskDecl &d = m_pkg.tasks[i];
        if (d.broken || m_resolved[i].failed || m_byName.value(d.task.name) != int(i))
            continue;
        expandTask(int(i));
    }
    linkNeeds();
}

void elaborate(const PackageDecl &pkg, const FlowOptions &options, Flow *flow, Errors *errors)
{
    Elaborator(pkg, options, flow, errors).run();
}

} // namespace dfm::flow
