#include "runtasksexpander.h"

#include "flow/dyntask.h"
#include "flow/runtasks.h"
#include "spellcheck.h"

#include <QHash>
#include <QSet>

namespace dfm::cli {

RunTasksExpander::RunTasksExpander(Flow *flow, std::vector<int> *order)
    : m_flow(flow), m_order(order), m_position(flow->tasks.size(), -1), m_addedBy(order->size(), -1)
{
    for (size_t k = 0; k < order->size(); ++k)
        m_position[size_t((*order)[k])] = int(k);
}

void RunTasksExpander::place(int flowIndex)
{
    m_position.resize(m_flow->tasks.size(), -1);
    m_position[size_t(flowIndex)] = int(m_order->size());
    m_order->push_back(flowIndex);
    m_addedBy.push_back(-1);
}

void RunTasksExpander::waitsFor(int task, std::vector<char> *waiting) const
{
    // The task, the std.RunTasks tasks that added it (each waits for it),
    // and everything needing any of them.
    const size_t n = m_order->size();
    waiting->assign(n, 0);
    std::vector<std::vector<int>> dependents(n);
    for (size_t k = 0; k < n; ++k) {
        for (const QString &need : m_flow->tasks[size_t((*m_order)[k])].needs) {
            const int i = m_flow->indexOf(need);
            if (i >= 0 && m_position[size_t(i)] >= 0)
                dependents[size_t(m_position[size_t(i)])].push_back(int(k));
        }
    }
    std::vector<int> stack;
    for (int t = task; t >= 0; t = m_addedBy[size_t(t)]) {
        (*waiting)[size_t(t)] = 1;
        stack.push_back(t);
    }
    while (!stack.empty()) {
        const int t = stack.back();
        stack.pop_back();
        for (int d : dependents[size_t(t)]) {
            if (!(*waiting)[size_t(d)]) {
                (*waiting)[size_t(d)] = 1;
                stack.push_back(d);
            }
        }
    }
}

bool RunTasksExpander::expand(int task, const QJsonArray &items, RunGrowth *out, QString *err)
{
    std::vector<flow::TaskRunRequest> reqs;
    if (!flow::parseTaskRunSpecs(items, &reqs, err))
        return false;
    if (reqs.empty())
        return true;
    const FlowTask runTasks = m_flow->tasks[size_t((*m_order)[size_t(task)])];
    QHash<QString, QString> batch; // leaf -> the new task's flow name
    QSet<QString> batchNames;
    for (const flow::TaskRunRequest &r : reqs) {
        batch.insert(r.leaf, runTasks.name + QLatin1Char('.') + r.leaf);
        batchNames.insert(runTasks.name + QLatin1Char('.') + r.leaf);
    }

    std::vector<FlowTask> made(reqs.size());
    std::vector<char> waiting;
    bool haveWaiting = false;
    QStringList missing; // tasks of the flow the new ones need and the run lacks
    for (size_t k = 0; k < reqs.size(); ++k) {
        const flow::TaskRunRequest &r = reqs[k];
        const QString where = flow::describeRequest(r);
        if (!flow::makeDynamicTask(*m_flow, runTasks, r, &made[k], err))
            return false;
        FlowTask &t = made[k];
        if (m_flow->indexOf(t.name) >= 0) {
            *err = QStringLiteral("%1: the flow already has a task named '%2'").arg(where, m_flow->qualified(t));
            return false;
        }
        QStringList needs;
        for (const QString &n : r.needs) { // as the Python RunTasks: its batch first, then the run
            const auto local = batch.constFind(n);
            if (local != batch.constEnd()) {
                needs << *local;
                continue;
            }
            const int i = m_flow->indexOf(n);
            if (i < 0) {
                QStringList names = batch.keys();
                for (int p : *m_order)
                    names << m_flow->qualified(m_flow->tasks[size_t(p)]);
                *err = QStringLiteral("%1: need '%2' is neither a task of its batch nor of the flow%3")
                           .arg(where, n, didYouMean(n, names));
                return false;
            }
            needs << m_flow->tasks[size_t(i)].name;
        }
        for (const QString &n : t.needs + needs) { // the type's own needs, then the request's
            if (batchNames.contains(n))
                continue;
            const int i = m_flow->indexOf(n);
            if (i < 0)
                continue; // a type's need always exists (the loader checked it)
            if (m_position[size_t(i)] < 0) {
                missing << m_flow->qualified(m_flow->tasks[size_t(i)]);
                continue;
            }
            if (!haveWaiting) {
                waitsFor(task, &waiting);
                haveWaiting = true;
            }
            if (waiting[size_t(m_position[size_t(i)])]) {
                *err = QStringLiteral("%1: need '%2' cannot start before %3 ends, which waits for this task")
                           .arg(where, m_flow->qualified(m_flow->tasks[size_t(i)]), m_flow->qualified(runTasks));
                return false;
            }
        }
        for (const QString &n : needs) {
            if (!t.needs.contains(n))
                t.needs << n;
        }
    }

    // Everything is known to be addable: now the flow and the run grow.
    const size_t first = m_order->size();
    if (!missing.isEmpty()) {
        std::vector<int> closure;
        QString e;
        if (selectTasks(*m_flow, missing, &closure, &e)) {
            for (int i : closure) {
                if (m_position[size_t(i)] < 0)
                    place(i);
            }
        }
    }
    const size_t dynamicFirst = m_order->size();
    for (FlowTask &t : made) {
        m_flow->tasks.push_back(std::move(t));
        place(int(m_flow->tasks.size()) - 1);
        m_addedBy.back() = task;
    }
    for (size_t k = first; k < m_order->size(); ++k) {
        const FlowTask &t = m_flow->tasks[size_t((*m_order)[k])];
        proto::TaskSpec spec;
        spec.name = spec.requestId = m_flow->qualified(t);
        out->specs.push_back(spec);
        std::vector<int> needs;
        for (const QString &n : t.needs) {
            const int i = m_flow->indexOf(n);
            if (i >= 0 && m_position[size_t(i)] >= 0)
                needs.push_back(m_position[size_t(i)]);
        }
        out->needs.push_back(std::move(needs));
        out->consumes.push_back(t.consumes);
        out->passthrough.push_back(t.passthrough);
        out->local.push_back(t.isNull() ? 1 : 0);
        out->alwaysRun.push_back(t.neverUpToDate ? 1 : 0);
        if (k >= dynamicFirst)
            out->children.push_back(int(k));
    }
    return true;
}

} // namespace dfm::cli
