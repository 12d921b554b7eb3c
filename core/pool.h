#pragma once
// The worker pool's scheduling logic, free of I/O: no sockets, processes or
// timers. The daemon (and dfm run's ephemeral pool) feed it events with the
// current time and carry out the actions it returns. Unit-tested in
// tests/tst_pool.cpp; bench/bench_scheduler.cpp measures its decisions with
// up to 100,000 tasks queued on 1,000 workers.
//
// Tasks and workers are opaque integer keys chosen by the caller (tasks) or
// by the pool (workers, handed out in Launch actions). Workers of a resource
// class only run tasks of that class ("" is the default class).

#include <QHashFunctions>
#include <QString>
#include <QtGlobal>

#include <deque>
#include <list>
#include <unordered_map>
#include <vector>

namespace dfm {

using TaskKey = quint64;
using WorkerKey = quint64;

struct PoolConfig {
    int minWorkers = 0;             /* idle workers kept regardless of idle_timeout */
    int maxWorkers = 16;            /* workers of all classes, pending included */
    qint64 idleTimeoutMs = 300000;  /* idle workers above minWorkers stop after this */
    int launchBatchSize = 4;        /* at most this many launches per decision */
    qint64 launchTimeoutMs = 60000; /* a pending worker is probed after this, and again every interval */
    int maxLaunchFailures = 3;      /* consecutive failures of a class before its queue is failed */
    qint64 heartbeatTimeoutMs = 0;  /* a joined worker not heard from this long is lost (0: never) */
    int maxAttempts = 2;            /* dispatches of a task whose workers are lost before it fails */
};

struct PoolAction {
    enum Kind {
        Launch,        /* start worker `worker` of class `resourceClass` */
        Dispatch,      /* send task `task` to idle worker `worker` */
        Stop,          /* stop worker `worker` (idle teardown, rebalancing, shutdown) */
        CancelRunning, /* ask worker `worker` to cancel its running task `task` */
        Probe,         /* pending worker `worker` has not joined in time: ask its launcher */
        FailTask,      /* task `task` cannot run: answer it with `reason` (as cancelled if `cancelled`) */
        Lose,          /* worker `worker` has not been heard from in time: drop it and report workerLost */
        Requeued,      /* task `task` went back to the queue (attempt `attempt`) after its worker was lost */
    };
    Kind kind;
    WorkerKey worker = 0;
    TaskKey task = 0;
    QString resourceClass;
    QString reason;
    int attempt = 0;        /* Requeued: the attempt it waits for; FailTask: attempts made */
    bool cancelled = false; /* FailTask: the task had been cancelled */
};

enum class WorkerState { Unknown, Pending, Idle, Busy };
enum class CancelOutcome { NotFound, Dequeued, Running };

class Pool {
public:
    explicit Pool(const PoolConfig &config);
    // Internals hold pointers into its own containers: movable, not copyable.
    Pool(const Pool &) = delete;
    Pool &operator=(const Pool &) = delete;
    Pool(Pool &&) = default;
    Pool &operator=(Pool &&) = default;

    const PoolConfig &config() const { return m_cfg; }

    // --- events in; each may queue actions, collected by takeActions() ---

    /// A task arrives: dispatched to an idle worker of its class at once,
    /// else queued (FIFO per class) and workers launched within the bounds:
    /// min(launchBatchSize, maxWorkers - active, queued - pending) for its
    /// class. When the pool is full of idle workers of other classes, the
    /// longest-idle of those is stopped to make room. After shutdown() the
    /// task gets a FailTask at once; a key already queued or running is
    /// ignored.
    void submit(TaskKey task, const QString &resourceClass, qint64 nowMs);

    /// A pending worker registered. Returns false for a key that is not a
    /// pending worker of this pool (the caller should drop the connection).
    bool workerJoined(WorkerKey worker, qint64 nowMs);

    /// The worker's task ended (result, or cancelled); the worker is idle and
    /// takes the next queued task of its class. Tell the pool before telling
    /// anyone else, so a task submitted in reaction finds the worker free.
    void taskFinished(WorkerKey worker, qint64 nowMs);

    /// A joined worker was heard from (any message): its heartbeat clock
    /// restarts. Unknown or pending workers are ignored.
    void heard(WorkerKey worker, qint64 nowMs);

    /// The worker is gone (connection closed, heartbeats missed, or its
    /// launcher says it died before joining). Returns the task it was
    /// running, 0 if none. That task is decided here: cancelled ones get a
    /// FailTask with `cancelled`; ones dispatched fewer than maxAttempts
    /// times go back to the front of their queue (Requeued); the rest get a
    /// FailTask with `reason` and the attempt count. A lost pending worker
    /// counts as a launch failure of its class; after maxLaunchFailures in a
    /// row with no live worker of the class, every queued task of the class
    /// gets a FailTask with `reason`.
    TaskKey workerLost(WorkerKey worker, const QString &reason, qint64 nowMs);

    /// Cancels a task: dropped from the queue (Dequeued), or a CancelRunning
    /// action for its worker (Running; the task stays running until
    /// taskFinished, and is not retried if its worker is lost), or NotFound.
    CancelOutcome cancel(TaskKey task);

    /// Time passes: joined workers not heard from for heartbeatTimeoutMs get
    /// a Lose action; idle workers above minWorkers idle for idleTimeoutMs are
    /// stopped; pending workers older than launchTimeoutMs are probed; and
    /// while fewer than minWorkers live, default-class workers are launched
    /// to keep the pool warm (at most launchBatchSize per tick; given up
    /// after maxLaunchFailures failed warm launches in a row, until a
    /// default-class worker joins).
    void tick(qint64 nowMs);

    /// Drops every queued task (returned, for the caller to answer) and
    /// stops every worker. The pool accepts no tasks afterwards.
    std::vector<TaskKey> shutdown();

    std::vector<PoolAction> takeActions();

    // --- introspection ---
    int queuedCount() const { return m_queuedTotal; }
    int queuedCount(const QString &resourceClass) const;
    int runningCount() const { return m_busy; }
    int workerCount() const { return int(m_workers.size()); }
    int idleCount() const { return m_idleTotal; }
    int pendingCount() const { return m_pendingTotal; }
    WorkerState workerState(WorkerKey worker) const;
    TaskKey workerTask(WorkerKey worker) const; /* 0 when not busy */
    /// The resource class of a live worker; an empty QString when unknown.
    QString workerClass(WorkerKey worker) const;
    /// True once shutdown() has run.
    bool isShutDown() const { return m_shutDown; }

private:
    struct ClassState;
    struct StringHash {
        size_t operator()(const QString &s) const noexcept { return qHash(s); }
    };
    struct QueuedTask {
        TaskKey task;
        quint64 seq; /* matches TaskEntry::seq while the entry is live */
    };
    struct TaskEntry {
        ClassState *cls;
        quint64 seq;
        WorkerKey worker = 0; /* 0 while queued */
        int attempts = 0;     /* dispatches so far */
        bool cancelRequested = false;
    };
    struct Worker {
        ClassState *cls = nullptr;
        WorkerState state = WorkerState::Pending;
        TaskKey task = 0;
        qint64 since = 0; /* pending: launch or last probe; idle: idle since */
        qint64 heard = 0; /* joined: last time heard from */
        bool inHeard = false; /* in m_heardOrder (joined, not yet given a Lose) */
        std::list<WorkerKey>::iterator orderIt;    /* in m_pendingOrder or m_idleOrder */
        std::list<WorkerKey>::iterator classIdleIt; /* in cls->idle while idle */
        std::list<WorkerKey>::iterator heardIt;     /* in m_heardOrder while inHeard */
    };
    struct ClassState {
        QString name;
        std::deque<QueuedTask> queue; /* FIFO; cancelled entries stay as tombstones */
        int queued = 0;               /* live entries in queue */
        int pending = 0;
        int live = 0;                 /* joined workers: idle + busy */
        int failures = 0;             /* consecutive launch failures */
        std::list<WorkerKey> idle;    /* most recently idle at the back */
        bool wanting = false;         /* queued > pending: in m_wanting */
        std::list<ClassState *>::iterator wantIt;
    };

    ClassState &classState(const QString &name);
    int launchFor(ClassState &cls, qint64 nowMs);
    void rebalance(qint64 nowMs);
    void launchOne(ClassState &cls, qint64 nowMs);
    void stopWorker(WorkerKey key);
    void removeWorker(std::unordered_map<WorkerKey, Worker>::iterator it);
    void becomeIdle(WorkerKey key, Worker &w, qint64 nowMs);
    bool popQueued(ClassState &cls, TaskKey *task);
    void dispatch(WorkerKey key, Worker &w, TaskKey task);
    void failQueued(ClassState &cls, const QString &reason);
    void updateWanting(ClassState &cls);
    void compact(ClassState &cls);
    void keepMinimum(qint64 nowMs);
    void loseSilent(qint64 nowMs);

    PoolConfig m_cfg;
    std::unordered_map<QString, ClassState, StringHash> m_classes; /* never erased: pointers stay valid */
    std::unordered_map<WorkerKey, Worker> m_workers;
    std::unordered_map<TaskKey, TaskEntry> m_tasks; /* queued and running */
    std::list<WorkerKey> m_idleOrder;      /* idle workers, longest idle first */
    std::list<WorkerKey> m_pendingOrder;   /* pending workers, next to probe first */
    std::list<WorkerKey> m_heardOrder;     /* joined workers, least recently heard first */
    std::list<ClassState *> m_wanting;     /* classes with queued > pending, round robin */
    WorkerKey m_nextWorker = 1;
    quint64 m_nextSeq = 1;
    int m_queuedTotal = 0;
    int m_busy = 0;
    int m_idleTotal = 0;
    int m_pendingTotal = 0;
    bool m_shutDown = false;
    int m_warmFailures = 0; /* consecutive default-class launch failures, for keepMinimum */
    std::vector<PoolAction> m_actions;
};

} // namespace dfm
