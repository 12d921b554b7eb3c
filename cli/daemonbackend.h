#pragma once
// `dfm run` through a live daemon: every task is a task.submit on one
// connection; its RESULT is the reply to the submit's id.

#include "daemonclient.h"
#include "statefile.h"
#include "taskbackend.h"

#include <QHash>
#include <QSet>
#include <QTimer>

namespace dfm::cli {

class DaemonBackend : public TaskBackend {
    Q_OBJECT
public:
    /// `state` is the daemon's daemon.json, as probeDaemon() read it.
    explicit DaemonBackend(const DaemonState &state, QObject *parent = nullptr);

    /// Connects to the daemon's socket. False with *err ("cannot connect ...").
    bool start(QString *err) override;
    void submit(const proto::TaskSpec &spec) override;
    void cancel(const QString &requestId) override;
    void finish() override;
    QString describe() const override;
    QString mode() const override { return QStringLiteral("daemon"); }
    /// Asks status.get which of this run's tasks run. Every submit asks the
    /// daemon for a task.started event when the task goes to a worker
    /// (`notify_started`); until the first such event shows the daemon sends
    /// them, and with a daemon that never does (an older one), status.get
    /// is also asked every 500 ms while tasks are outstanding. This
    /// connection's client id is the one in status.get's client_list with
    /// this process's pid; without one (an older daemon), a running task
    /// with one of our request_ids is taken for ours.
    void refreshRunning() override;

private:
    void onMessage(const proto::Message &msg);
    void onStatus(const QJsonObject &status);
    void onStarted(const QJsonObject &params);
    void reportStarted(const QString &requestId, qint64 startedMs);

    DaemonState m_state;
    DaemonClient m_client;
    QHash<qint64, QString> m_submits; /* submit id -> request_id, while outstanding */
    QSet<QString> m_outstanding;      /* the request_ids of m_submits */
    bool m_finishing = false;
    qint64 m_statusId = -1;          /* the status.get in flight, -1 none */
    qint64 m_refreshId = -1;         /* refreshRunning()'s status.get: runningRefreshed() owed after it */
    QHash<QString, qint64> m_started; /* request_id -> start time reported */
    qint64 m_clientId = -1;          /* our client id on the daemon, -1 unknown */
    QTimer m_poll;                   /* status.get while the daemon may not notify */
    bool m_notified = false;         /* the daemon sends task.started: no polling */
};

} // namespace dfm::cli
