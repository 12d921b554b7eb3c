// RunSession and std.RunTasks: a run that grows while it goes on. When a
// std.RunTasks task has run, the tasks its TaskRunSpec items ask for join
// the plan, the data flow and the session's tables; the task stays running
// until they have ended, as the Python RunTasks awaits its sub-graph.

#include "runsession.h"

#include "flow/runtasks.h"

namespace dfm::cli {

bool RunSession::isRunTasks(int index) const
{
    return m_specs[size_t(index)].callableSpec == QLatin1String(flow::kRunTasksCallable);
}

void RunSession::startRunTasks(int index, bool changed)
{
    if (m_interrupted) { // nothing more starts: it ends here, its tasks never added
        m_plan.markCancelled(index);
        return;
    }
    RunGrowth g;
    QString e;
    fmt::TaskOutcome &o = m_outcomes[size_t(index)];
    if (m_expand && !m_expand(index, m_sentInputs[size_t(index)], &g, &e)) {
        o.exitCode = -1;
        o.reason = e;
        m_plan.finished(index, false);
        applyBudget(index);
        return;
    }
    if (g.children.empty()) { // nothing to add: it passes with what passes through
        m_dataflow.finished(index, QJsonArray(), changed);
        m_plan.finished(index, true);
        return;
    }
    m_held.push_back(Held{index, changed});
    m_addedTasks.insert(index, g.children);
    grow(std::move(g));
}

void RunSession::grow(RunGrowth g)
{
    const size_t n = g.specs.size();
    g.consumes.resize(n, QStringLiteral("all"));
    g.passthrough.resize(n, QStringLiteral("unused"));
    g.local.resize(n, 0);
    g.alwaysRun.resize(n, 0);
    g.needs.resize(n);
    m_alwaysRun.resize(m_specs.size(), 0);
    for (size_t k = 0; k < n; ++k) {
        const int index = int(m_specs.size());
        fmt::TaskOutcome o;
        o.name = g.specs[k].name;
        m_outcomes.push_back(std::move(o));
        m_reported.push_back(false);
        m_indexOf.insert(g.specs[k].requestId, index);
        m_specs.push_back(std::move(g.specs[k]));
        m_specMade.push_back(0);
        m_sentInputs.emplace_back();
        m_local.push_back(g.local[k]);
        m_alwaysRun.push_back(g.alwaysRun[k]);
        m_needs.push_back(g.needs[k]);
    }
    m_plan.add(g.needs);
    m_dataflow.add(g.consumes, g.passthrough, g.needs);
}

bool RunSession::settleOnce()
{
    for (size_t h = 0; h < m_held.size(); ++h) {
        const std::vector<int> &children = m_addedTasks[m_held[h].task];
        int failed = 0, skipped = 0, cancelled = 0;
        bool final = true;
        for (int c : children) {
            const TaskStatus s = m_plan.status(c);
            final = final && isFinal(s);
            cancelled += s == TaskStatus::Cancelled;
            failed += s == TaskStatus::Failed;
            skipped += s == TaskStatus::Skipped;
        }
        if (!final)
            continue;
        const Held held = m_held[h];
        m_held.erase(m_held.begin() + std::ptrdiff_t(h));
        fmt::TaskOutcome &o = m_outcomes[size_t(held.task)];
        const int total = int(children.size());
        if (cancelled > 0 || m_interrupted) {
            m_plan.markCancelled(held.task);
        } else if (failed + skipped == 0) {
            QJsonArray produced; // as the Python RunTasks: its tasks' outputs, in item order
            bool changed = held.changed;
            for (int c : children) {
                for (const QJsonValue &v : m_dataflow.outputOf(c))
                    produced.append(v);
                changed = changed || m_dataflow.changed(c);
            }
            m_dataflow.finished(held.task, produced, changed);
            m_plan.finished(held.task, true);
        } else {
            o.exitCode = -1;
            QStringList parts;
            if (failed > 0)
                parts << QStringLiteral("%1 failed").arg(failed);
            if (skipped > 0)
                parts << QStringLiteral("%1 skipped").arg(skipped);
            o.reason = QStringLiteral("of the %1 task(s) it added, %2").arg(total).arg(parts.join(QStringLiteral(", ")));
            m_plan.finished(held.task, false);
            applyBudget(held.task);
        }
        return true;
    }
    return false;
}

bool RunSession::settleHeld()
{
    bool any = false;
    while (settleOnce()) // an inner std.RunTasks ending may end the one that added it
        any = true;
    return any;
}

} // namespace dfm::cli
