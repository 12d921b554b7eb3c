#pragma once
// A read-only monitor's connection to a project's daemon, shared by the
// terminal and the desktop monitor: connects to <project>/.dfm/daemon.sock,
// subscribes, feeds the snapshot and every event into a MonitorModel and
// says what changed. When the daemon goes away (or is not there yet) it
// keeps trying to connect, so a monitor attaches by itself once a daemon
// starts. It only ever sends monitor.subscribe: nothing can change the
// daemon through it.

#include "monitormodel.h"
#include "projectpaths.h"

#include <QObject>
#include <QTimer>

namespace dfm {

class DaemonClient;

class MonitorSession : public QObject {
    Q_OBJECT
public:
    enum class State {
        Connecting, /* trying to connect, or subscribed and waiting for the snapshot */
        Connected,  /* the snapshot arrived: the model is live */
        Gone,       /* no daemon answers; retrying every retryInterval() */
    };

    explicit MonitorSession(const ProjectPaths &paths, QObject *parent = nullptr);
    ~MonitorSession() override;

    /// Starts connecting (and retrying). Returns at once.
    void start();

    State state() const { return m_state; }
    /// Why the last attempt failed or the connection ended ("" when fine).
    QString lastError() const { return m_lastError; }
    const MonitorModel &model() const { return m_model; }
    const ProjectPaths &paths() const { return m_paths; }

    void setRetryInterval(int ms) { m_retry.setInterval(ms); }
    int retryInterval() const { return m_retry.interval(); }

Q_SIGNALS:
    /// The model changed; `flags` are MonitorModel::Change bits.
    void changed(unsigned flags);
    void stateChanged(dfm::MonitorSession::State state);

private:
    void tryConnect();
    void onMessage(const proto::Message &msg);
    void lose(const QString &why);
    void setState(State s);

    ProjectPaths m_paths;
    MonitorModel m_model;
    DaemonClient *m_client = nullptr;
    QTimer m_retry;
    State m_state = State::Connecting;
    QString m_lastError;
};

} // namespace dfm
