#pragma once
// Helpers for the flow-language tests: load a project, show its graph, find
// a task, read what a run left. Header-only, shared by tst_flowpkg,
// tst_flowload, tst_compound and tst_run.

#include "flow.h"
#include "testutil.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace dfm::test {

/// Loads the project in `p`; returns the errors, or "" when it loaded.
inline QString load(const TempProject &p, Flow *flow, const QString &config = QString(),
                    const QStringList &defines = {}, const QHash<QString, QString> &env = {})
{
    FlowOptions o;
    o.config = config;
    o.defines = defines;
    o.env = env;
    o.rundirRoot = p.path(QStringLiteral("rundir"));
    QString err;
    return loadFlow(p.root(), o, flow, &err) ? QString() : err;
}

/// The flow's tasks as "QUALIFIED<-NEED,NEED" in flow order.
inline QStringList graph(const Flow &flow)
{
    QStringList out;
    for (const FlowTask &t : flow.tasks)
        out << flow.qualified(t) + (t.needs.isEmpty() ? QString() : QStringLiteral("<-") + t.needs.join(QLatin1Char(',')));
    return out;
}

/// The task named NAME (or PKG.NAME); an empty task when there is none.
inline const FlowTask &task(const Flow &flow, const QString &name)
{
    static const FlowTask none;
    const int i = flow.indexOf(name);
    return i < 0 ? none : flow.tasks[size_t(i)];
}

/// `dfm run ARGS` in project `p`, uncoloured; HOME set to `home` unless
/// it is empty.
inline Run runFlow(const TempProject &p, const QStringList &args, const QString &home = QString())
{
    auto e = QProcessEnvironment::systemEnvironment();
    if (!home.isEmpty())
        e.insert(QStringLiteral("HOME"), home);
    e.insert(QStringLiteral("TERM"), QStringLiteral("dumb"));
    return runDfm(QStringList{QStringLiteral("run")} + args, p.root(), 120000, e);
}

/// A file's text, or "<missing PATH>".
inline QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QStringLiteral("<missing %1>").arg(path);
}

/// Every task log under `rundir`, concatenated.
inline QString logs(const QString &rundir)
{
    QString all;
    QDirIterator it(rundir, {QStringLiteral("*.log")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        all += readText(it.next());
    return all;
}

/// The tasks of a --json report, sorted, as NAME=STATUS.
inline QStringList statusList(const QString &reportFile)
{
    QFile f(reportFile);
    if (!f.open(QIODevice::ReadOnly))
        return {QStringLiteral("<no report>")};
    QStringList out;
    for (const QJsonValue &v : QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("tasks")).toArray())
        out << v.toObject().value(QLatin1String("name")).toString() + QLatin1Char('=')
                   + v.toObject().value(QLatin1String("status")).toString();
    out.sort();
    return out;
}

} // namespace dfm::test
