// dfm graph [TASK...]: the task graph as Graphviz DOT, as the Python dfm's
// `dfm graph` writes it.

#include "commands.h"
#include "flow/flowshow.h"
#include "projectflow.h"

#include <QSaveFile>

#include <cstdio>

namespace dfm::cli {

namespace {

CommandSpec graphSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm graph");
    s.synopsis = QStringLiteral("[options] [TASK...]");
    s.maxPositionals = -1;
    s.description = QStringLiteral(
        "Print the task graph of the project's flow as Graphviz DOT: each TASK with what it needs; "
        "without TASK, every task no other task needs, with what they need (the tasks `dfm run --all` "
        "would run). An edge goes from a need to the task needing it; a compound task's body is a "
        "cluster. Render it with e.g. `dfm graph | dot -Tsvg > graph.svg`.");
    s.options = projectFlowOptions();
    s.options.push_back({QStringLiteral("o"), QStringLiteral("output"), QStringLiteral("FILE"),
                         QStringLiteral("Write the DOT to FILE instead of the standard output.")});
    return s;
}

} // namespace

int graphCommand(const QStringList &args)
{
    const CommandSpec spec = graphSpec();
    ParsedArgs p;
    int code = 0;
    if (!parseOrReport(spec, args, &p, &code))
        return code;
    Flow flow;
    std::vector<int> order;
    QString e;
    if (!loadProjectFlow(p, &flow, &e) || !selectTasks(flow, p.positionals, &order, &e)) {
        std::fputs(qPrintable(QStringLiteral("dfm graph: %1\n").arg(e)), stderr);
        return kExitUsage;
    }
    const QString dot = flow::flowDot(flow, order);
    if (!p.isSet(QStringLiteral("output"))) {
        std::fputs(qPrintable(dot), stdout);
        return 0;
    }
    const QString file = p.value(QStringLiteral("output"));
    QSaveFile f(file); // a temporary file renamed into place: never written through a symlink's target
    if (!f.open(QIODevice::WriteOnly) || f.write(dot.toUtf8()) < 0 || !f.commit()) {
        std::fputs(qPrintable(QStringLiteral("dfm graph: cannot write %1: %2\n").arg(file, f.errorString())), stderr);
        return 1;
    }
    return 0;
}

std::vector<CommandSpec> graphSpecs()
{
    return {graphSpec()};
}

} // namespace dfm::cli
