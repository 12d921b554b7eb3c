#pragma once
// What `dfm show` and `dfm graph` print about a loaded flow, as pure
// functions of it (the commands only write the text). Tested in
// tests/tst_flowshow.cpp.

#include "flow.h"

#include <QJsonArray>
#include <QString>

#include <vector>

namespace dfm::flow {

/// One line per task whose qualified name or description contains `search`
/// (case-insensitive; "" = every task), in file order: the qualified name
/// padded to a column, then its description. "" when none matches.
QString taskTable(const Flow &flow, const QString &search);

/// The same tasks as JSON: name, package, desc, scope ("root", "local" or
/// ""), uses, needs (qualified) and params.
QJsonArray taskJson(const Flow &flow, const QString &search);

/// The detail of task `index`: name, package, base (`uses:`), scope,
/// description, parameters with their values, and its direct needs.
QString taskDetail(const Flow &flow, int index);

/// The tasks `order` (from selectTasks()) as a Graphviz DOT digraph: one box
/// per task, an edge from each need to the task needing it, the body of a
/// compound task in a cluster labelled with its name.
QString flowDot(const Flow &flow, const std::vector<int> &order);

} // namespace dfm::flow
