#pragma once
// YAML nodes as JSON values, typed as the original's YAML loader types them.

#include <QJsonValue>

namespace YAML {
class Node;
}

namespace dfm::flow {

/// A YAML node as JSON: quoted scalars stay strings; plain ones may be
/// ints, floats, YAML 1.1 bools or null; sequences and maps recurse.
QJsonValue yamlToJson(const YAML::Node &n);

/// A command-line value (-D NAME=VALUE) typed as a plain YAML scalar.
QJsonValue scalarToJson(const QString &text);

} // namespace dfm::flow
