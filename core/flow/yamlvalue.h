#pragma once
// YAML nodes as JSON values, typed as the original's YAML loader types them.

#include <QJsonValue>

namespace dfm::flow {

struct YNode;

/// A YAML node as JSON: quoted scalars stay strings; plain ones may be
/// ints, floats, YAML 1.1 bools or null; sequences and maps recurse.
QJsonValue yamlToJson(const YNode &n);

/// A command-line value (-D NAME=VALUE) typed as a plain YAML scalar.
QJsonValue scalarToJson(const QString &text);

} // namespace dfm::flow
