#include "flow/runtasks.h"

#include "flow.h"
#include "flow/expr.h"

#include <QHash>
#include <QRegularExpression>

namespace dfm::flow {

namespace {

QString itemWhere(int item, const QString &leaf)
{
    return leaf.isEmpty() ? QStringLiteral("TaskRunSpec item %1").arg(item)
                          : QStringLiteral("TaskRunSpec item %1 (task '%2')").arg(item).arg(leaf);
}

/// A leaf becomes a directory and part of a task name: one path segment.
bool validLeaf(const QString &leaf)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.+-]*$"));
    return re.match(leaf).hasMatch() && leaf != QLatin1String("..");
}

bool parseOne(const QJsonObject &o, int item, int index, TaskRunRequest *r, QString *err)
{
    r->item = item;
    const QJsonValue name = o.value(QLatin1String("task_name"));
    if (!name.isUndefined() && !name.isNull() && !name.isString()) {
        *err = QStringLiteral("%1: 'task_name' must be a string").arg(itemWhere(item, QString()));
        return false;
    }
    r->leaf = name.toString();
    if (r->leaf.isEmpty())
        r->leaf = QStringLiteral("dyn_%1").arg(index);
    else if (!validLeaf(r->leaf)) {
        *err = QStringLiteral("%1: 'task_name' '%2' cannot name a run directory (use letters, digits, '_', '-', "
                              "'.' and '+')").arg(itemWhere(item, QString()), r->leaf);
        return false;
    }
    const QString where = itemWhere(item, r->leaf);
    const QJsonValue type = o.value(QLatin1String("task_type"));
    if (!type.isString() || type.toString().trimmed().isEmpty()) {
        *err = QStringLiteral("%1: 'task_type' is missing; it names the task to run (e.g. std.Message)").arg(where);
        return false;
    }
    r->taskType = type.toString().trimmed();
    if (r->taskType.contains(QLatin1Char(':'))) {
        *err = QStringLiteral("%1: task_type '%2' names a Python callable; this dfm cannot run Python task bodies "
                              "(name a task of the flow or of std)").arg(where, r->taskType);
        return false;
    }
    const QJsonValue params = o.value(QLatin1String("params"));
    if (params.isObject())
        r->params = params.toObject();
    else if (!params.isUndefined() && !params.isNull()) {
        *err = QStringLiteral("%1: 'params' must be a map of parameter names to values").arg(where);
        return false;
    }
    const QJsonValue needs = o.value(QLatin1String("needs"));
    const QJsonArray list = needs.isString() ? QJsonArray{needs} : needs.toArray();
    if (!needs.isUndefined() && !needs.isNull() && !needs.isString() && !needs.isArray()) {
        *err = QStringLiteral("%1: 'needs' must be a list of task names").arg(where);
        return false;
    }
    for (const QJsonValue &n : list) {
        if (!n.isString() || n.toString().trimmed().isEmpty()) {
            *err = QStringLiteral("%1: 'needs' must be a list of task names, not %2")
                       .arg(where, n.isString() ? QStringLiteral("an empty name")
                                                : QStringLiteral("'%1'").arg(valueText(n)));
            return false;
        }
        if (!r->needs.contains(n.toString().trimmed()))
            r->needs << n.toString().trimmed();
    }
    return true;
}

/// A cycle among the batch's needs of each other, as "a -> b -> a"; "" when none.
QString batchCycle(const std::vector<TaskRunRequest> &reqs)
{
    QHash<QString, int> byLeaf;
    for (size_t i = 0; i < reqs.size(); ++i)
        byLeaf.insert(reqs[i].leaf, int(i));
    std::vector<std::vector<int>> needs(reqs.size());
    for (size_t i = 0; i < reqs.size(); ++i) {
        for (const QString &n : reqs[i].needs) {
            const auto it = byLeaf.constFind(n);
            if (it != byLeaf.constEnd())
                needs[i].push_back(*it);
        }
    }
    int closer = -1;
    const std::vector<int> cycle = findCycle(needs, &closer);
    QStringList names;
    for (int i : cycle)
        names << reqs[size_t(i)].leaf;
    return names.join(QStringLiteral(" -> "));
}

} // namespace

QString describeRequest(const TaskRunRequest &r)
{
    return itemWhere(r.item, r.leaf);
}

bool parseTaskRunSpecs(const QJsonArray &inputs, std::vector<TaskRunRequest> *out, QString *err)
{
    out->clear();
    QHash<QString, int> seen; // leaf -> item
    int item = 0;
    for (const QJsonValue &v : inputs) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("type")).toString() != QLatin1String("std.TaskRunSpec"))
            continue;
        ++item;
        TaskRunRequest r;
        if (!parseOne(o, item, int(out->size()), &r, err))
            return false;
        const auto dup = seen.constFind(r.leaf);
        if (dup != seen.constEnd()) {
            *err = QStringLiteral("%1: task_name '%2' is already used by TaskRunSpec item %3")
                       .arg(itemWhere(item, QString()), r.leaf).arg(*dup);
            return false;
        }
        seen.insert(r.leaf, item);
        out->push_back(std::move(r));
    }
    const QString cycle = batchCycle(*out);
    if (!cycle.isEmpty()) {
        *err = QStringLiteral("TaskRunSpec items need each other in a cycle: %1").arg(cycle);
        return false;
    }
    return true;
}

} // namespace dfm::flow
