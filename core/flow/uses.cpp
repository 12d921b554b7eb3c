// `uses:` resolution: the base a task names (a task of the package, of an
// imported one, or of the standard library), followed iteratively down its
// chain with cycles reported, and what each declaration sets over its base.

#include "flow/elaborator.h"

#include "spellcheck.h"

namespace dfm::flow {

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

} // namespace dfm::flow
