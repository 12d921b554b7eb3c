#include "flow/yamlvalue.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringList>

#include "flow/ynode.h"


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
    return s;
}

QJsonValue yamlToJson(const YNode &n)
{
    // Recursion is bounded: parseYaml() refuses nesting past 200 levels.
    switch (n.kind) {
    case YNode::Null:
        return QJsonValue();
    case YNode::Scalar:
        return n.plain ? scalarToJson(n.text) : QJsonValue(n.text);
    case YNode::Seq: {
        QJsonArray a;
        for (const YNode &c : n.items)
            a.append(yamlToJson(c));
        return a;
    }
    case YNode::Map: {
        QJsonObject o;
        for (size_t i = 0; i < n.pairs(); ++i)
            o.insert(n.key(i).text, yamlToJson(n.value(i)));
        return o;
    }
    }
    return QJsonValue();
}

} // namespace dfm::flow
