#pragma once
// The local runner: workers are child processes of the daemon (QProcess),
// running this same `dfm` binary as `dfm worker`, output in .dfm/workers/.

#include "launcher.h"

#include <QHash>
#include <QProcess>

namespace dfm {

class LocalLauncher : public WorkerLauncher {
    Q_OBJECT
public:
    /// `dfmBinary` is the executable to run as the worker (normally this one).
    explicit LocalLauncher(const QString &dfmBinary, QObject *parent = nullptr);
    ~LocalLauncher() override;

    QString name() const override { return QStringLiteral("local"); }
    bool launch(const LaunchRequest &req, QString *jobId, QString *err) override;
    void stop(const QString &workerId) override;
    ProbeResult probe(const QString &workerId, QString *detail) override;
    void stopAll(int graceMs) override;

    /// The interpreter of the workers' Python task host (runner.python),
    /// passed as `dfm worker --python`; "" leaves the worker's default.
    void setPython(const QString &python) { m_python = python; }

    /// Number of worker processes still running (tests, status).
    int running() const;

private:
    QString m_binary;
    QString m_python;
    QHash<QString, QProcess *> m_procs; /* worker id -> its process (owned) */
};

} // namespace dfm
