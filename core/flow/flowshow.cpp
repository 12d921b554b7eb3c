#include "flow/flowshow.h"

#include "flow/expr.h"

#include <QHash>
#include <QJsonObject>

#include <algorithm>

namespace dfm::flow {

namespace {

QString scopeOf(const FlowTask &t)
{
    return t.exported ? QStringLiteral("root") : t.local ? QStringLiteral("local") : QString();
}

bool matches(const Flow &flow, const FlowTask &t, const QString &search)
{
    return search.isEmpty() || flow.qualified(t).contains(search, Qt::CaseInsensitive)
           || t.desc().contains(search, Qt::CaseInsensitive);
}

QString qualifiedNeed(const Flow &flow, const QString &need)
{
    const int i = flow.indexOf(need);
    return i >= 0 ? flow.qualified(flow.tasks[size_t(i)]) : need;
}

/// A DOT identifier: quoted, with quotes and backslashes escaped.
QString dotId(const QString &s)
{
    QString e = s;
    e.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QLatin1Char('"') + e + QLatin1Char('"');
}

} // namespace

QString taskTable(const Flow &flow, const QString &search)
{
    int width = 0;
    for (const FlowTask &t : flow.tasks) {
        if (matches(flow, t, search))
            width = std::max(width, int(flow.qualified(t).size()));
    }
    QString out;
    for (const FlowTask &t : flow.tasks) {
        if (!matches(flow, t, search))
            continue;
        const QString name = flow.qualified(t);
        out += t.desc().isEmpty() ? name : name.leftJustified(width + 2) + t.desc();
        out += QLatin1Char('\n');
    }
    return out;
}

QJsonArray taskJson(const Flow &flow, const QString &search)
{
    QJsonArray out;
    for (const FlowTask &t : flow.tasks) {
        if (!matches(flow, t, search))
            continue;
        QJsonArray needs;
        for (const QString &n : t.needs)
            needs.append(qualifiedNeed(flow, n));
        out.append(QJsonObject{{QStringLiteral("name"), flow.qualified(t)},
                               {QStringLiteral("package"), flow.packageName},
                               {QStringLiteral("desc"), t.desc()},
                               {QStringLiteral("scope"), scopeOf(t)},
                               {QStringLiteral("uses"), t.uses()},
                               {QStringLiteral("needs"), needs},
                               {QStringLiteral("params"), t.with}});
    }
    return out;
}

QString taskDetail(const Flow &flow, int index)
{
    const FlowTask &t = flow.tasks[size_t(index)];
    const QString none = QStringLiteral("-");
    QString out;
    out += QStringLiteral("Task:        %1\n").arg(flow.qualified(t));
    out += QStringLiteral("Package:     %1\n").arg(flow.packageName);
    out += QStringLiteral("Base:        %1\n").arg(t.uses().isEmpty() ? none : t.uses());
    out += QStringLiteral("Scope:       %1\n").arg(scopeOf(t).isEmpty() ? none : scopeOf(t));
    if (!t.desc().isEmpty())
        out += QStringLiteral("\nDescription:\n  %1\n").arg(t.desc());
    if (!t.with.isEmpty()) {
        out += QStringLiteral("\nParameters:\n");
        int width = 0;
        for (auto it = t.with.begin(); it != t.with.end(); ++it)
            width = std::max(width, int(it.key().size()));
        for (auto it = t.with.begin(); it != t.with.end(); ++it)
            out += QStringLiteral("  %1  %2\n").arg(it.key().leftJustified(width), valueText(it.value()));
    }
    if (!t.needs.isEmpty()) {
        out += QStringLiteral("\nDirect Needs:\n");
        for (const QString &n : t.needs)
            out += QStringLiteral("  - %1\n").arg(qualifiedNeed(flow, n));
    }
    return out;
}

QString flowDot(const Flow &flow, const std::vector<int> &order)
{
    QHash<int, int> selected; // flow index -> position in order
    for (size_t i = 0; i < order.size(); ++i)
        selected.insert(order[i], int(i));
    // Body tasks under their compound, the rest at the top, in run order.
    QHash<QString, std::vector<int>> children; // compound name ("" = top) -> tasks
    for (int i : order) {
        const FlowTask &t = flow.tasks[size_t(i)];
        const bool parentShown = !t.compound().isEmpty() && selected.contains(flow.indexOf(t.compound()));
        children[parentShown ? t.compound() : QString()].push_back(i);
    }
    QString out = QStringLiteral("digraph %1 {\n  node [shape=box];\n").arg(dotId(flow.packageName.isEmpty() ? QStringLiteral("tasks") : flow.packageName));
    // Nested clusters; the depth is that of the bodies (bounded by the loader).
    struct Frame { QString compound; size_t next; int depth; };
    std::vector<Frame> frames{{QString(), 0, 1}};
    while (!frames.empty()) {
        Frame &f = frames.back();
        const std::vector<int> &kids = children[f.compound];
        const QString indent(2 * f.depth, QLatin1Char(' '));
        if (f.next == kids.size()) {
            if (!f.compound.isEmpty())
                out += QString(2 * (f.depth - 1), QLatin1Char(' ')) + QStringLiteral("}\n");
            frames.pop_back();
            continue;
        }
        const int i = kids[f.next++];
        const FlowTask &t = flow.tasks[size_t(i)];
        const QString name = flow.qualified(t);
        out += indent + dotId(name) + QStringLiteral(";\n");
        if (t.isCompound && children.contains(t.name)) {
            const int depth = f.depth; // f is invalidated by the push
            out += indent + QStringLiteral("subgraph %1 {\n").arg(dotId(QStringLiteral("cluster_") + name));
            out += indent + QStringLiteral("  label=%1;\n").arg(dotId(name));
            frames.push_back({t.name, 0, depth + 1});
        }
    }
    for (int i : order) {
        const FlowTask &t = flow.tasks[size_t(i)];
        for (const QString &need : t.needs) {
            const int j = flow.indexOf(need);
            if (selected.contains(j))
                out += QStringLiteral("  %1 -> %2;\n").arg(dotId(flow.qualified(flow.tasks[size_t(j)])), dotId(flow.qualified(t)));
        }
    }
    out += QStringLiteral("}\n");
    return out;
}

} // namespace dfm::flow
