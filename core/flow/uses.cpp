// `uses:` resolution: the base a task names (a task of the package, of an
// imported one, or of the standard library), followed iteratively down its
// chain with cycles reported, and what each declaration sets over its base.

#include "flow/elaborator.h"

#include "spellcheck.h"

#include <algorithm>

namespace dfm::flow {

bool Elaborator::stdBaseOf(const TaskDecl &d, const StdTaskDef **base)
{
    const QString &uses = d.task.uses();
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
    const QString &uses = d.task.uses();
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
    const ResourceSpec &own = d.task.resources();
    if (own.cores)
        r->resources.cores = own.cores;
    if (!own.memory.isEmpty())
        r->resources.memory = own.memory;
    if (!own.queue.isEmpty())
        r->resources.queue = own.queue;
    if (!own.walltime.isEmpty())
        r->resources.walltime = own.walltime;
    if (!d.task.resourceClass().isEmpty())
        r->resourceClass = d.task.resourceClass();
    if (!d.body.empty())
        r->bodyOwner = &d;
    if (!d.matrix.empty())
        r->strategyOwner = &d;
    if (d.hasMaxFailures)
        r->maxFailures = d.maxFailures;
}

bool Elaborator::resolveTask(int index, Resolved *out)
{
    if (m_unresolvable[size_t(index)])
        return false;
    const auto memo = m_bases.find(index);
    if (memo != m_bases.end()) {
        *out = memo->second;
        return true;
    }
    const TaskDecl &own = m_pkg.tasks[size_t(index)];
    if (own.task.uses().isEmpty()) { // most tasks: no chain to follow
        Resolved r;
        applyDecl(own, &r);
        *out = std::move(r);
        return true;
    }
    // Follow the `uses:` chain iteratively to a kept base (or its end),
    // then build forwards from it, keeping every base passed on the way.
    std::vector<int> chain{index};
    const Resolved *kept = nullptr;
    const StdTaskDef *stdBase = nullptr;
    const auto fail = [this, index] {
        m_unresolvable[size_t(index)] = 1;
        return false;
    };
    while (true) {
        const TaskDecl &d = m_pkg.tasks[size_t(chain.back())];
        if (d.task.uses().isEmpty())
            break;
        if (d.task.uses().startsWith(QLatin1String("std."))) {
            if (!stdBaseOf(d, &stdBase))
                return fail();
            break;
        }
        const int base = lookupUses(d);
        if (base < 0)
            return fail();
        if (std::find(chain.begin(), chain.end(), base) != chain.end()) {
            m_err->add(d.usesLine, QStringLiteral("task '%1' uses '%2', which closes a `uses:` cycle").arg(d.task.name, d.task.uses()));
            return fail();
        }
        if (m_unresolvable[size_t(base)] || m_pkg.tasks[size_t(base)].broken)
            return fail();
        const auto b = m_bases.find(base);
        if (b != m_bases.end()) {
            kept = &b->second;
            break;
        }
        chain.push_back(base);
    }
    Resolved r = kept ? *kept : Resolved();
    for (auto ci = chain.rbegin(); ci != chain.rend(); ++ci) {
        const TaskDecl &d = m_pkg.tasks[size_t(*ci)];
        if (ci == chain.rbegin() && stdBase)
            applyStdBase(*stdBase, d.usesLine, &r);
        applyDecl(d, &r);
        if (*ci != index)
            m_bases.emplace(*ci, r);
    }
    *out = std::move(r);
    return true;
}

const Resolved *Elaborator::resolvedBase(int index)
{
    const auto kept = m_bases.find(index);
    if (kept != m_bases.end())
        return &kept->second;
    Resolved r;
    if (!resolveTask(index, &r))
        return nullptr;
    return &m_bases.emplace(index, std::move(r)).first->second;
}

} // namespace dfm::flow
