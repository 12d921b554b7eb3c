#include "statefile.h"

#include "daemonclient.h"
#include "protocol.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
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
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        *err = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    f.write(QJsonDocument(o).toJson(QJsonDocument::Indented));
    if (!f.commit()) {
        *err = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
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

bool pidAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    if (::kill(pid_t(pid), 0) != 0 && errno != EPERM)
        return false;
    // A zombie answers signal 0 until it is reaped, which an init in a
    // container may do late; it runs nothing, so it is not alive.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true; // no /proc: trust the signal
    const QByteArray s = stat.readAll();
    const qsizetype paren = s.lastIndexOf(')');
    return !(paren > 0 && paren + 2 < s.size() && s.at(paren + 2) == 'Z');
}

Liveness probeDaemon(const ProjectPaths &paths, DaemonState *state, QString *why, int pingTimeoutMs)
{
    QString err;
    DaemonState st;
    switch (readState(paths.stateFile, &st, &err)) {
    case StateRead::Missing:
        return Liveness::NotRunning;
    case StateRead::Corrupt:
        *why = err;
        return Liveness::Stale;
    case StateRead::Ok:
        break;
    }
    *state = st;
    if (!pidAlive(st.pid)) {
        *why = QStringLiteral("pid %1 is not running").arg(st.pid);
        return Liveness::Stale;
    }
    DaemonClient client;
    QJsonValue result;
    if (!client.connectTo(st.socket, pingTimeoutMs, &err)
        || !client.call(proto::kPing, {}, &result, &err, pingTimeoutMs)
        || result.toString() != QLatin1String("pong")) {
        *why = QStringLiteral("pid %1 is alive but %2 does not answer ping (%3); the PID was "
                              "probably reused after a crash")
                   .arg(st.pid)
                   .arg(st.socket, err.isEmpty() ? QStringLiteral("unexpected reply") : err);
        return Liveness::Stale;
    }
    return Liveness::Alive;
}

bool daemonLockHeld(const ProjectPaths &paths)
{
    const int fd = ::open(QFile::encodeName(paths.lockFile).constData(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
    ::close(fd); // also releases the lock if we took it
    return held;
}

bool removeStaleState(const ProjectPaths &paths, QString *err)
{
    for (const QString &f : {paths.stateFile, paths.socket}) {
        if (QFile::exists(f) && !QFile::remove(f)) {
            *err = QStringLiteral("cannot remove stale %1").arg(f);
            return false;
        }
    }
    return true;
}

} // namespace dfm
