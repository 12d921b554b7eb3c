#include "flow/exprvalue.h"

#include "flow/expr.h"
#include "valuetext.h"

#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <vector>

namespace dfm::flow {

bool truthy(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return v.toBool();
    case QJsonValue::Double: return v.toDouble() != 0;
    case QJsonValue::String: return !v.toString().isEmpty();
    case QJsonValue::Array: return !v.toArray().isEmpty();
    case QJsonValue::Object: return !v.toObject().isEmpty();
    default: return false;
    }
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return QStringLiteral("boolean");
    case QJsonValue::Double: return QStringLiteral("number");
    case QJsonValue::String: return QStringLiteral("string");
    case QJsonValue::Array: return QStringLiteral("array");
    case QJsonValue::Object: return QStringLiteral("object");
    default: return QStringLiteral("null");
    }
}

QString valueText(const QJsonValue &v)
{
    if (v.isBool())
        return v.toBool() ? QStringLiteral("True") : QStringLiteral("False"); // as Python renders them
    return jsonText(v);
}

bool applyArith(const QString &op, const QJsonValue &a, const QJsonValue &b, QJsonValue *out, QString *err)
{
    if (op == QLatin1String("+")) {
        if (a.isString() && b.isString()) {
            *out = a.toString() + b.toString();
            return true;
        }
        if (a.isArray() && b.isArray()) {
            QJsonArray r = a.toArray();
            for (const QJsonValue &x : b.toArray())
                r.append(x);
            *out = r;
            return true;
        }
    }
    if (op == QLatin1String("*") && a.isString() && b.isDouble()) {
        *out = a.toString().repeated(qMax(0, int(b.toDouble())));
        return true;
    }
    const auto num = [](const QJsonValue &v) { return v.isBool() ? (v.toBool() ? 1.0 : 0.0) : v.toDouble(); };
    if (!(a.isDouble() || a.isBool()) || !(b.isDouble() || b.isBool())) {
        *err = QStringLiteral("cannot apply '%1' to %2 and %3").arg(op, typeName(a), typeName(b));
        return false;
    }
    const double x = num(a), y = num(b);
    if ((op == QLatin1String("/") || op == QLatin1String("//") || op == QLatin1String("%")) && y == 0) {
        *err = QStringLiteral("division by zero");
        return false;
    }
    if (op == QLatin1String("+")) *out = x + y;
    else if (op == QLatin1String("-")) *out = x - y;
    else if (op == QLatin1String("*")) *out = x * y;
    else if (op == QLatin1String("/")) *out = x / y;
    else if (op == QLatin1String("//")) *out = std::floor(x / y);
    else if (op == QLatin1String("%")) *out = x - y * std::floor(x / y); // Python's sign rule
    else *out = std::pow(x, y);
    return true;
}

bool applyCompare(const QString &op, const QJsonValue &v, const QJsonValue &r, QJsonValue *out, QString *err)
{
    if (op == QLatin1String("==")) {
        *out = v == r;
    } else if (op == QLatin1String("!=")) {
        *out = v != r;
    } else if (op == QLatin1String("in")) {
        if (r.isArray()) {
            *out = r.toArray().contains(v);
        } else if (r.isObject()) {
            *out = r.toObject().contains(v.toString());
        } else if (r.isString() && v.isString()) {
            *out = r.toString().contains(v.toString());
        } else {
            *err = QStringLiteral("'in' needs a list, map or string on its right, got %1").arg(typeName(r));
            return false;
        }
    } else {
        int c = 0;
        if (v.isDouble() && r.isDouble()) {
            c = v.toDouble() < r.toDouble() ? -1 : v.toDouble() > r.toDouble() ? 1 : 0;
        } else if (v.isString() && r.isString()) {
            c = v.toString().compare(r.toString());
        } else {
            *err = QStringLiteral("cannot compare %1 with %2").arg(typeName(v), typeName(r));
            return false;
        }
        *out = op == QLatin1String("<") ? c < 0 : op == QLatin1String("<=") ? c <= 0 : op == QLatin1String(">") ? c > 0 : c >= 0;
    }
    return true;
}

bool fieldOf(const QJsonValue &v, const QString &name, QJsonValue *out, QString *err)
{
    if (!v.isObject() || !v.toObject().contains(name)) {
        *err = v.isObject() ? QStringLiteral("no field '%1'").arg(name)
                            : QStringLiteral("cannot take field '%1' of a %2").arg(name, typeName(v));
        return false;
    }
    *out = v.toObject().value(name);
    return true;
}

bool indexOf(const QJsonValue &v, const QJsonValue &key, QJsonValue *out, QString *err)
{
    if (v.isObject()) {
        if (!v.toObject().contains(key.toString())) {
            *err = QStringLiteral("no key '%1'").arg(valueText(key));
            return false;
        }
        *out = v.toObject().value(key.toString());
        return true;
    }
    if (!v.isArray() && !v.isString()) {
        *err = QStringLiteral("cannot index a %1").arg(typeName(v));
        return false;
    }
    if (!key.isDouble()) {
        *err = QStringLiteral("an index must be a number, got %1").arg(typeName(key));
        return false;
    }
    const int n = v.isArray() ? int(v.toArray().size()) : int(v.toString().size());
    int i = int(key.toDouble());
    if (i < 0)
        i += n;
    if (i < 0 || i >= n) {
        *err = QStringLiteral("index %1 out of range (length %2)").arg(int(key.toDouble())).arg(n);
        return false;
    }
    *out = v.isArray() ? v.toArray().at(i) : QJsonValue(v.toString().mid(i, 1));
    return true;
}

bool sliceOf(const QJsonValue &v, const QJsonValue &lo, const QJsonValue &hi, QJsonValue *out, QString *err)
{
    if (!v.isArray() && !v.isString()) {
        *err = QStringLiteral("cannot slice a %1").arg(typeName(v));
        return false;
    }
    const int n = v.isArray() ? int(v.toArray().size()) : int(v.toString().size());
    auto clamp = [n](const QJsonValue &x, int dflt) {
        if (!x.isDouble())
            return dflt;
        int i = int(x.toDouble());
        if (i < 0)
            i += n;
        return qBound(0, i, n);
    };
    const int a = clamp(lo, 0), b = qMax(a, clamp(hi, n));
    if (v.isString()) {
        *out = v.toString().mid(a, b - a);
        return true;
    }
    QJsonArray r;
    const QJsonArray arr = v.toArray();
    for (int i = a; i < b; ++i)
        r.append(arr.at(i));
    *out = r;
    return true;
}

bool callBuiltin(const QString &name, const QJsonArray &args, const QJsonValue &in, bool piped, QJsonValue *out,
                 QString *err)
{
    const QJsonValue x = piped ? in : args.isEmpty() ? QJsonValue() : args.at(0);
    const int want = piped ? 0 : 1;
    const auto fail = [err](const QString &msg) {
        *err = msg;
        return false;
    };
    const auto arity = [&](int n) {
        return args.size() == n || fail(QStringLiteral("%1() takes %2 argument(s), got %3").arg(name).arg(n).arg(args.size()));
    };
    if (name == QLatin1String("len") || name == QLatin1String("length")) {
        if (!arity(want))
            return false;
        if (x.isArray()) *out = double(x.toArray().size());
        else if (x.isObject()) *out = double(x.toObject().size());
        else if (x.isString()) *out = double(x.toString().size());
        else if (x.isNull()) *out = 0.0;
        else return fail(QStringLiteral("%1 of a %2").arg(name, typeName(x)));
        return true;
    }
    if (name == QLatin1String("str")) {
        if (!arity(want))
            return false;
        *out = valueText(x);
        return true;
    }
    if (name == QLatin1String("int")) {
        if (!arity(want))
            return false;
        if (x.isDouble()) {
            *out = std::trunc(x.toDouble());
        } else if (x.isBool()) {
            *out = x.toBool() ? 1.0 : 0.0;
        } else {
            bool ok = false;
            const qlonglong i = x.toString().trimmed().toLongLong(&ok);
            if (!ok)
                return fail(QStringLiteral("int(): '%1' is not an integer").arg(valueText(x)));
            *out = double(i);
        }
        return true;
    }
    if (name == QLatin1String("bool")) {
        if (!arity(want))
            return false;
        *out = truthy(x);
        return true;
    }
    if (!piped)
        return fail(QStringLiteral("unknown function '%1' (known: len, str, int, bool; with '|': length, keys, values, "
                                   "sort, unique, reverse, first, last, flatten, type, split)").arg(name));
    if (name == QLatin1String("type")) {
        *out = typeName(x);
        return true;
    }
    if (name == QLatin1String("split")) {
        if (!arity(1))
            return false;
        if (!x.isString())
            return fail(QStringLiteral("split of a %1").arg(typeName(x)));
        *out = QJsonArray::fromStringList(x.toString().split(args.at(0).toString()));
        return true;
    }
    if (x.isObject() && (name == QLatin1String("keys") || name == QLatin1String("values"))) {
        const QJsonObject o = x.toObject();
        if (name == QLatin1String("keys")) {
            *out = QJsonArray::fromStringList(o.keys());
            return true;
        }
        QJsonArray r;
        for (auto it = o.begin(); it != o.end(); ++it)
            r.append(it.value());
        *out = r;
        return true;
    }
    if (!x.isArray())
        return fail(QStringLiteral("'%1' needs an array, got %2").arg(name, typeName(x)));
    QJsonArray a = x.toArray();
    if (name == QLatin1String("first") || name == QLatin1String("last")) {
        *out = a.isEmpty() ? QJsonValue() : name == QLatin1String("first") ? a.first() : a.last();
        return true;
    }
    std::vector<QJsonValue> items(a.begin(), a.end());
    if (name == QLatin1String("reverse")) {
        std::reverse(items.begin(), items.end());
    } else if (name == QLatin1String("sort") || name == QLatin1String("unique")) {
        std::stable_sort(items.begin(), items.end(), [](const QJsonValue &l, const QJsonValue &r) {
            if (l.isDouble() && r.isDouble())
                return l.toDouble() < r.toDouble();
            return valueText(l) < valueText(r);
        });
        if (name == QLatin1String("unique"))
            items.erase(std::unique(items.begin(), items.end()), items.end());
    } else if (name == QLatin1String("flatten")) {
        std::vector<QJsonValue> flat;
        for (const QJsonValue &v : items) {
            if (v.isArray())
                for (const QJsonValue &w : v.toArray())
                    flat.push_back(w);
            else
                flat.push_back(v);
        }
        items.swap(flat);
    } else {
        return fail(QStringLiteral("unknown builtin '%1'").arg(name));
    }
    QJsonArray r;
    for (const QJsonValue &v : items)
        r.append(v);
    *out = r;
    return true;
}

} // namespace dfm::flow
