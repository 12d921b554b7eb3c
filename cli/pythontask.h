#pragma once
// A `pytask` run through the worker's Python task host. Stopping it
// (cancel, timeout) kills the host, which the next Python task restarts.

#include "taskrun.h"

#include <QElapsedTimer>
#include <QPointer>

namespace dfm::cli {

class PythonHost;

class PythonTask : public TaskRun {
    Q_OBJECT
public:
    /// `host` is shared by every Python task of the worker and outlives this
    /// task; null when no host could be set up, with `whyNoHost` saying why.
    PythonTask(const proto::TaskSpec &spec, PythonHost *host, const QString &whyNoHost,
               QObject *parent = nullptr);

    void start() override;
    void cancel(int graceMs) override;
    void timeOut(int graceMs) override;
    void killNow() override;
    const proto::TaskSpec &spec() const override { return m_spec; }
    /// `<rundir>/<name>.log`, where the task's output goes.
    QString logPath() const { return m_logPath; }

private:
    void stop(Stop how, int graceMs);
    void onHostDone(proto::TaskResult result);

    proto::TaskSpec m_spec;
    QPointer<PythonHost> m_host;
    QString m_whyNoHost;
    QString m_logPath;
    QElapsedTimer m_clock;
    Stop m_stop = Stop::None;
    bool m_started = false;
    bool m_done = false;
};

} // namespace dfm::cli
