#include "flow/submit.h"

#include "flow/runtasks.h"

#include <QJsonArray>

namespace dfm::flow {

QString taskRundir(const Flow &flow, const FlowTask &t, const QString &rundirRoot)
{
    if (t.rundirPath() == QLatin1String("."))
        return rundirRoot;
    if (!t.rundirPath().isEmpty())
        return rundirRoot + QLatin1Char('/') + t.rundirPath();
    return t.inheritRundir ? rundirRoot : rundirRoot + QLatin1Char('/') + flow.qualified(t);
}

QJsonObject submitParams(const Flow &flow, const FlowTask &t, const QString &rundirRoot, double defaultTimeout)
{
    const QString name = flow.qualified(t);
    QJsonObject params = t.with;
    if (flow.packageName.isEmpty() && !params.contains(QLatin1String("srcdir")))
        params.insert(QStringLiteral("srcdir"), flow.dir); // a task list's ${{ srcdir }}, expanded by the worker
    QJsonObject raw{{QStringLiteral("request_id"), name},
                    {QStringLiteral("name"), name},
                    {QStringLiteral("shell"), t.shell},
                    {QStringLiteral("body"), t.run},
                    {QStringLiteral("srcdir"), t.srcdir().isEmpty() ? flow.dir : t.srcdir()},
                    {QStringLiteral("rundir"), taskRundir(flow, t, rundirRoot)},
                    {QStringLiteral("env"), QJsonObject()},
                    {QStringLiteral("resource_class"), t.resourceClass()},
                    {QStringLiteral("params"), params},
                    {QStringLiteral("inputs"), QJsonArray()},
                    {QStringLiteral("memento"), QJsonValue()}};
    if (!t.callableSpec().isEmpty()) {
        raw.insert(QStringLiteral("shell"), QStringLiteral("pytask"));
        raw.insert(QStringLiteral("callable_spec"), t.callableSpec());
        if (t.callableSpec() == QLatin1String(kRunTasksCallable)) // we add its tasks: the worker may run it natively
            raw.insert(QStringLiteral("adds_run_tasks"), true);
    }
    const double timeout = t.timeout > 0 ? t.timeout : defaultTimeout;
    if (timeout > 0)
        raw.insert(QStringLiteral("timeout"), timeout);
    QJsonObject resources;
    if (t.resources().cores > 0)
        resources.insert(QStringLiteral("cores"), t.resources().cores);
    if (!t.resources().memory.isEmpty())
        resources.insert(QStringLiteral("memory"), t.resources().memory);
    if (!t.resources().queue.isEmpty())
        resources.insert(QStringLiteral("queue"), t.resources().queue);
    if (!t.resources().walltime.isEmpty())
        resources.insert(QStringLiteral("walltime"), t.resources().walltime);
    if (!resources.isEmpty())
        raw.insert(QStringLiteral("resources"), resources);
    return raw;
}

} // namespace dfm::flow
