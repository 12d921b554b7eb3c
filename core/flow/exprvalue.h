#pragma once
// What the operators and builtins of `${{ }}` expressions do to values:
// the evaluator's semantics, apart from the grammar (expr.cpp) and the
// tokens (exprlexer.cpp). Python's rules where they differ from C++'s
// (truthiness, `//` and `%` signs, `in`). Every function returns false with
// *err saying why when the operation does not apply. Pure.

#include <QJsonArray>
#include <QJsonValue>
#include <QString>

namespace dfm::flow {

/// Python's truth: false, 0, "", [], {} and null are false.
bool truthy(const QJsonValue &v);

/// "boolean", "number", "string", "array", "object" or "null".
QString typeName(const QJsonValue &v);

/// `a OP b` for + - * / // % **: numbers (bools as 0/1), string and list
/// concatenation, string repetition.
bool applyArith(const QString &op, const QJsonValue &a, const QJsonValue &b, QJsonValue *out, QString *err);

/// `a OP b` for == != < <= > >= and `in`.
bool applyCompare(const QString &op, const QJsonValue &a, const QJsonValue &b, QJsonValue *out, QString *err);

/// v.name of a map.
bool fieldOf(const QJsonValue &v, const QString &name, QJsonValue *out, QString *err);

/// v[key]: a map's key, or a list's or string's index (negative from the end).
bool indexOf(const QJsonValue &v, const QJsonValue &key, QJsonValue *out, QString *err);

/// v[lo:hi] of a list or string; an undefined or null bound is the end.
bool sliceOf(const QJsonValue &v, const QJsonValue &lo, const QJsonValue &hi, QJsonValue *out, QString *err);

/// A function `name(args)` (len, str, int, bool) or, `piped`, a filter
/// `in | name(args)` (also length, keys, values, sort, unique, reverse,
/// first, last, flatten, type, split).
bool callBuiltin(const QString &name, const QJsonArray &args, const QJsonValue &in, bool piped, QJsonValue *out,
                 QString *err);

} // namespace dfm::flow
