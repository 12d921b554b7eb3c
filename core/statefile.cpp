#include "statefile.h"

#include "daemonclient.h"
#include "daemonlock.h"
#include "protocol.h"
#include "safefile.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dfm {

bool writeState(const QString &path, const DaemonState &s, QString *err)
{
    QJsonObject o{{QStringLiteral("pid"), s.pid},
                  {QStringLiteral("socket"), s.socket},
                  {QStringLiteral("worker_port"), s.workerPort},
                  {QStringLiteral("started"), s.started},
                  {QStringLiteral("runner"), s.runner},
                  {QStringLiteral("version"), kStateVersion},
                  {QStringLiteral("host"), s.host},
                  {QStringLiteral("token_file"), s.tokenFile}};
    return writeFileAtomic(path, QJsonDocument(o).toJson(QJsonDocument::Indented), 0600, err);
}

StateRead readState(const QString &path, DaemonState *s, QString *err)
{
    QFile f(path);
    if (!f.exists())
        return StateRead::Missing;
    if (!f.open(QIODevice::ReadOnly)) {
        *err = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return StateRead::Corrupt;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *err = QStringLiteral("%1 is not a JSON object (%2)").arg(path, pe.errorString());
        return StateRead::Corrupt;
    }
    const QJsonObject o = doc.object();
    if (!o.value(QLatin1String("pid")).isDouble() || o.value(QLatin1String("pid")).toInteger() <= 0) {
        *err = QStringLiteral("%1 has no valid 'pid'").arg(path);
        return StateRead::Corrupt;
    }
    if (!o.value(QLatin1String("socket")).isString()) {
        *err = QStringLiteral("%1 has no 'socket'").arg(path);
        return StateRead::Corrupt;
    }
    DaemonState st;
    st.pid = o.value(QLatin1String("pid")).toInteger();
    st.socket = o.value(QLatin1String("socket")).toString();
    st.workerPort = o.value(QLatin1String("worker_port")).toInt();
    st.started = o.value(QLatin1String("started")).toString();
    st.runner = o.value(QLatin1String("runner")).toString();
    st.version = o.value(QLatin1String("version")).toInt(0);
    st.host = o.value(QLatin1String("host")).toString();
    st.tokenFile = o.value(QLatin1String("token_file")).toString();
    *s = st;
    return StateRead::Ok;
}

namespace {

// The state letter of /proc/<pid>/stat ('R', 'S', 'T', 'Z', ...), or 0.
char procState(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray s = stat.readAll();
    const qsizetype paren = s.lastIndexOf(')');
    return paren > 0 && paren + 2 < s.size() ? s.at(paren + 2) : 0;
}

} // namespace

bool pidAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    if (::kill(pid_t(pid), 0) != 0 && errno != EPERM)
        return false;
    // A zombie answers signal 0 until it is reaped, which an init in a
    // container may do late; it runs nothing, so it is not alive. Without
    // /proc, trust the signal.
    return procState(pid) != 'Z';
}

bool waitForPidExit(qint64 pid, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    // A pidfd is readable once the process has exited, child of ours or not.
    const int fd = pid > 0 ? int(::syscall(SYS_pidfd_open, pid_t(pid), 0)) : -1;
    while (pidAlive(pid)) {
        const qint64 left = deadline.remainingTime();
        if (left == 0)
            break;
        if (fd >= 0) {
            pollfd p{fd, POLLIN, 0};
            ::poll(&p, 1, left < 0 ? 1000 : int(qMin<qint64>(left, 1000)));
        } else {
            QThread::msleep(quint64(left < 0 ? 20 : qMin<qint64>(left, 20)));
        }
    }
    if (fd >= 0)
        ::close(fd);
    return !pidAlive(pid);
}

Liveness probeDaemon(const ProjectPaths &paths, DaemonState *state, QString *why, int pingTimeoutMs)
{
    // Whatever looks wrong, a held lock means a daemon lives: never Stale.
    auto notAnswering = [&](const QString &what) {
        *why = QStringLiteral("%1, but a daemon holds %2").arg(what, paths.lockFile);
        return Liveness::NotAnswering;
    };
    QString err;
    DaemonState st;
    switch (readState(paths.stateFile, &st, &err)) {
    case StateRead::Missing:
        if (daemonLockHeld(paths))
            return notAnswering(QStringLiteral("there is no %1 yet (starting, or stalled before it "
                                               "was ready)").arg(paths.stateFile));
        return Liveness::NotRunning;
    case StateRead::Corrupt:
        if (daemonLockHeld(paths))
            return notAnswering(err);
        *why = err;
        return Liveness::Stale;
    case StateRead::Ok:
        break;
    }
    *state = st;
    // Only a daemon of ours may be sent tasks: another user who could write
    // here could name their own socket and receive every task and secret.
    if (!checkPrivateDir(paths.dfmDir, &err) || !checkOwnedFile(paths.stateFile, false, &err)
        || (QFileInfo::exists(st.socket) && !checkOwnedFile(st.socket, true, &err))) {
        *why = err;
        return Liveness::Unsafe;
    }
    if (!pidAlive(st.pid)) {
        if (daemonLockHeld(paths))
            return notAnswering(QStringLiteral("pid %1 of %2 is not running").arg(st.pid).arg(paths.stateFile));
        *why = QStringLiteral("pid %1 is not running").arg(st.pid);
        return Liveness::Stale;
    }
    DaemonClient client;
    QJsonValue result;
    if (!client.connectTo(st.socket, pingTimeoutMs, &err)
        || !client.call(proto::kPing, {}, &result, &err, pingTimeoutMs)
        || result.toString() != QLatin1String("pong")) {
        if (err.isEmpty())
            err = QStringLiteral("unexpected reply");
        if (daemonLockHeld(paths)) {
            *why = QStringLiteral("pid %1 holds %2 but %3 does not answer ping (%4); ")
                       .arg(st.pid)
                       .arg(paths.lockFile, st.socket, err);
            if (procState(st.pid) == 'T')
                *why += QStringLiteral("it is stopped: `kill -CONT %1` resumes it").arg(st.pid);
            else
                *why += QStringLiteral("it may be overloaded; try again, or end it with `kill %1`").arg(st.pid);
            return Liveness::NotAnswering;
        }
        *why = QStringLiteral("pid %1 is alive but %2 does not answer ping (%3); the PID was "
                              "probably reused after a crash")
                   .arg(st.pid)
                   .arg(st.socket, err);
        return Liveness::Stale;
    }
    return Liveness::Alive;
}

Liveness probeDaemonWaitingForStart(const ProjectPaths &paths, DaemonState *state, QString *why,
                                    int waitMs)
{
    QDeadlineTimer deadline(waitMs);
    while (true) {
        // Looked at before the probe: a file written during it (the daemon
        // just got ready) means probing again, not "not answering".
        const bool written = QFile::exists(paths.stateFile);
        const Liveness l = probeDaemon(paths, state, why);
        if (l != Liveness::NotAnswering || written || deadline.hasExpired())
            return l;
        QThread::msleep(50);
    }
}

bool removeStaleState(const ProjectPaths &paths, QString *err)
{
    if (daemonLockHeld(paths)) {
        *err = QStringLiteral("not removing %1: a daemon holds %2").arg(paths.stateFile, paths.lockFile);
        return false;
    }
    for (const QString &f : {paths.stateFile, paths.socket}) {
        if (QFile::exists(f) && !QFile::remove(f)) {
            *err = QStringLiteral("cannot remove stale %1").arg(f);
            return false;
        }
    }
    return true;
}

} // namespace dfm
