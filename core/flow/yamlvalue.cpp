#include "flow/yamlvalue.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

#include <yaml-cpp/yaml.h>

#include <vector>

namespace dfm::flow {

QJsonValue scalarToJson(const QString &s)
{
    static const QRegularExpression intRe(QStringLiteral("^[-+]?[0-9]+$"));
    static const QRegularExpression floatRe(QStringLiteral("^[-+]?([0-9]*\\.[0-9]+|[0-9]+\\.[0-9]*)([eE][-+]?[0-9]+)?$"));
    static const QStringList trues{QStringLiteral("true"), QStringLiteral("yes"), QStringLiteral("on")};
    static const QStringList falses{QStringLiteral("false"), QStringLiteral("no"), QStringLiteral("off")};
    bool ok = false;
    if (intRe.match(s).hasMatch()) {
        const qint64 v = s.toLongLong(&ok);
        if (ok)
            return QJsonValue(v);
    }
    // YAML 1.1 spells bools lower, Capitalised or UPPER case only.
    const bool boolCase = s == s.toLower() || s == s.toUpper() || s == s.left(1).toUpper() + s.mid(1).toLower();
    if (boolCase && trues.contains(s.toLower()))
        return true;
    if (boolCase && falses.contains(s.toLower()))
        return false;
    if (floatRe.match(s).hasMatch()) {
        const double v = s.toDouble(&ok);
        if (ok)
            return v;
    }
    if (s == QLatin1String("~") || s == QLatin1String("null"))
        return QJsonValue();
    return s;
}

QJsonValue yamlToJson(const YAML::Node &root)
{
    // Iterative: a hostile, deeply nested value cannot overflow the stack.
    // Nodes in breadth-first order; containers are filled in reverse.
    std::vector<YAML::Node> nodes{root};
    std::vector<std::vector<std::pair<QString, int>>> children; // per node: (key, child index)
    std::vector<int> kind; // 0 scalar/null, 1 seq, 2 map
    std::vector<QJsonValue> values;
    for (size_t i = 0; i < nodes.size(); ++i) {
        const YAML::Node n = nodes[i];
        children.emplace_back();
        if (n.IsSequence()) {
            kind.push_back(1);
            for (const YAML::Node &c : n) {
                children[i].emplace_back(QString(), int(nodes.size()));
                nodes.push_back(c);
            }
        } else if (n.IsMap()) {
            kind.push_back(2);
            for (auto it = n.begin(); it != n.end(); ++it) {
                children[i].emplace_back(QString::fromStdString(it->first.Scalar()), int(nodes.size()));
                nodes.push_back(it->second);
            }
        } else {
            kind.push_back(0);
        }
    }
    values.resize(nodes.size());
    for (size_t k = nodes.size(); k-- > 0;) {
        const YAML::Node &n = nodes[k];
        if (kind[k] == 1) {
            QJsonArray a;
            for (const auto &c : children[k])
                a.append(values[size_t(c.second)]);
            values[k] = a;
        } else if (kind[k] == 2) {
            QJsonObject o;
            for (const auto &c : children[k])
                o.insert(c.first, values[size_t(c.second)]);
            values[k] = o;
        } else if (!n || n.IsNull()) {
            values[k] = QJsonValue();
        } else {
            const QString s = QString::fromStdString(n.Scalar());
            values[k] = n.Tag() == "!" ? QJsonValue(s) : scalarToJson(s);
        }
    }
    return values.empty() ? QJsonValue() : values[0];
}

} // namespace dfm::flow
