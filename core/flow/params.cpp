// Parameter values while elaborating: `${{ }}` expanded through every
// string of a value, declared types applied (defaults, coercion), and a
// list of declarations evaluated in order, each seeing the earlier ones.

#include "flow/elaborator.h"
#include "flow/yamlvalue.h"

#include <QJsonArray>

#include <cmath>

namespace dfm::flow {

namespace {
constexpr int kMaxValueDepth = 64;
} // namespace

bool evalValue(const QJsonValue &v, const Scope &scope, QJsonValue *out, QString *err, int depth)
{
    if (depth > kMaxValueDepth) {
        *err = QStringLiteral("value nested too deeply");
        return false;
    }
    if (v.isString())
        return hasExpr(v.toString()) ? expandText(v.toString(), scope, out, err) : (*out = v, true);
    if (v.isArray()) {
        QJsonArray a;
        for (const QJsonValue &x : v.toArray()) {
            QJsonValue y;
            if (!evalValue(x, scope, &y, err, depth + 1))
                return false;
            a.append(y);
        }
        *out = a;
        return true;
    }
    if (v.isObject()) {
        QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            QJsonValue y;
            if (!evalValue(it.value(), scope, &y, err, depth + 1))
                return false;
            it.value() = y;
        }
        *out = o;
        return true;
    }
    *out = v;
    return true;
}

namespace {

/// The default of a typed parameter declared without a value.
QJsonValue typeDefault(const QString &type)
{
    if (type == QLatin1String("str")) return QString();
    if (type == QLatin1String("int") || type == QLatin1String("float")) return 0;
    if (type == QLatin1String("bool")) return false;
    if (type == QLatin1String("list")) return QJsonArray();
    if (type == QLatin1String("map")) return QJsonObject();
    return QJsonValue();
}

/// `v` as a value of `type`; false with *err when it cannot be one.
bool coerce(const QJsonValue &v, const QString &type, QJsonValue *out, QString *err)
{
    *out = v;
    if (type.isEmpty() || v.isNull())
        return true;
    if (type == QLatin1String("str")) {
        if (v.isArray() || v.isObject()) {
            *err = QStringLiteral("expected a string, got a %1").arg(v.isArray() ? QStringLiteral("list") : QStringLiteral("map"));
            return false;
        }
        *out = valueText(v);
        return true;
    }
    if (type == QLatin1String("int") || type == QLatin1String("float")) {
        if (v.isDouble()) {
            if (type == QLatin1String("int") && v.toDouble() != std::floor(v.toDouble())) {
                *err = QStringLiteral("expected an integer, got %1").arg(valueText(v));
                return false;
            }
            return true;
        }
        const QJsonValue n = v.isString() ? scalarToJson(v.toString().trimmed()) : v;
        if (!n.isDouble() || (type == QLatin1String("int") && n.toDouble() != std::floor(n.toDouble()))) {
            *err = QStringLiteral("expected %1, got '%2'").arg(type == QLatin1String("int") ? QStringLiteral("an integer") : QStringLiteral("a number"), valueText(v));
            return false;
        }
        *out = n;
        return true;
    }
    if (type == QLatin1String("bool")) {
        const QJsonValue b = v.isString() ? scalarToJson(v.toString().trimmed()) : v;
        if (!b.isBool()) {
            *err = QStringLiteral("expected true or false, got '%1'").arg(valueText(v));
            return false;
        }
        *out = b;
        return true;
    }
    if (type == QLatin1String("list")) {
        if (v.isString()) { // a single item, as the Python std tasks accept it
            *out = QJsonArray{v};
            return true;
        }
        if (!v.isArray()) {
            *err = QStringLiteral("expected a list, got '%1'").arg(valueText(v));
            return false;
        }
        return true;
    }
    if (type == QLatin1String("map") && !v.isObject()) {
        *err = QStringLiteral("expected a map, got '%1'").arg(valueText(v));
        return false;
    }
    return true;
}

} // namespace

bool Elaborator::evalParams(const std::vector<ParamDecl> &decls, const Scope &baseScope, Params *out,
                            const char *what, const QString &name)
{
    if (decls.empty()) // most tasks of a large flow: nothing to evaluate, no scope to copy
        return true;
    bool ok = true;
    Scope scope = baseScope;
    scope.layers.insert(scope.layers.begin(), &out->values);
    for (const ParamDecl &d : decls) {
        QString type = d.typed ? d.type : out->types.value(d.name);
        if (d.typed)
            out->types.insert(d.name, d.type);
        QJsonValue v = d.typed && d.value.isUndefined() ? typeDefault(d.type) : d.value;
        if (v.isUndefined())
            v = QJsonValue();
        QString e;
        QJsonValue ev, cv;
        if (!evalValue(v, scope, &ev, &e) || !coerce(ev, type, &cv, &e)) {
            if (m_poisoned.isEmpty() || !mentionsPoisoned(v))
                m_err->add(d.line, QStringLiteral("%1 '%2': parameter '%3': %4")
                                          .arg(QLatin1String(what), name, d.name, e));
            m_poisoned.insert(d.name);
            ok = false;
            continue;
        }
        out->values.insert(d.name, cv);
    }
    return ok;
}

} // namespace dfm::flow
