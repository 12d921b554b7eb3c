// An override deriving from the task it replaces (package `uses:`): one
// declaration holding the base's fields under its own.

#include "flow/decl.h"

namespace dfm::flow {

/// What an override of a base package's task takes from it: every field
/// it does not set itself; parameters the base's first, then its own.
void inheritTask(TaskDecl *d, const TaskDecl &base)
{
    TaskDecl merged = base;
    merged.task.name = d->task.name;
    merged.task.line = d->task.line;
    merged.task.exported = d->task.exported || base.task.exported;
    merged.task.local = d->task.local;
    merged.override = d->override;
    merged.overrideLine = d->overrideLine;
    merged.ns = d->ns;
    merged.broken = d->broken || base.broken;
    if (!d->task.srcdir().isEmpty() || d->hasRun)
        merged.task.editMore().srcdir = d->task.srcdir();
    if (d->hasRun) {
        merged.task.run = d->task.run;
        merged.hasRun = true;
        merged.runLine = d->runLine;
        merged.body.clear(); // a body of its own replaces the base's, as does a run
        merged.bodyLine = 0;
    }
    if (d->hasShell) {
        merged.task.shell = d->task.shell;
        merged.hasShell = true;
    }
    if (d->hasConsumes) {
        merged.task.consumes = d->task.consumes;
        merged.hasConsumes = true;
    }
    if (d->hasPassthrough) {
        merged.task.passthrough = d->task.passthrough;
        merged.hasPassthrough = true;
    }
    if (d->hasRundir) {
        merged.task.inheritRundir = d->task.inheritRundir;
        merged.hasRundir = true;
    }
    if (d->hasTimeout) {
        merged.task.timeout = d->task.timeout;
        merged.hasTimeout = true;
    }
    if (d->hasDesc)
        merged.task.editMore().desc = d->task.desc();
    if (d->hasIff) {
        merged.iff = d->iff;
        merged.iffLine = d->iffLine;
        merged.hasIff = true;
    }
    if (!d->needs.empty())
        merged.needs = d->needs;
    if (!d->feeds.empty())
        merged.feeds = d->feeds;
    if (!d->body.empty()) {
        merged.body = d->body;
        merged.bodyLine = d->bodyLine;
        merged.task.run.clear();
        merged.hasRun = false;
    }
    if (d->hasMaxFailures) {
        merged.maxFailures = d->maxFailures;
        merged.hasMaxFailures = true;
    }
    if (!d->matrix.empty()) {
        merged.matrix = d->matrix;
        merged.strategyLine = d->strategyLine;
    }
    const ResourceSpec &own = d->task.resources();
    if (own.cores)
        merged.task.editMore().resources.cores = own.cores;
    if (!own.memory.isEmpty())
        merged.task.editMore().resources.memory = own.memory;
    if (!own.queue.isEmpty())
        merged.task.editMore().resources.queue = own.queue;
    if (!own.walltime.isEmpty())
        merged.task.editMore().resources.walltime = own.walltime;
    if (!d->task.resourceClass().isEmpty())
        merged.task.editMore().resourceClass = d->task.resourceClass();
    merged.params.insert(merged.params.end(), d->params.begin(), d->params.end());
    merged.tags.insert(merged.tags.end(), d->tags.begin(), d->tags.end());
    if (d->task.neverUpToDate)
        merged.task.neverUpToDate = true;
    *d = std::move(merged);
}

} // namespace dfm::flow
