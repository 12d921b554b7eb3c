#pragma once
// `${{ }}` expressions of the dv-flow language, evaluated while a flow is
// elaborated: literals, names and dotted/indexed access, arithmetic
// (+ - * / // % **), comparison, `and`/`or`/`not` (also && || !),
// `in`, `x if c else y`, len()/str()/int()/bool(), and jq-style pipes
// (`| length`, first, last, keys, values, sort, unique, reverse, type,
// split(sep)). Pure; tested in tests/tst_flowexpr.cpp.

#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace dfm::flow {

/// Where names in an expression come from.
class ExprScope {
public:
    virtual ~ExprScope() = default;
    /// The value of NAME (a first identifier; `a.b` looks up `a` then field
    /// `b`); false when unknown.
    virtual bool lookup(const QString &name, QJsonValue *value) const = 0;
    /// Names known here, for "did you mean" in errors.
    virtual QStringList names() const { return {}; }
};

enum class EvalStatus {
    Ok,
    Deferred, /* refers to `inputs` or `memento`, known only when the task runs */
    Error,
};

/// Evaluates one expression (the text between `${{` and `}}`). On Error,
/// *err says what and where ("unknown name 'sed'; did you mean 'seed'?").
EvalStatus evalExpr(const QString &expr, const ExprScope &scope, QJsonValue *out, QString *err);

/// Expands every `${{ expr }}` in `text`. A text that is exactly one
/// reference yields the value with its type (a number stays a number);
/// otherwise the values are rendered as text into the string. A deferred
/// reference is kept exactly as written. False with *err on the first error.
bool expandText(const QString &text, const ExprScope &scope, QJsonValue *out, QString *err);

/// A value as it reads inside a string, as the Python dfm renders it:
/// True/False, integral numbers without ".0", lists and maps as JSON.
QString valueText(const QJsonValue &v);

/// True when `text` holds a `${{`.
inline bool hasExpr(const QString &text) { return text.contains(QLatin1String("${{")); }

} // namespace dfm::flow
