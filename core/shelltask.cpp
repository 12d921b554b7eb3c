#include "shelltask.h"

#include "expand.h"
#include "taskenv.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace dfm {

namespace {

constexpr int kReapPollMs = 20;
constexpr int kReapAfterKillMs = 2000; /* wait this long for SIGKILLed stragglers */

QString safeFileName(const QString &name)
{
    QString s = name;
    s.replace(QLatin1Char('/'), QLatin1Char('_'));
    return s.isEmpty() ? QStringLiteral("task") : s;
}

// The worker runs thousands of tasks with the same shell and environment:
// what does not change between tasks is found out once.

/// True when `path` is an executable file; a positive answer is remembered.
bool shellUsable(const QString &path)
{
    static QSet<QString> usable; // the worker's tasks run on its one thread
    if (usable.contains(path))
        return true;
    const QFileInfo info(path);
    if (!info.isFile() || !info.isExecutable())
        return false;
    usable.insert(path);
    return true;
}

/// Creates `dir`: one mkdir() in the usual case of a fresh rundir whose
/// parent exists, QDir::mkpath() (which checks an existing one) otherwise.
bool makeRundir(const QString &dir)
{
    if (::mkdir(QFile::encodeName(dir).constData(), 0777) == 0)
        return true;
    return QDir().mkpath(dir);
}

/// /dev/null, opened once (close-on-exec); -1 if it cannot be opened.
int devNullFd()
{
    static int fd = -1;
    if (fd < 0)
        fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd;
}

/// The worker's own environment, read once.
const QProcessEnvironment &systemEnvironment()
{
    static const QProcessEnvironment sys = QProcessEnvironment::systemEnvironment();
    return sys;
}

/// True when some item of `inputs` is a std.Env (which changes the environment).
bool hasEnvInput(const QJsonArray &inputs)
{
    for (const QJsonValue &v : inputs)
        if (v.toObject().value(QLatin1String("type")).toString() == QLatin1String("std.Env"))
            return true;
    return false;
}

/// The worker's environment, then std.Env inputs, then `env`, then the task
/// environment (as the original: env merged over inputs' std.Env).
QProcessEnvironment taskEnvironment(const proto::TaskSpec &spec, const QString &rundir)
{
    QProcessEnvironment env = systemEnvironment();
    if (hasEnvInput(spec.inputs)) {
        QHash<QString, QString> merged;
        for (const QString &k : env.keys())
            merged.insert(k, env.value(k));
        taskenv::mergeInputEnv(spec.inputs, &merged);
        env.clear();
        for (auto it = merged.cbegin(); it != merged.cend(); ++it)
            env.insert(it.key(), it.value());
    }
    for (auto it = spec.env.begin(); it != spec.env.end(); ++it)
        env.insert(it.key(), it.value().toString());
    const QHash<QString, QString> vars = taskenv::taskVariables(spec, rundir);
    for (auto it = vars.cbegin(); it != vars.cend(); ++it)
        env.insert(it.key(), it.value());
    return env;
}

} // namespace

ShellTask::ShellTask(const proto::TaskSpec &spec, QObject *parent)
    : TaskRun(parent), m_spec(spec)
{
    m_rundir = spec.rundir.isEmpty() ? QDir::currentPath() : QDir(spec.rundir).absolutePath();
    const QString base = safeFileName(spec.name);
    m_logPath = m_rundir + QLatin1Char('/') + base + QStringLiteral(".log");
    m_scriptPath = m_rundir + QLatin1Char('/') + base + QStringLiteral("_cmd.sh");
}

ShellTask::~ShellTask()
{
    const qint64 group = m_pgid > 0 ? m_pgid : m_lastPgid;
    m_done = true; // nothing is emitted from here on
    if (group > 0)
        signalGroup(group, SIGKILL);
    m_guard.release();
    if (m_proc && m_proc->state() != QProcess::NotRunning) {
        m_proc->disconnect(this);
        m_proc->waitForFinished(2000);
    }
}

void ShellTask::failLater(const QString &why, int status)
{
    proto::TaskResult r = proto::failedResult(why, status);
    QTimer::singleShot(0, this, [this, r] { finish(r); });
}

void ShellTask::start()
{
    if (m_started)
        return;
    m_started = true;
    m_clock.start();
    const QString &name = m_spec.name;

    if (m_spec.shell == QLatin1String("pytask")) {
        failLater(QStringLiteral("task '%1' is a Python task (shell 'pytask'); it cannot run "
                                 "as a shell task").arg(name), 1);
        return;
    }
    const QString shell = QStringLiteral("/bin/") + m_spec.shell;
    if (m_spec.shell.contains(QLatin1Char('/')) || !shellUsable(shell)) {
        failLater(QStringLiteral("task '%1': shell '%2' not found or not executable "
                                 "(field 'shell' is '%3')").arg(name, shell, m_spec.shell), 127);
        return;
    }
    if (!makeRundir(m_rundir)) {
        failLater(QStringLiteral("task '%1': cannot create rundir '%2'").arg(name, m_rundir), 1);
        return;
    }
    QString err;
    if (!taskenv::stageTaskFiles(m_spec, m_rundir, &err)) {
        failLater(QStringLiteral("task '%1': %2").arg(name, err), 1);
        return;
    }

    QHash<QString, QString> vars = taskVars(m_spec);
    vars.insert(QStringLiteral("rundir"), m_rundir);
    const QString body = expandRefs(m_spec.body, vars);
    QStringList args;
    if (body.trimmed().contains(QLatin1Char('\n'))) {
        QFile script(m_scriptPath);
        if (!script.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || script.write(body.toUtf8()) < 0 || !script.flush()) {
            failLater(QStringLiteral("task '%1': cannot write script '%2': %3")
                          .arg(name, m_scriptPath, script.errorString()), 1);
            return;
        }
        script.close();
        args << m_scriptPath;
    } else {
        args << QStringLiteral("-c") << body;
    }
    // The log is opened once, here, and becomes the child's stdout and
    // stderr in the child modifier (no second open by QProcess, no pipes).
    const int devNull = devNullFd();
    const int logFd = ::open(QFile::encodeName(m_logPath).constData(),
                             O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (logFd < 0 || devNull < 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        if (logFd >= 0)
            ::close(logFd);
        failLater(QStringLiteral("task '%1': cannot open %2: %3")
                      .arg(name, logFd < 0 ? QStringLiteral("log file '%1'").arg(m_logPath)
                                           : QStringLiteral("/dev/null"),
                           why), 1);
        return;
    }
    if (!m_guard.prepare(&err)) {
        ::close(logFd);
        failLater(QStringLiteral("task '%1': %2").arg(name, err), 1);
        return;
    }

    m_proc = new QProcess(this);
    m_proc->setProgram(shell);
    m_proc->setArguments(args);
    m_proc->setWorkingDirectory(m_rundir);
    m_proc->setProcessEnvironment(taskEnvironment(m_spec, m_rundir));
    m_proc->setInputChannelMode(QProcess::ForwardedInputChannel);
    m_proc->setProcessChannelMode(QProcess::ForwardedChannels);
    // In the child, after QProcess has set up its channels: /dev/null in,
    // output merged into the log; its own process group, so a stop reaches
    // everything the task spawned, and guarded, so the group dies with this
    // worker even if it is SIGKILLed. Only async-signal-safe calls.
    m_proc->setChildProcessModifier([this, logFd, devNull] {
        ::dup2(devNull, STDIN_FILENO);
        ::dup2(logFd, STDOUT_FILENO);
        ::dup2(logFd, STDERR_FILENO);
        m_guard.childSetup();
    });
    connect(m_proc, &QProcess::finished, this, &ShellTask::onProcessFinished);
    connect(m_proc, &QProcess::errorOccurred, this, &ShellTask::onProcessError);
    m_proc->start();
    ::close(logFd); // the child has its copies
    const qint64 pid = m_proc->processId();
    if (pid > 0) {
        m_pgid = pid;
        m_lastPgid = pid;
        // Also from the parent, so the group exists before we might signal it;
        // fails harmlessly (EACCES) once the child has already exec'd.
        ::setpgid(static_cast<pid_t>(pid), static_cast<pid_t>(pid));
        m_guard.arm(pid);
    }
}

void ShellTask::cancel(int graceMs)
{
    stop(Stop::Cancelled, graceMs);
}

void ShellTask::timeOut(int graceMs)
{
    stop(Stop::TimedOut, graceMs);
}

void ShellTask::killNow()
{
    const qint64 group = m_pgid > 0 ? m_pgid : m_lastPgid;
    if (group > 0)
        signalGroup(group, SIGKILL);
}

void ShellTask::stop(Stop how, int graceMs)
{
    if (!isRunning() || m_stop != Stop::None)
        return;
    m_stop = how;
    if (m_pgid <= 0)
        return; // not started (the pending failure stands) or already reaping
    signalGroup(m_pgid, SIGTERM);
    m_killTimer = new QTimer(this);
    m_killTimer->setSingleShot(true);
    connect(m_killTimer, &QTimer::timeout, this, [this] {
        if (m_pgid > 0)
            signalGroup(m_pgid, SIGKILL);
    });
    m_killTimer->start(qMax(0, graceMs));
}

void ShellTask::onProcessError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || m_done)
        return;
    m_pgid = 0;
    finish(proto::failedResult(QStringLiteral("task '%1': cannot start '%2': %3")
                                   .arg(m_spec.name, m_proc->program(), m_proc->errorString()),
                               127));
}

void ShellTask::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_done)
        return;
    const bool stopped = m_stop != Stop::None;
    if (stopped && m_pgid > 0)
        signalGroup(m_pgid, SIGKILL); // stragglers that ignored SIGTERM
    m_pgid = 0;
    if (m_killTimer)
        m_killTimer->stop();
    proto::TaskResult r;
    r.changed = true;
    if (status == QProcess::NormalExit) {
        r.status = exitCode;
        r.extra.insert(QStringLiteral("exit_code"), exitCode);
        r.extra.insert(QStringLiteral("signal"), QJsonValue::Null);
        if (exitCode != 0 && !stopped)
            r.markers.append(proto::marker(QStringLiteral("task '%1' failed with exit code %2 "
                                                          "(log: %3)")
                                               .arg(m_spec.name).arg(exitCode).arg(m_logPath)));
    } else {
        // For a crash QProcess reports the terminating signal as the exit code.
        r.status = 128 + exitCode;
        r.extra.insert(QStringLiteral("exit_code"), QJsonValue::Null);
        r.extra.insert(QStringLiteral("signal"), exitCode);
        if (!stopped)
            r.markers.append(proto::marker(QStringLiteral("task '%1' killed by signal %2 "
                                                          "(log: %3)")
                                               .arg(m_spec.name).arg(exitCode).arg(m_logPath)));
    }
    const taskenv::Harvest h = taskenv::harvestTaskFiles(m_rundir, m_spec.name);
    r.output = h.output;
    for (const QJsonValue &m : h.markers)
        r.markers.append(m);
    r.memento = h.memento;
    taskenv::failOnErrorMarkers(&r);
    reapGroup(r);
}

void ShellTask::reapGroup(proto::TaskResult result)
{
    const qint64 group = m_lastPgid;
    if (group <= 0 || !GroupGuard::groupAlive(group)) {
        m_guard.release();
        finish(result);
        return;
    }
    signalGroup(group, SIGTERM);
    auto *poll = new QTimer(this);
    auto *clock = new QElapsedTimer;
    clock->start();
    poll->setInterval(kReapPollMs);
    connect(poll, &QTimer::timeout, this, [this, poll, clock, group, result] {
        const bool left = GroupGuard::groupAlive(group);
        const qint64 ms = clock->elapsed();
        if (left && ms < m_graceMs)
            return;
        m_guard.release(); // the reaper SIGKILLs whatever is left
        if (left && ms < m_graceMs + kReapAfterKillMs)
            return;
        poll->stop();
        poll->deleteLater();
        delete clock;
        finish(result);
    });
    poll->start();
}

void ShellTask::finish(proto::TaskResult result)
{
    if (m_done)
        return;
    m_done = true;
    m_pgid = 0;
    m_lastPgid = 0;
    if (m_killTimer)
        m_killTimer->stop();
    m_guard.release();
    markStopped(&result, m_stop, m_spec.timeoutSec);
    result.extra.insert(QStringLiteral("duration_ms"), m_clock.isValid() ? m_clock.elapsed() : 0);
    for (const char *key : {"exit_code", "signal"}) {
        if (!result.extra.contains(QLatin1String(key)))
            result.extra.insert(QLatin1String(key), QJsonValue::Null);
    }
    result.extra.insert(QStringLiteral("log"), m_proc ? QJsonValue(m_logPath)
                                                      : QJsonValue(QJsonValue::Null));
    emit finished(result);
}

} // namespace dfm
