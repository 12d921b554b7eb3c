#pragma once
// The local runner: workers are child processes of the daemon (QProcess),
// running this same `dfm` binary as `dfm worker`, output in .dfm/workers/.
// Never waits on a process: starts, exits and kills are answered by signals.

#include "launcher.h"

#include <QHash>
#include <QProcess>

namespace dfm {

class LocalLauncher : public WorkerLauncher {
    Q_OBJECT
public:
    /// `dfmBinary` is the executable to run as the worker (normally this one).
    explicit LocalLauncher(const QString &dfmBinary, QObject *parent = nullptr);
    /// Kills every worker process still running (without waiting for it).
    ~LocalLauncher() override;

    QString name() const override { return QStringLiteral("local"); }
    void launch(const LaunchRequest &req) override;
    void stop(const QString &workerId) override;
    void probe(const QStringList &workerIds) override;
    void stopAll(int graceMs) override;


    /// Number of worker processes still running (tests, status).
    int running() const;

private:
    void checkAllStopped();

    QString m_binary;
    QHash<QString, QProcess *> m_procs; /* worker id -> its process (owned) */
    bool m_stoppingAll = false;
    bool m_allStoppedSent = false;
};

} // namespace dfm
