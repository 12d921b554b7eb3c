#pragma once
// The worker side of the worker protocol: connect back to the daemon (with
// back-off), register with the daemon's token, heartbeat, run one task at a
// time (shell, Python or native: see TaskDispatcher) and report its RESULT,
// obey task.cancel, a task's `timeout` and worker.shutdown.

#include "linetransport.h"
#include "protocol.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

class QTimer;

namespace dfm {

class FdSocket;
class TaskRun;
class TcpConnect;

namespace cli {

class TaskDispatcher;

/// Everything `dfm worker` is told on its command line and environment.
struct WorkerOptions {
    QString host;
    quint16 port = 0;
    QString workerId;
    QString resourceClass;
    QString token;                  /* contents of the token file, trimmed */
    int connectTimeoutMs = 300000;  /* give up connecting after this */
    int heartbeatMs = 10000;
    int cancelGraceMs = 5000;       /* SIGTERM -> SIGKILL delay for a task */
    int registerTimeoutMs = 60000;  /* wait this long for "registered" */
    QString python = QStringLiteral("python3"); /* runner.python: the Python task host's */
    bool benchEcho = false;         /* benchmarks only: answer task.execute with status 0, run nothing */
};

class WorkerClient : public QObject {
    Q_OBJECT
public:
    explicit WorkerClient(const WorkerOptions &opts, QObject *parent = nullptr);
    ~WorkerClient() override;

    /// Starts connecting; everything after happens in the event loop and ends
    /// with done().
    void start();

    /// Stops (cancelling a running task: TERM, then KILL after the grace) and
    /// then emits done(code). A second call while stopping kills the task at
    /// once.
    void stop(int code, const QString &why);

signals:
    /// The worker is finished; `exitCode` is the process exit code.
    void done(int exitCode);

private:
    void log(const QString &msg) const;
    void tryConnect();
    void onConnected(int fd);
    void onConnectFailed(const QString &reason);
    void onDisconnected();
    void handleMessage(const proto::Message &msg);
    void handleExecute(const QJsonObject &params);
    void handleCancel(const QJsonObject &params);
    void onTaskFinished(const proto::TaskResult &result);
    void sendResult(const QString &requestId, const proto::TaskResult &result);
    void send(const QJsonObject &obj);
    void finishStop();
    void emitDone();

    WorkerOptions m_opts;
    QString m_hostname;
    TcpConnect *m_connector = nullptr; /* the connection attempt in progress */
    FdSocket *m_socket = nullptr;      /* the connection, once made */
    QTimer *m_retryTimer = nullptr;    /* next connection attempt */
    QTimer *m_registerTimer = nullptr;
    QTimer *m_heartbeat = nullptr;
    QTimer *m_stopWatchdog = nullptr;  /* stop even if a task never ends */
    QElapsedTimer m_connectClock;
    LineTransport *m_transport = nullptr; /* framing and parsing on m_socket, once made */
    TaskDispatcher *m_dispatcher = nullptr; /* makes the runner of each task */
    TaskRun *m_task = nullptr;         /* the one running task, or null */
    TaskRun *m_finished = nullptr;     /* the last task that ended, deleted with the next */
    QTimer *m_taskTimeout = nullptr;   /* the running task's `timeout` */
    QString m_lastConnectError;
    int m_backoffMs = 100;
    int m_attempts = 0;
    bool m_connected = false;
    bool m_registered = false;
    bool m_stopping = false;
    bool m_finishing = false;          /* finishStop() ran */
    bool m_doneEmitted = false;
    int m_exitCode = 0;
};

} // namespace cli
} // namespace dfm
