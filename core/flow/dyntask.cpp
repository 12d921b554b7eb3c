#include "flow/dyntask.h"

#include "flow/elaborator.h"
#include "flow/std/stdtasks.h"
#include "flow/stdlib.h"
#include "spellcheck.h"

namespace dfm::flow {

namespace {

/// A standard task as a flow task: its parameters' defaults, callable and data rules.
bool stdTask(const QString &where, const QString &type, FlowTask *t, QString *err)
{
    const StdTaskDef *d = findStdTaskDef(type);
    if (!d) {
        *err = QStringLiteral("%1: task_type '%2' is not a task of the standard library%3")
                   .arg(where, type, didYouMean(type, stdTaskNames()));
        return false;
    }
    if (!d->refusal.isEmpty()) {
        *err = d->refusal.startsWith(QLatin1Char('`')) ? QStringLiteral("%1: %2").arg(where, d->refusal)
                                                       : QStringLiteral("%1: task_type '%2' %3").arg(where, type, d->refusal);
        return false;
    }
    if (!d->callable.isEmpty() && !findStdTask(d->callable)) {
        *err = QStringLiteral("%1: task_type '%2' has no native implementation in this dfm").arg(where, type);
        return false;
    }
    QJsonObject with;
    for (const ParamDecl &p : d->params)
        with.insert(p.name, p.value.isUndefined() ? QJsonValue() : p.value);
    t->with = with;
    t->editMore().callableSpec = d->callable;
    t->editMore().uses = type;
    t->shell = d->callable.isEmpty() ? QStringLiteral("bash") : QStringLiteral("pytask");
    t->consumes = d->consumes;
    t->passthrough = d->passthrough;
    return true;
}

/// A task of the flow as the type of a new one.
bool flowTask(const Flow &flow, const QString &where, const QString &type, FlowTask *t, QString *err)
{
    const int i = flow.indexOf(type);
    if (i < 0) {
        QStringList names;
        for (const FlowTask &f : flow.tasks)
            names << flow.qualified(f);
        *err = QStringLiteral("%1: task_type '%2' is not a task of the flow or of std%3")
                   .arg(where, type, didYouMean(type, names));
        return false;
    }
    *t = flow.tasks[size_t(i)];
    if (t->isCompound) {
        *err = QStringLiteral("%1: task_type '%2' is a compound task (`body:` or strategy.matrix); std.RunTasks "
                              "adds leaf tasks only").arg(where, type);
        return false;
    }
    return true;
}

/// `v` for a parameter whose value was `old`: a string parameter takes a
/// number or a bool as its text, as the loader coerces `with:` values.
QJsonValue overrideValue(const QJsonValue &old, const QJsonValue &v)
{
    if (old.isString() && (v.isDouble() || v.isBool()))
        return valueText(v);
    return v;
}

/// The body of `t` expanded again, for its new name, run directory and parameters.
bool expandAgain(const Flow &flow, const QString &where, const QString &rundir, FlowTask *t, QString *err)
{
    const RawBody &raw = *t->more().raw;
    Scope scope;
    scope.layers.push_back(&t->with);
    for (const QJsonObject &l : raw.layers)
        scope.layers.push_back(&l);
    scope.builtins = &raw.builtins;
    scope.pkgName = raw.pkgName;
    scope.pkgParams = &raw.pkgParams;
    if (!raw.packages.isEmpty())
        scope.packages = &raw.packages;
    const QString name = flow.qualified(*t);
    scope.taskName = &name;
    scope.taskRundir = &rundir;
    if (!raw.srcdir.isEmpty())
        scope.taskSrcdir = &raw.srcdir;
    QJsonValue body;
    QString e;
    if (!expandText(raw.run, scope, &body, &e)) {
        *err = QStringLiteral("%1: run: %2").arg(where, e);
        return false;
    }
    t->run = valueText(body);
    return true;
}

/// The run directory of `t` relative to the rundir root; "" = the root.
QString relativeRundir(const Flow &flow, const FlowTask &t)
{
    if (t.rundirPath() == QLatin1String("."))
        return QString();
    if (!t.rundirPath().isEmpty())
        return t.rundirPath();
    return t.inheritRundir ? QString() : flow.qualified(t);
}

} // namespace

bool makeDynamicTask(const Flow &flow, const FlowTask &runTasks, const TaskRunRequest &r, FlowTask *out,
                     QString *err)
{
    const QString where = describeRequest(r);
    FlowTask t;
    if (r.taskType.startsWith(QLatin1String("std.")) ? !stdTask(where, r.taskType, &t, err)
                                                      : !flowTask(flow, where, r.taskType, &t, err))
        return false;
    for (auto it = r.params.begin(); it != r.params.end(); ++it) {
        if (!t.with.contains(it.key())) {
            QStringList known = t.with.keys();
            *err = QStringLiteral("%1: task_type '%2' has no parameter '%3' (%4)")
                       .arg(where, r.taskType, it.key(),
                            known.isEmpty() ? QStringLiteral("it has none")
                                            : QStringLiteral("its parameters: ") + known.join(QStringLiteral(", ")));
            return false;
        }
        t.with.insert(it.key(), overrideValue(t.with.value(it.key()), it.value()));
    }
    t.name = runTasks.name + QLatin1Char('.') + r.leaf;
    t.editMore().package = runTasks.package();
    t.editMore().compound.clear();
    const QString parentDir = relativeRundir(flow, runTasks);
    t.editMore().rundirPath = parentDir.isEmpty() ? r.leaf : parentDir + QLatin1Char('/') + r.leaf;
    t.inheritRundir = false;
    t.root = t.exported = false;
    const double timeout = runTasks.with.value(QLatin1String("timeout")).toDouble();
    if (t.timeout <= 0 && timeout > 0)
        t.timeout = timeout;
    if (t.more().raw && t.iff && t.callableSpec().isEmpty()) {
        const QString root = t.more().raw->builtins.value(QLatin1String("rundir")).toString();
        if (!expandAgain(flow, where, root + QLatin1Char('/') + t.rundirPath(), &t, err))
            return false;
    }
    t.editMore().raw.reset();
    *out = std::move(t);
    return true;
}

} // namespace dfm::flow
