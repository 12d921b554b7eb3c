#include "flow/stdlib.h"

#include <QJsonArray>
#include <QJsonObject>

namespace dfm::flow {

namespace {

ParamDecl p(const char *name, const char *type, QJsonValue value)
{
    ParamDecl d;
    d.name = QLatin1String(name);
    d.type = QLatin1String(type);
    d.value = std::move(value);
    d.typed = true;
    return d;
}

std::vector<StdTaskDef> makeDefs()
{
    const QJsonValue all = QStringLiteral("all"), none = QStringLiteral("none"), unused = QStringLiteral("unused");
    const QJsonValue fileSets = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")}}};
    const QString python = QStringLiteral("is a Python task body (an AI assistant); this dfm cannot run it. "
                                          "The Python `dfm run` runs it through our daemon");
    std::vector<StdTaskDef> defs;
    defs.push_back({QStringLiteral("std.Message"), QStringLiteral("dv_flow.mgr.std.message.Message"),
                    {p("msg", "str", QString())}, all, unused, QString()});
    defs.push_back({QStringLiteral("std.FileSet"), QStringLiteral("dv_flow.mgr.std.fileset.FileSet"),
                    {p("base", "str", QString()), p("type", "str", QString()), p("incdirs", "list", QJsonValue()),
                     p("defines", "list", QJsonValue()), p("attributes", "list", QJsonValue()),
                     p("include", "list", QJsonArray()), p("exclude", "list", QJsonArray())},
                    none, all, QString()});
    defs.push_back({QStringLiteral("std.CreateFile"), QStringLiteral("dv_flow.mgr.std.create_file.CreateFile"),
                    {p("type", "str", QString()), p("filename", "str", QString()), p("content", "str", QString()),
                     p("incdir", "bool", false)},
                    none, all, QString()});
    defs.push_back({QStringLiteral("std.SetEnv"), QStringLiteral("dv_flow.mgr.std.setenv.SetEnv"),
                    {p("setenv", "map", QJsonValue()), p("append_path", "map", QJsonValue()),
                     p("prepend_path", "map", QJsonValue())},
                    all, unused, QString()});
    defs.push_back({QStringLiteral("std.SetFileType"), QStringLiteral("dv_flow.mgr.std.set_file_type.SetFileType"),
                    {p("filetype", "str", QString())}, fileSets, unused, QString()});
    defs.push_back({QStringLiteral("std.IncDirs"), QStringLiteral("dv_flow.mgr.std.incdirs.IncDirs"), {}, all, unused,
                    QString()});
    defs.push_back({QStringLiteral("std.Null"), QString(), {}, all, all, QString()});
    // Natively: the worker checks its TaskRunSpec items, `dfm run` adds their
    // tasks to the run (cli/runtasksexpander.cpp) and holds it until they end.
    const QJsonValue runSpecs = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.TaskRunSpec")}}};
    defs.push_back({QStringLiteral("std.RunTasks"), QStringLiteral("dv_flow.mgr.std.run_tasks.RunTasks"),
                    {p("timeout", "float", QJsonValue())}, runSpecs, all, QString()});
    for (const char *agent : {"std.Agent", "std.AgentSkill", "std.AgentTool", "std.AgentPersona", "std.AgentReference"})
        defs.push_back({QLatin1String(agent), QString(), {}, all, unused, python});
    return defs;
}

const std::vector<StdTaskDef> &defs()
{
    static const std::vector<StdTaskDef> d = makeDefs();
    return d;
}

} // namespace

const StdTaskDef *findStdTaskDef(const QString &name)
{
    for (const StdTaskDef &d : defs()) {
        if (d.name == name)
            return &d;
    }
    return nullptr;
}

QStringList stdTaskNames()
{
    QStringList names;
    for (const StdTaskDef &d : defs())
        names << d.name;
    return names;
}

} // namespace dfm::flow
