#pragma once
// Text for people, as pure functions: durations and the `dfm daemon status`
// report. Tested without a terminal.

#include <QJsonObject>
#include <QString>

namespace dfm::fmt {

/// "850ms", "12.3s", "4m 05s", "2h 03m", "3d 04h".
QString duration(qint64 ms);

/// The human `dfm daemon status` report for a status.get result.
QString daemonStatus(const QJsonObject &status, const QString &root);

} // namespace dfm::fmt
