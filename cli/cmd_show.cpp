// dfm show [tasks|task NAME]: the flow's tasks with their descriptions, as
// the Python dfm's `dfm show` lists them, or one task in detail.

#include "commands.h"
#include "flow/flowshow.h"
#include "projectflow.h"
#include "spellcheck.h"

#include <QJsonDocument>

#include <cstdio>

namespace dfm::cli {

namespace {

void out(const QString &s) { std::fputs(qPrintable(s), stdout); }
void err(const QString &s) { std::fputs(qPrintable(s), stderr); }

const char *kDescription =
    "List the tasks of the project's flow (flow.dv or flow.yaml), one a line with its "
    "description, as `dfm show tasks` does; `dfm show task NAME` shows one task in detail.";

CommandSpec groupSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm show");
    s.synopsis = QStringLiteral("[COMMAND] [options]");
    s.description = QString::fromLatin1(kDescription);
    s.subcommands = {{QStringLiteral("tasks"), QStringLiteral("List the tasks with their descriptions (the default).")},
                     {QStringLiteral("task"), QStringLiteral("Show one task: its base, scope, parameters and needs.")}};
    s.options = projectFlowOptions();
    s.footer = QStringLiteral("Run 'dfm help show COMMAND' for a command's options.\n");
    return s;
}

CommandSpec tasksSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm show tasks");
    s.synopsis = QStringLiteral("[options]");
    s.description = QStringLiteral(
        "List the flow's tasks in file order, qualified (PKG.TASK), each with its description. "
        "The tasks of a compound's body are listed as PKG.COMPOUND.TASK.");
    s.options = projectFlowOptions();
    s.options.push_back({QString(), QStringLiteral("search"), QStringLiteral("WORD"),
                         QStringLiteral("Only tasks whose name or description contains WORD (any case).")});
    s.options.push_back({QString(), QStringLiteral("json"), QString(),
                         QStringLiteral("Print the tasks as JSON: name, package, desc, scope, uses, needs, params.")});
    return s;
}

CommandSpec taskSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm show task");
    s.synopsis = QStringLiteral("[options] TASK");
    s.maxPositionals = 1;
    s.description = QStringLiteral("Show one task of the flow (TASK or PKG.TASK): its base (`uses:`), scope, "
                                   "description, parameters as elaborated, and direct needs.");
    s.options = projectFlowOptions();
    return s;
}

int showTasks(const ParsedArgs &p)
{
    Flow flow;
    QString e;
    if (!loadProjectFlow(p, &flow, &e)) {
        err(QStringLiteral("dfm show: %1\n").arg(e));
        return kExitUsage;
    }
    const QString search = p.value(QStringLiteral("search"));
    if (p.isSet(QStringLiteral("json")))
        out(QString::fromUtf8(QJsonDocument(flow::taskJson(flow, search)).toJson(QJsonDocument::Indented)));
    else
        out(flow::taskTable(flow, search));
    return 0;
}

int showTask(const QStringList &args)
{
    const CommandSpec spec = taskSpec();
    ParsedArgs p;
    int code = 0;
    if (!parseOrReport(spec, args, &p, &code))
        return code;
    if (p.positionals.isEmpty()) {
        err(usageError(spec, QStringLiteral("name the task to show")));
        return kExitUsage;
    }
    Flow flow;
    QString e;
    if (!loadProjectFlow(p, &flow, &e)) {
        err(QStringLiteral("dfm show task: %1\n").arg(e));
        return kExitUsage;
    }
    const QString name = p.positionals.first();
    const int index = flow.indexOf(name);
    if (index < 0) {
        QStringList all;
        for (const FlowTask &t : flow.tasks)
            all << t.name;
        const QString close = closestMatch(name, all);
        err(QStringLiteral("dfm show task: no task '%1' in %2%3\n")
                .arg(name, flow.file, close.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(close)));
        return kExitUsage;
    }
    out(flow::taskDetail(flow, index));
    return 0;
}

} // namespace

int showCommand(const QStringList &args)
{
    const CommandSpec group = groupSpec();
    ParsedArgs p;
    int code = 0;
    if (!parseOrReport(group, args, &p, &code))
        return code;
    if (p.positionals.isEmpty())
        return showTasks(p);
    // The subcommand's words, with the options given before it (--root, -D).
    const qsizetype at = args.size() - p.positionals.size();
    const QStringList rest = args.mid(0, at) + args.mid(at + 1);
    if (p.positionals.first() == QLatin1String("task"))
        return showTask(rest);
    const CommandSpec spec = tasksSpec(); // parseCommandLine() refused any other word
    ParsedArgs tp;
    if (!parseOrReport(spec, rest, &tp, &code))
        return code;
    return showTasks(tp);
}

std::vector<CommandSpec> showSpecs()
{
    return {groupSpec(), tasksSpec(), taskSpec()};
}

} // namespace dfm::cli
