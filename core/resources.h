#pragma once
// A task's resources: the named `resource_class` plus the optional
// `resources` extension of task.submit ({cores, memory, queue, walltime},
// filled from a flow's std.ResourceTag), folded into one canonical pool class
// key, and resolved against the runner configuration with the precedence of
// dv-flow's resource_tags.rst: the class's values, then the tag's, then
// `defaults`. Pure; tested in tests/tst_resources.cpp.

#include "config.h"

#include <QJsonObject>
#include <QString>

namespace dfm {

/// What a task asks for itself; 0 or empty = not asked.
struct ResourceRequest {
    int cores = 0;
    QString memory;
    QString queue;
    QString walltime;
    bool isEmpty() const { return cores == 0 && memory.isEmpty() && queue.isEmpty() && walltime.isEmpty(); }
};

/// Validates the `resources` object of task.submit. False with *err naming
/// the field ("task: resources.cores must be a positive integer").
bool parseResourceRequest(const QJsonObject &obj, ResourceRequest *req, QString *err);

/// The pool's class for a task: the class name alone when the task asks
/// for nothing itself, else "CLASS{cores=8,memory=32G,queue=q,walltime=4:00}"
/// with only the fields it sets, in that order. Workers are reused only for
/// tasks of the same key, so a task asking for 8 cores never lands on a
/// worker launched with 1.
QString poolClassKey(const QString &resourceClass, const ResourceRequest &req);

/// Splits a key made by poolClassKey(). False for a malformed key.
bool splitPoolClassKey(const QString &key, QString *resourceClass, ResourceRequest *req);

/// The resources a worker of pool class `key` is launched with.
ResourceSpec resolveResources(const RunnerConfig &cfg, const QString &key);

} // namespace dfm
