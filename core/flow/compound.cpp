// Compound tasks (`body:` / `tasks:`), as the Python dfm builds them. A
// compound C with body tasks S1..Sn becomes:
//   - body tasks named C.S1..C.Sn (PKG.C.S1 when qualified), each run in
//     <C's run directory>/PKG.C.S1 (C's own with `rundir: inherit`);
//   - a body task that needs no sibling needs what C needs, so C's inputs
//     reach it; needs are resolved among the siblings first, then in the
//     package;
//   - C itself runs nothing: it needs the body tasks no sibling needs and
//     passes their outputs on, so whatever needs C runs after its body and
//     sees its results.
// Body tasks see C's parameters (by name and as `this.NAME`); a body may
// `uses:` another compound, which nests. `max_failures` travels on C
// (FlowTask::maxFailures) for the run to count (flow/failurebudget.h).

#include "flow/elaborator.h"

#include <algorithm>

namespace dfm::flow {

namespace {

constexpr size_t kMaxBodyDepth = 64;

QString joinPath(const QString &parent, const QString &child)
{
    return parent.isEmpty() ? child : parent + QLatin1Char('/') + child;
}

} // namespace

bool Elaborator::checkCompound(const TaskDecl &d, const Resolved &r, const QString &name)
{
    if (!r.bodyOwner) {
        m_err->add(r.strategyOwner->strategyLine,
                   QStringLiteral("task '%1': `strategy.matrix` repeats a body; the task has no `body:`").arg(name));
        return false;
    }
    if (!r.rawRun.trimmed().isEmpty() || !r.callable.isEmpty()) {
        m_err->add(r.bodyOwner == &d ? d.bodyLine : d.task.line,
                   QStringLiteral("task '%1': a compound task (`body:`) that also runs something of its own (`run:`, "
                                  "or a `uses:` base that does, reached as `super`) is not supported yet").arg(name));
        return false;
    }
    return true;
}

bool Elaborator::resolveDecl(const TaskDecl &d, Resolved *out)
{
    Resolved r;
    if (d.task.uses().startsWith(QLatin1String("std."))) {
        const StdTaskDef *base = nullptr;
        if (!stdBaseOf(d, &base))
            return false;
        applyStdBase(*base, d.usesLine, &r);
    } else if (!d.task.uses().isEmpty()) {
        const int base = lookupUses(d);
        const Resolved *b = base < 0 || m_pkg.tasks[size_t(base)].broken ? nullptr : resolvedBase(base);
        if (!b)
            return false;
        r = *b;
    }
    applyDecl(d, &r);
    *out = std::move(r);
    return true;
}

void Elaborator::expandBody(int compoundIndex, const TaskDecl &d, const Resolved &r, const Params &params,
                            const InstanceCtx &ctx, const Scope &scope, std::vector<PendingNeed> inputNeeds)
{
    const TaskDecl &owner = *r.bodyOwner;
    const QString name = m_flow->tasks[size_t(compoundIndex)].name;
    if (std::find(m_bodyStack.begin(), m_bodyStack.end(), &owner) != m_bodyStack.end()
        || m_bodyStack.size() >= kMaxBodyDepth) {
        m_err->add(d.task.line, QStringLiteral("task '%1': its body contains '%2' again (through `uses:`), "
                                               "which would never end").arg(name, owner.task.name));
        m_pending[size_t(compoundIndex)] = std::move(inputNeeds);
        return;
    }
    m_bodyStack.push_back(&owner);
    QStringList terminals;
    if (r.strategyOwner) {
        // The Python dfm runs a matrix instance beside its compound, not in it.
        std::vector<QJsonObject> combos;
        QStringList suffixes;
        if (matrixCombinations(*r.strategyOwner, scope, &combos, &suffixes, QStringLiteral("task '%1'").arg(name))) {
            for (size_t i = 0; i < combos.size(); ++i)
                expandBodyOnce(compoundIndex, r, params, ctx, inputNeeds, combos[i], QLatin1Char('_') + suffixes[int(i)],
                               ctx.rundirParent, &terminals);
        }
    } else {
        const QString qualified = m_pkg.name + QLatin1Char('.') + name;
        const QString rundir = r.inheritRundir ? ctx.rundirParent : joinPath(ctx.rundirParent, qualified);
        expandBodyOnce(compoundIndex, r, params, ctx, inputNeeds, QJsonObject(), QString(), rundir, &terminals);
    }
    m_bodyStack.pop_back();
    std::vector<PendingNeed> &pending = m_pending[size_t(compoundIndex)];
    for (const QString &t : terminals)
        pending.push_back(PendingNeed{t, owner.bodyLine, nullptr, t});
}

void Elaborator::expandBodyOnce(int compoundIndex, const Resolved &r, const Params &params, const InstanceCtx &ctx,
                                const std::vector<PendingNeed> &inputNeeds, const QJsonObject &matrix,
                                const QString &suffix, const QString &rundirParent, QStringList *terminals)
{
    const TaskDecl &owner = *r.bodyOwner;
    const QString name = m_flow->tasks[size_t(compoundIndex)].name;
    QHash<QString, QString> &siblings = m_bodyScopes.emplace_back();
    QSet<QString> needed; // body tasks some sibling needs
    for (const TaskDecl &sub : owner.body) {
        if (siblings.contains(sub.task.name)) {
            m_err->add(sub.task.line, QStringLiteral("task '%1' is defined twice in the body of '%2'").arg(sub.task.name, name));
            continue;
        }
        siblings.insert(sub.task.name, name + QLatin1Char('.') + sub.task.name + suffix);
    }
    for (const TaskDecl &sub : owner.body) {
        for (const auto &need : sub.needs) {
            if (siblings.contains(need.first))
                needed.insert(need.first);
        }
    }
    QJsonObject self = params.values;
    for (auto it = matrix.begin(); it != matrix.end(); ++it)
        self.insert(it.key(), it.value());
    InstanceCtx sub;
    sub.nested = true;
    sub.rundirParent = rundirParent;
    sub.outer.reserve(ctx.outer.size() + 1);
    sub.outer.push_back(&params.values);
    sub.outer.insert(sub.outer.end(), ctx.outer.begin(), ctx.outer.end());
    sub.extra.insert(QStringLiteral("this"), self);
    if (!matrix.isEmpty())
        sub.extra.insert(QStringLiteral("matrix"), matrix);
    sub.siblings = &siblings;
    sub.inputNeeds = &inputNeeds;
    sub.compound = name;
    for (const TaskDecl &sd : owner.body) {
        if (sd.broken)
            continue;
        Resolved rr;
        if (!resolveDecl(sd, &rr))
            continue;
        sub.name = siblings.value(sd.task.name);
        expandInstance(sd, rr, sub);
        if (!needed.contains(sd.task.name))
            *terminals << sub.name;
    }
}

} // namespace dfm::flow
