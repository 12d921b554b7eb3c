#pragma once
// `${{ NAME }}` references in shell task bodies, replaced before the task
// runs, as the original worker does: `rundir` and every key of `params`.

#include "protocol.h"

#include <QHash>
#include <QString>

namespace dfm {

/// Returns `text` with each `${{ NAME }}` (any whitespace, or none, inside
/// the braces) replaced by vars[NAME]. A reference whose NAME is not in
/// `vars`, or that is not closed, is left exactly as written. Never fails.
QString expandRefs(const QString &text, const QHash<QString, QString> &vars);

/// The variables a task body may reference: `rundir` plus every key of
/// `params`, rendered as text (integral numbers without ".0", bools as
/// "true"/"false", null as "", arrays/objects as compact JSON). `rundir`
/// wins over a param of the same name.
QHash<QString, QString> taskVars(const proto::TaskSpec &spec);

/// One JSON value as a shell-body string, by the rules of taskVars().
QString jsonValueText(const QJsonValue &v);

} // namespace dfm
