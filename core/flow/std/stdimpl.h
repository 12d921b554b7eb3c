#pragma once
// The standard tasks, one function each; reached through findStdTask().

#include "flow/std/stdtasks.h"

#include <QStringList>

namespace dfm::flow::stdimpl {

proto::TaskResult message(const StdTaskInput &in, QString *log);
proto::TaskResult fileSet(const StdTaskInput &in, QString *log);
proto::TaskResult createFile(const StdTaskInput &in, QString *log);
proto::TaskResult setEnv(const StdTaskInput &in, QString *log);
proto::TaskResult setFileType(const StdTaskInput &in, QString *log);
proto::TaskResult incDirs(const StdTaskInput &in, QString *log);
proto::TaskResult runTasks(const StdTaskInput &in, QString *log);

/// Python's glob.glob(pattern) without `recursive`: `*`, `?` and `[...]`
/// within one path component, hidden entries only for a pattern starting
/// with '.'. Matches are sorted (Python's order is the directory's).
QStringList glob(const QString &pattern);

/// True when `s` holds a glob metacharacter (*, ? or [).
bool isGlob(const QString &s);

/// A list parameter as the Python tasks take it: a list, a single string
/// (split on whitespace when `split`), or nothing.
QStringList listParam(const QJsonValue &v, bool split);

} // namespace dfm::flow::stdimpl
