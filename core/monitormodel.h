#pragma once
// The one model both monitors draw: the daemon's picture built from the
// monitor.snapshot event and the events after it. Pure: no QObject, no I/O,
// no clock of its own (callers pass the time where an answer depends on it).
// apply() returns what changed, so a renderer redraws only that (htop's way).
//
// Robust to what it cannot know: unknown events are ignored; events about
// tasks or workers it never saw still count; a task queued before the
// snapshot is only a count there, and is taken off that count when it is
// dispatched or completes.

#include "payloads.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QPair>

#include <deque>

namespace dfm {

class MonitorModel {
public:
    /// What apply() changed (bit flags).
    enum Change : unsigned {
        NoChange = 0,
        DaemonChanged = 1u << 0,      /* pid, runner, limits, uptime base */
        WorkersChanged = 1u << 1,
        RunningChanged = 1u << 2,
        CompletionsChanged = 1u << 3, /* the recent list */
        QueueChanged = 1u << 4,
        TotalsChanged = 1u << 5,
        ClientsChanged = 1u << 6,
        Everything = (1u << 7) - 1,
    };

    /// (client, request_id): how the daemon names a task.
    using TaskId = QPair<qint64, QString>;

    struct DaemonInfo {
        qint64 pid = 0;
        QString runner;
        QString version;
        QString socket;
        QString started;       /* the daemon's own UTC stamp of its start */
        qint64 startedMs = 0;  /* epoch ms when the daemon started */
        proto::PoolLimits pool;
    };

    struct WorkerCounts {
        int total = 0, busy = 0, idle = 0, pending = 0;
    };

    explicit MonitorModel(int recentKept = 200);

    /// Applies one decoded event; returns the Change flags it caused.
    unsigned apply(const proto::MonitorEvent &event);
    /// Decodes and applies one event message.
    unsigned apply(const QString &method, const QJsonObject &params);
    /// Forgets everything (the daemon went away). Returns Everything.
    unsigned clear();

    bool hasSnapshot() const { return m_haveSnapshot; }
    const DaemonInfo &daemon() const { return m_daemon; }
    /// Milliseconds the daemon has been up at `nowMs` (epoch ms).
    qint64 uptimeMs(qint64 nowMs) const;

    /// Workers in id order (w2 before w10).
    QList<proto::WorkerInfo> workers() const;
    WorkerCounts workerCounts() const;

    /// Running tasks, the longest-running first.
    QList<proto::RunningTask> running() const;
    int runningCount() const { return int(m_running.size()); }

    /// The recent completions, newest last; at most recentKept.
    const std::deque<proto::TaskCompleted> &recent() const { return m_recent; }

    int queuedTotal() const { return m_queuedTotal; }
    const QMap<QString, int> &queuedByClass() const { return m_queuedByClass; }
    const QMap<qint64, int> &queuedByClient() const { return m_queuedByClient; }

    /// Totals since the daemon started: submitted, passed, failed, cancelled, retried.
    const proto::TaskCounters &totals() const { return m_totals; }

    /// Connected clients by id.
    const QMap<qint64, proto::ClientInfo> &clients() const { return m_clients; }
    /// A short label for a client: "run 3 (pid 1234)", or "run 3".
    QString clientLabel(qint64 client) const;

private:
    unsigned reset(const proto::DaemonStatus &s);
    unsigned onWorker(const proto::WorkerInfo &w);
    unsigned onQueued(const proto::TaskQueued &q);
    unsigned onDispatched(const proto::RunningTask &t);
    unsigned onCompleted(const proto::TaskCompleted &c);
    /// Takes a task off the queue counts: the one recorded for it if it was
    /// seen queued, else (queued before the snapshot) its class and client.
    bool unqueue(const TaskId &id, const QString &cls, qint64 client);
    void addQueued(const QString &cls, qint64 client, int delta);

    int m_recentKept;
    bool m_haveSnapshot = false;
    DaemonInfo m_daemon;
    QHash<QString, proto::WorkerInfo> m_workers;
    QHash<TaskId, proto::RunningTask> m_running;
    std::deque<proto::TaskCompleted> m_recent;
    QHash<TaskId, QString> m_queued;   /* tasks seen queued since the snapshot -> class */
    QMap<QString, int> m_queuedByClass;
    QMap<qint64, int> m_queuedByClient;
    int m_queuedTotal = 0;
    proto::TaskCounters m_totals;
    QMap<qint64, proto::ClientInfo> m_clients;
};

} // namespace dfm
