#pragma once
// `dfm run` without a daemon: the daemon's own Engine, in this process, with
// private paths (token, worker logs, worker ids) so it cannot collide with a
// daemon or another run in the same project. Every worker stops in finish().

#include "engine.h"
#include "taskbackend.h"

namespace dfm::cli {

class EphemeralBackend : public TaskBackend {
    Q_OBJECT
public:
    /// `options` as loadPoolSetup() made them; the paths and worker id
    /// prefix are made private to this process here, and max_workers capped
    /// at `maxWorkers` when it is > 0. Takes ownership of `launcher`.
    EphemeralBackend(EngineOptions options, WorkerLauncher *launcher, int maxWorkers,
                     QObject *parent = nullptr);

    /// Creates the private directories and starts the engine. False with *err.
    bool start(QString *err) override;
    void submit(const proto::TaskSpec &spec) override;
    void cancel(const QString &requestId) override;
    /// Shuts the engine down; finished() follows once every worker is gone.
    void finish() override;
    QString describe() const override;
    QString mode() const override { return QStringLiteral("ephemeral"); }
    int workersLaunched() const override;

    /// The directory holding this run's worker logs.
    QString workerLogDir() const { return m_engine->options().paths.workersDir; }

private:
    static constexpr quint64 kOwner = 1;
    Engine *m_engine;
    bool m_finishing = false;
};

} // namespace dfm::cli
