#include "flow/runlisting.h"

#include <algorithm>
#include <vector>

namespace dfm::flow {

QString runListing(const Flow &flow)
{
    // Imported packages' tasks and compound bodies are not listed: the
    // Python dfm lists its root package's task map, which holds neither.
    std::vector<const FlowTask *> all, roots;
    for (const FlowTask &t : flow.tasks) {
        if (!t.package().isEmpty() || !t.compound().isEmpty())
            continue;
        all.push_back(&t);
        if (t.root)
            roots.push_back(&t);
    }
    QString text;
    std::vector<const FlowTask *> &shown = roots.empty() ? all : roots;
    if (roots.empty())
        text += QStringLiteral("Warning: No 'root' tasks found in the current package. "
                               "Runnable tasks must be marked 'scope: root'.\n\n");
    std::vector<std::pair<QString, const FlowTask *>> named;
    named.reserve(shown.size());
    qsizetype width = 0;
    for (const FlowTask *t : shown) {
        named.emplace_back(flow.qualified(*t), t);
        width = std::max(width, named.back().first.size());
    }
    std::sort(named.begin(), named.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    text += QStringLiteral("No task specified. Available Tasks:\n");
    for (const auto &[name, t] : named)
        text += name.leftJustified(width) + QStringLiteral(" - ")
                + (t->desc().isEmpty() ? QStringLiteral("<no description>") : t->desc()) + QLatin1Char('\n');
    return text;
}

} // namespace dfm::flow
