// Name lookups and graph walks over a loaded flow. Every walk is iterative
// with an explicit stack, so a 100,000-deep chain costs memory, not the
// C++ stack.

#include "flow.h"

#include "spellcheck.h"

namespace dfm {

const QJsonValue &flowWord(const char *word)
{
    static const QJsonValue all(QStringLiteral("all")), none(QStringLiteral("none")), unused(QStringLiteral("unused"));
    return qstrcmp(word, "all") == 0 ? all : qstrcmp(word, "none") == 0 ? none : unused;
}

QSharedDataPointer<FlowTaskMore> FlowTask::emptyFlowTaskMore()
{
    static const QSharedDataPointer<FlowTaskMore> empty(new FlowTaskMore);
    return empty;
}

int Flow::indexOf(const QString &nameOrQualified) const
{
    if (m_indexed != tasks.size() || m_index.size() > int(tasks.size())) {
        m_index.clear();
        m_index.reserve(qsizetype(tasks.size()));
        for (size_t i = 0; i < tasks.size(); ++i)
            m_index.insert(tasks[i].name, int(i)); // a duplicate keeps the last; the loader refuses them
        m_indexed = tasks.size();
    }
    auto it = m_index.constFind(nameOrQualified);
    if (it != m_index.constEnd())
        return *it;
    if (!packageName.isEmpty() && nameOrQualified.size() > packageName.size() + 1
        && nameOrQualified.startsWith(packageName) && nameOrQualified.at(packageName.size()) == QLatin1Char('.')) {
        it = m_index.constFind(nameOrQualified.mid(packageName.size() + 1));
        if (it != m_index.constEnd())
            return *it;
    }
    return -1;
}

std::vector<int> findCycle(const std::vector<std::vector<int>> &needs, int *closer)
{
    const size_t n = needs.size();
    std::vector<char> state(n, 0); // 0 unvisited, 1 on the path, 2 done
    std::vector<std::pair<int, size_t>> stack; // (task, next need to look at)
    for (size_t root = 0; root < n; ++root) {
        if (state[root])
            continue;
        stack.emplace_back(int(root), 0);
        state[root] = 1;
        while (!stack.empty()) {
            auto &[task, next] = stack.back();
            const std::vector<int> &ns = needs[size_t(task)];
            if (next == ns.size()) {
                state[size_t(task)] = 2;
                stack.pop_back();
                continue;
            }
            const int j = ns[next++];
            if (j < 0 || size_t(j) >= n)
                continue;
            if (state[size_t(j)] == 1) {
                std::vector<int> path;
                size_t from = stack.size();
                while (from > 0 && stack[from - 1].first != j)
                    --from;
                for (size_t k = from - 1; k < stack.size(); ++k)
                    path.push_back(stack[k].first);
                path.push_back(j);
                *closer = task;
                return path;
            }
            if (state[size_t(j)] == 0) {
                state[size_t(j)] = 1;
                stack.emplace_back(j, 0); // invalidates task/next: the loop re-reads back()
            }
        }
    }
    *closer = -1;
    return {};
}

bool selectTasks(const Flow &flow, const QStringList &names, std::vector<int> *order, QString *err)
{
    order->clear();
    const size_t n = flow.tasks.size();
    std::vector<std::vector<int>> needs(n);
    for (size_t i = 0; i < n; ++i) {
        for (const QString &need : flow.tasks[i].needs) {
            const int j = flow.indexOf(need);
            if (j >= 0)
                needs[i].push_back(j);
        }
    }
    std::vector<int> roots;
    if (names.isEmpty()) {
        std::vector<char> needed(n, 0);
        for (const auto &ns : needs)
            for (int j : ns)
                needed[size_t(j)] = 1;
        for (size_t i = 0; i < n; ++i) {
            if (!needed[i])
                roots.push_back(int(i));
        }
    } else {
        const QString prefix = flow.packageName + QLatin1Char('.');
        for (const QString &name : names) {
            const int idx = flow.indexOf(name);
            if (idx >= 0) {
                roots.push_back(idx);
                continue;
            }
            QStringList all;
            for (const FlowTask &t : flow.tasks)
                all << t.name;
            const QString bare = name.startsWith(prefix) ? name.mid(prefix.size()) : name;
            const QString close = closestMatch(bare, all);
            *err = QStringLiteral("no task '%1' in %2").arg(name, flow.file);
            *err += close.isEmpty() ? QStringLiteral(" (tasks: %1)").arg(all.join(QStringLiteral(", ")))
                                    : QStringLiteral("; did you mean '%1'?").arg(close);
            return false;
        }
    }
    // Post-order: a task after everything it needs, in the order given.
    std::vector<char> state(n, 0);
    std::vector<std::pair<int, size_t>> stack;
    for (int r : roots) {
        if (state[size_t(r)])
            continue;
        state[size_t(r)] = 1;
        stack.emplace_back(r, 0);
        while (!stack.empty()) {
            const int task = stack.back().first;
            const size_t next = stack.back().second;
            if (next == needs[size_t(task)].size()) {
                order->push_back(task);
                stack.pop_back();
                continue;
            }
            ++stack.back().second;
            const int j = needs[size_t(task)][next];
            if (!state[size_t(j)]) {
                state[size_t(j)] = 1;
                stack.emplace_back(j, 0);
            }
        }
    }
    return true;
}

} // namespace dfm
