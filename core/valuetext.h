#pragma once
// What the worker's `${{ NAME }}` substitution (expand.h) and the flow's
// `${{ }}` expressions (flow/expr.h) share: finding a reference in a text,
// and a JSON value rendered into a string. Pure.

#include <QJsonValue>
#include <QString>

namespace dfm {

/// A JSON value as it reads inside a string: integral numbers without ".0",
/// other numbers shortest, strings as they are, lists and maps as compact
/// JSON, booleans "true"/"false", null "".
QString jsonText(const QJsonValue &v);

/// The next `${{` in `text` at or after `from`: its position in *open, and
/// that of the `}}` closing it in *close (-1 when none closes it). False
/// when there is no `${{` left.
bool nextRef(const QString &text, qsizetype from, qsizetype *open, qsizetype *close);

/// The length of the `${{` and `}}` that delimit a reference.
constexpr qsizetype kRefOpenSize = 3;
constexpr qsizetype kRefCloseSize = 2;

} // namespace dfm
