#include "shelltask.h"

#include "execenv.h"
#include "expand.h"
#include "format.h"
#include "taskenv.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

namespace dfm {

namespace {

constexpr int kReapPollMs = 20;
constexpr int kExitPollMaxMs = 100; /* without a pidfd: waitpid() at most this far apart */
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
/// parent exists (*fresh is then true), QDir::mkpath() (which checks an
/// existing one) otherwise.
bool makeRundir(const QString &dir, bool *fresh)
{
    *fresh = ::mkdir(QFile::encodeName(dir).constData(), 0777) == 0;
    return *fresh || QDir().mkpath(dir);
}

/// /dev/null, opened once (close-on-exec); -1 if it cannot be opened.
int devNullFd()
{
    static int fd = -1;
    if (fd < 0)
        fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd;
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
    if (m_child.pid > 0) {
        int status = 0;
        reapChildWithin(&m_child, 2000, &status); // SIGKILLed above: it ends at once
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
    bool fresh = false;
    if (!makeRundir(m_rundir, &fresh)) {
        failLater(QStringLiteral("task '%1': cannot create rundir '%2'").arg(name, m_rundir), 1);
        return;
    }
    QString err;
    if (!taskenv::stageTaskFiles(m_spec, m_rundir, &err, fresh)) {
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
    // stderr (no second open, no pipes); /dev/null is its stdin.
    const int devNull = devNullFd();
    const int logFd = ::open(QFile::encodeName(m_logPath).constData(),
                             O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (logFd < 0 || devNull < 0) {
        const QString why = fmt::errnoText(errno);
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

    // Everything the child needs, made here: it only makes system calls.
    const QByteArray program = QFile::encodeName(shell);
    QList<QByteArray> argBytes;
    for (const QString &a : args)
        argBytes.append(a.toLocal8Bit());
    std::vector<char *> argv{const_cast<char *>(program.constData())};
    for (QByteArray &a : argBytes)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const TaskEnvironment env(BaseEnvironment::ofThisProcess(), m_spec, m_rundir);
    const QByteArray dir = QFile::encodeName(m_rundir);

    // Its own process group, so a stop reaches everything the task spawned,
    // and guarded, so the group dies with this worker even if it is
    // SIGKILLed; /dev/null in, output merged into the log.
    ChildSetup setup;
    setup.dir = dir.constData();
    setup.stdinFd = devNull;
    setup.stdoutFd = logFd;
    setup.stderrFd = logFd;
    setup.newProcessGroup = true;
    setup.dieWithParent = pid_t(m_guard.parentPid());
    m_spawned = true;
    const bool started = spawnChild(program.constData(), argv.data(), env.envp(), setup, &m_child, &err);
    ::close(logFd); // the child has its copies
    if (!started) {
        m_guard.forget();
        failLater(QStringLiteral("task '%1': %2").arg(name, err), 127);
        return;
    }
    // The child is past execve(): its group exists.
    m_pgid = m_child.pid;
    m_lastPgid = m_child.pid;
    m_guard.arm(m_child.pid);
    watchChild();
}

void ShellTask::watchChild()
{
    if (m_child.pidfd >= 0) {
        m_exitNotifier = new QSocketNotifier(m_child.pidfd, QSocketNotifier::Read, this);
        connect(m_exitNotifier, &QSocketNotifier::activated, this, &ShellTask::checkChild);
        return;
    }
    // No pidfd (Linux before 5.2): ask waitpid() at growing intervals.
    m_exitPoll = new QTimer(this);
    m_exitPoll->setInterval(1);
    connect(m_exitPoll, &QTimer::timeout, this, &ShellTask::checkChild);
    m_exitPoll->start();
}

void ShellTask::checkChild()
{
    int status = 0;
    if (!reapChild(&m_child, &status)) {
        if (m_exitPoll)
            m_exitPoll->setInterval(qMin(m_exitPoll->interval() * 2, kExitPollMaxMs));
        return;
    }
    // The pidfd was closed with the reaping: no more notifications from it.
    if (m_exitNotifier)
        m_exitNotifier->setEnabled(false);
    if (m_exitPoll)
        m_exitPoll->stop();
    onProcessFinished(status);
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

void ShellTask::onProcessFinished(int waitStatus)
{
    if (m_done)
        return;
    const bool stopped = m_stop != Stop::None;
    if (stopped && m_pgid > 0)
        signalGroup(m_pgid, SIGKILL); // stragglers that ignored SIGTERM
    m_pgid = 0;
    if (m_killTimer)
        m_killTimer->stop();
    const bool exited = WIFEXITED(waitStatus);
    const int exitCode = exited ? WEXITSTATUS(waitStatus) : WTERMSIG(waitStatus);
    proto::TaskResult r;
    r.changed = true;
    if (exited) {
        r.status = exitCode;
        r.extra.insert(QStringLiteral("exit_code"), exitCode);
        r.extra.insert(QStringLiteral("signal"), QJsonValue::Null);
        if (exitCode != 0 && !stopped)
            r.markers.append(proto::marker(QStringLiteral("task '%1' failed with exit code %2 "
                                                          "(log: %3)")
                                               .arg(m_spec.name).arg(exitCode).arg(m_logPath)));
    } else {
        // Killed: exitCode is the terminating signal.
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
        m_guard.forget(); // empty: nothing to signal
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
    result.extra.insert(QStringLiteral("log"), m_spawned ? QJsonValue(m_logPath)
                                                         : QJsonValue(QJsonValue::Null));
    emit finished(result);
}

} // namespace dfm
