#pragma once
// Where `dfm run` sends its tasks: a live daemon (DaemonBackend) or a pool
// of its own for the duration of the run (EphemeralBackend). RunSession
// talks only to this interface.

#include "protocol.h"

#include <QObject>

namespace dfm::cli {

class TaskBackend : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /// Connects to or starts the pool. Returns false with *err.
    virtual bool start(QString *err) = 0;
    /// Queues one task; its end arrives as taskFinished(spec.requestId, ...).
    virtual void submit(const proto::TaskSpec &spec) = 0;
    /// Asks the pool to cancel an outstanding task; its (cancelled) result
    /// still arrives through taskFinished().
    virtual void cancel(const QString &requestId) = 0;
    /// Stops: the ephemeral pool stops every worker, the daemon connection
    /// closes. Emits finished() when done (possibly later). No taskFinished()
    /// is emitted after this call.
    virtual void finish() = 0;
    /// For the summary: "through daemon pid 123", "ephemeral local pool of 4 workers".
    virtual QString describe() const = 0;
    /// For the --json report: "daemon" or "ephemeral".
    virtual QString mode() const = 0;
    /// Brings what taskStarted() reported up to date, then emits
    /// runningRefreshed(): at once when the backend always knows (ephemeral),
    /// after a round trip otherwise (daemon). A task.cancel sent after this
    /// call is answered after the refresh.
    virtual void refreshRunning() { Q_EMIT runningRefreshed(); }
    /// Workers this run started itself (ephemeral), or -1 (a daemon's pool).
    virtual int workersLaunched() const { return -1; }

Q_SIGNALS:
    void taskFinished(const QString &requestId, const dfm::proto::TaskResult &result);
    /// An outstanding task started on a worker at `startedMs` (ms since the
    /// epoch). Before its taskFinished(), if at all; again if it is retried.
    void taskStarted(const QString &requestId, qint64 startedMs);
    /// refreshRunning() is done.
    void runningRefreshed();
    /// The pool is gone (the daemon connection dropped): no more results.
    void lost(const QString &why);
    void finished();
};

} // namespace dfm::cli
