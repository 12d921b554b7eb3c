#pragma once
// Scheduler commands (bsub, bjobs, sbatch, squeue, ...) behind a small
// asynchronous interface, so the cluster launchers never block and tests can
// answer for the scheduler (tests/tst_launchers.cpp).

#include <QHash>
#include <QObject>
#include <QStringList>

#include <functional>

class QProcess;

namespace dfm {

/// How one command ended.
struct CommandResult {
    bool started = false; /* false: could not run it (missing, not executable) or it timed out */
    int exitCode = -1;
    QString out;          /* its standard output */
    QString err;          /* its standard error, or why it did not start / was killed */

    /// `argv0`'s words for a message: "exit code 1: <stderr/stdout trimmed>".
    QString describe() const;
};

class CommandRunner : public QObject {
    Q_OBJECT
public:
    using Done = std::function<void(const CommandResult &)>;
    using QObject::QObject;
    ~CommandRunner() override = default;

    /// Runs argv (no shell) and calls `done` later from the event loop,
    /// never from inside run(). A command still running after timeoutMs is
    /// killed and reported as not started. Pending callbacks are dropped when
    /// the runner is destroyed.
    virtual void run(const QStringList &argv, int timeoutMs, Done done) = 0;

    /// Starts argv and forgets it: for a last cancel when the launcher is
    /// destroyed without stopAll() (nothing is left to hear the answer).
    virtual void runDetached(const QStringList &argv) = 0;
};

/// The production runner: one QProcess per command.
class ProcessCommandRunner : public CommandRunner {
    Q_OBJECT
public:
    using CommandRunner::CommandRunner;
    ~ProcessCommandRunner() override;
    void run(const QStringList &argv, int timeoutMs, Done done) override;
    void runDetached(const QStringList &argv) override;

private:
    QHash<QProcess *, Done> m_running;
};

} // namespace dfm
