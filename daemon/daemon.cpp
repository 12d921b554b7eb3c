#include "daemon.h"

#include "daemonlock.h"
#include "fdsocket.h"
#include "format.h"
#include "lineconnection.h"
#include "statefile.h"
#include "unixlistener.h"
#include "wirelines.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QTimer>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <algorithm>
#include <sys/resource.h>
#include <unistd.h>

namespace dfm {

namespace {
constexpr int kCommandShown = 120; /* characters of a client's command line kept */

// Who is on the other end of a client socket: its PID (SO_PEERCRED) and
// command line, so monitors can tell runs apart. Best effort: unknown is 0/"".
proto::ClientInfo peerInfo(quint64 id, int fd)
{
    proto::ClientInfo info;
    info.client = qint64(id);
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.pid <= 0)
        return info;
    info.pid = cred.pid;
    QFile f(QStringLiteral("/proc/%1/cmdline").arg(cred.pid));
    if (f.open(QIODevice::ReadOnly)) {
        QByteArray cmd = f.read(4 * kCommandShown).replace('\0', ' ').trimmed();
        info.command = QString::fromLocal8Bit(cmd).left(kCommandShown);
    }
    return info;
}

// Raises the soft descriptor limit to the hard one: every client, worker and
// task log costs descriptors, and the default soft 1024 is easily reached.
QString raiseDescriptorLimit()
{
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return QStringLiteral("cannot read the descriptor limit: %1").arg(fmt::errnoText(errno));
    if (rl.rlim_cur >= rl.rlim_max)
        return QStringLiteral("descriptor limit %1").arg(qulonglong(rl.rlim_cur));
    const rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return QStringLiteral("descriptor limit %1 (cannot raise it to %2: %3)")
            .arg(qulonglong(old))
            .arg(qulonglong(rl.rlim_max))
            .arg(fmt::errnoText(errno));
    return QStringLiteral("descriptor limit raised from %1 to %2").arg(qulonglong(old)).arg(qulonglong(rl.rlim_max));
}

} // namespace

Daemon::Daemon(const EngineOptions &options, WorkerLauncher *launcher, QObject *parent)
    : QObject(parent), m_opt(options), m_engine(new Engine(options, launcher, this))
{
    connect(m_engine, &Engine::taskFinished, this,
            [this](quint64 owner, const QString &, const QJsonValue &tag, const proto::PassedResult &r) {
                onTaskFinished(owner, tag, r);
            });
    connect(m_engine, &Engine::monitorEvent, this, &Daemon::broadcast);
    connect(m_engine, &Engine::taskStarted, this, [this](quint64 owner, const proto::RunningTask &t) {
        const auto it = m_clients.constFind(owner);
        if (it != m_clients.cend())
            it->conn->sendLine(proto::encodeRunningEvent(proto::kEvTaskStarted, t));
    });
    connect(m_engine, &Engine::logMessage, this, &Daemon::log);
    connect(m_engine, &Engine::stopped, this, [this] {
        cleanUp();
        log(QStringLiteral("stopped"));
        Q_EMIT finished();
    });
}

Daemon::~Daemon()
{
    cleanUp();
}

void Daemon::log(const QString &line) const
{
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    std::fprintf(stderr, "%s dfm daemon: %s\n", qPrintable(stamp), qPrintable(line));
    std::fflush(stderr);
}

Daemon::StartResult Daemon::start(QString *err)
{
    const ProjectPaths &p = m_opt.paths;
    if (!socketPathFits(p, err) || !ensureDfmDir(p, err))
        return StartResult::Failed;

    m_lockFd = ::open(QFile::encodeName(p.lockFile).constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (m_lockFd < 0) {
        *err = QStringLiteral("cannot open %1: %2").arg(p.lockFile, fmt::errnoText(errno));
        return StartResult::Failed;
    }
    if (!takeDaemonLock(p, m_lockFd)) {
        const int e = errno;
        ::close(m_lockFd);
        m_lockFd = -1;
        if (e != EWOULDBLOCK) {
            *err = QStringLiteral("cannot lock %1: %2").arg(p.lockFile, fmt::errnoText(e));
            return StartResult::Failed;
        }
        *err = QStringLiteral("another daemon is running or starting for %1 (%2 is locked)").arg(p.root, p.lockFile);
        return StartResult::AlreadyRunning;
    }
    // We hold the lock, so whatever state file is left is stale (the
    // listener replaces a stale socket).
    QFile::remove(p.stateFile);
    const QString limits = raiseDescriptorLimit();

    if (!m_engine->start(err))
        return StartResult::Failed;

    m_server = new UnixListener(this);
    connect(m_server, &UnixListener::logMessage, this, &Daemon::log);
    if (!m_server->listen(p.socket, err))
        return StartResult::Failed;
    connect(m_server, &UnixListener::newConnection, this, &Daemon::onNewClient);

    m_pid = QCoreApplication::applicationPid();
    m_started = proto::utcStamp(QDateTime::currentMSecsSinceEpoch());
    DaemonState st;
    st.pid = m_pid;
    st.socket = p.socket;
    st.workerPort = m_engine->workerPort();
    st.started = m_started;
    st.runner = m_engine->runnerName();
    st.host = m_opt.connectHost;
    st.tokenFile = p.tokenFile;
    if (!writeState(p.stateFile, st, err))
        return StartResult::Failed;
    m_stateWritten = true;
    log(QStringLiteral("started: pid %1, socket %2, workers on port %3, runner %4, max %5 workers, %6")
            .arg(m_pid)
            .arg(p.socket)
            .arg(st.workerPort)
            .arg(st.runner)
            .arg(m_opt.pool.maxWorkers)
            .arg(limits));
    return StartResult::Ok;
}

void Daemon::shutdown(const QString &why)
{
    if (m_stopping)
        return;
    m_stopping = true;
    log(QStringLiteral("shutdown: %1").arg(why));
    // New clients must not find a daemon that is going away.
    if (m_stateWritten) {
        QFile::remove(m_opt.paths.stateFile);
        m_stateWritten = false;
    }
    if (m_server)
        m_server->close();
    m_engine->shutdown();
}

void Daemon::cleanUp()
{
    if (m_stateWritten) {
        QFile::remove(m_opt.paths.stateFile);
        m_stateWritten = false;
    }
    if (m_server)
        m_server->close(); // removes the socket file if it is still ours
    for (Client &c : m_clients) {
        c.conn->disconnect(this);
        c.conn->close();
    }
    m_clients.clear();
    m_silentClients = 0;
    if (m_lockFd >= 0) {
        ::close(m_lockFd); // releases the flock
        m_lockFd = -1;
    }
}

DaemonFacts Daemon::facts() const
{
    DaemonFacts f;
    f.pid = m_pid;
    f.started = m_started;
    f.socket = m_opt.paths.socket;
    f.clients = int(m_clients.size());
    for (const Client &c : m_clients) {
        f.monitors += c.monitor ? 1 : 0;
        f.clientList.append(c.info);
    }
    std::sort(f.clientList.begin(), f.clientList.end(),
              [](const proto::ClientInfo &a, const proto::ClientInfo &b) { return a.client < b.client; });
    return f;
}

void Daemon::markSpoke(quint64 id)
{
    auto it = m_clients.find(id);
    if (it == m_clients.end() || it->spoke)
        return;
    it->spoke = true;
    disconnect(it->hearing); // only the silence timer needs it, and only until then
    --m_silentClients;
}

void Daemon::onNewClient(int fd)
{
    if (m_silentClients >= m_maxSilentClients) {
        ::close(fd);
        if (!m_silentCapLogged)
            log(QStringLiteral("%1 clients are connected without having sent anything; refusing more "
                               "until they speak or time out")
                    .arg(m_silentClients));
        m_silentCapLogged = true;
        return;
    }
    m_silentCapLogged = false;
    auto *sock = new FdSocket(fd); // keeps a half-closed client writable
    const quint64 id = m_nextClient++;
    auto *conn = new LineConnection(sock, this);
    conn->label = QStringLiteral("client %1").arg(id);
    conn->setMaxOutputBytes(m_clientOutputCap);
    Client client;
    client.conn = conn;
    client.info = peerInfo(id, fd);
    m_clients.insert(id, client);
    ++m_silentClients;
    connect(conn, &LineConnection::messageReceived, this,
            [this, id](const proto::Message &m) { onClientMessage(id, m); });
    conn->setLineFilter([this, id](const QByteArray &line) { return onClientLine(id, line); });
    connect(conn, &LineConnection::badLine, this, [this, id, conn](const QString &e) {
        markSpoke(id);
        log(QStringLiteral("%1: %2").arg(conn->label, e));
    });
    connect(conn, &LineConnection::outputOverflow, this, [this, id, conn](qint64 queued) {
        const bool monitor = m_clients.value(id).monitor;
        log(QStringLiteral("%1: %2 is not reading (%3 bytes queued, over the %4 cap); dropped")
                .arg(conn->label, monitor ? QStringLiteral("monitor") : QStringLiteral("client"))
                .arg(queued)
                .arg(m_clientOutputCap));
    });
    connect(conn, &LineConnection::closed, this, [this, id] { onClientClosed(id); });
    connect(conn, &LineConnection::inputEnded, this, [this, id] {
        auto it = m_clients.find(id);
        if (it == m_clients.end())
            return;
        it->inputEnded = true;
        closeIfDone(id);
    });
    m_clients[id].hearing = connect(sock, &QIODevice::readyRead, this, [this, id] {
        auto it = m_clients.find(id);
        if (it != m_clients.end())
            it->heard = true;
    });
    watchSilence(id, conn, 0);
    proto::MonitorEvent e;
    e.kind = proto::MonitorEvent::ClientConnected;
    e.client = m_clients.value(id).info;
    broadcast(e);
}

// A client that connects and sends nothing is dropped after the idle
// timeout. One still sending its first line (a long submit on a loaded
// machine) is given up to ten timeouts while bytes keep arriving; the line
// cap bounds what it can make us buffer.
void Daemon::watchSilence(quint64 id, LineConnection *conn, int rounds)
{
    constexpr int kMaxRounds = 10;
    QTimer::singleShot(m_clientIdleTimeoutMs, conn, [this, id, conn, rounds] {
        auto it = m_clients.find(id);
        if (it == m_clients.end() || it->spoke)
            return;
        if (it->heard && rounds + 1 < kMaxRounds) {
            it->heard = false;
            watchSilence(id, conn, rounds + 1);
            return;
        }
        if (rounds == 0 && !it->heard)
            log(QStringLiteral("%1 sent nothing for %2 ms; dropped").arg(conn->label).arg(m_clientIdleTimeoutMs));
        else
            log(QStringLiteral("%1 sent no complete line in %2 ms; dropped")
                    .arg(conn->label)
                    .arg(qint64(rounds + 1) * m_clientIdleTimeoutMs));
        conn->abort();
    });
}

void Daemon::onClientMessage(quint64 id, const proto::Message &msg)
{
    markSpoke(id);
    auto it = m_clients.find(id);
    if (it == m_clients.end())
        return;
    LineConnection *conn = it->conn;
    if (!msg.isRequest()) {
        const QString err = msg.isEvent()
                                ? QStringLiteral("Invalid message: request '%1' has no 'id'").arg(msg.method)
                                : QStringLiteral("Invalid message: clients send requests, not responses");
        conn->send(proto::errorResponse(msg.id, err));
        log(QStringLiteral("%1: %2").arg(conn->label, err));
        return;
    }
    // The facts cost a walk over the clients: only status.get reports them.
    applyReply(id, handleClientRequest(*m_engine, msg.method == proto::kStatusGet ? facts() : DaemonFacts{}, id, msg));
}

bool Daemon::onClientLine(quint64 id, const QByteArray &line)
{
    proto::ScannedSubmit submit;
    if (!proto::scanTaskSubmit(line, &submit))
        return false; // parsed, then onClientMessage()
    markSpoke(id);
    applyReply(id, handleScannedSubmit(*m_engine, id, submit));
    return true;
}

void Daemon::applyReply(quint64 id, const ClientReply &reply)
{
    auto it = m_clients.find(id);
    if (it == m_clients.end())
        return;
    LineConnection *conn = it->conn;
    switch (reply.action) {
    case ClientReply::Send:
        conn->send(reply.message);
        break;
    case ClientReply::Deferred:
        ++it->deferred;
        break;
    case ClientReply::SendAndSubscribe:
        conn->send(reply.message);
        it->monitor = true;
        updateEventsWanted();
        conn->send(proto::event(proto::kEvSnapshot, daemonStatus(*m_engine, facts()).toJson()));
        break;
    case ClientReply::SendAndShutdown:
        conn->send(reply.message);
        QTimer::singleShot(0, this, [this, id] { shutdown(QStringLiteral("requested by client %1").arg(id)); });
        break;
    }
}

void Daemon::onClientClosed(quint64 id)
{
    auto it = m_clients.find(id);
    if (it == m_clients.end())
        return;
    if (!it->spoke)
        --m_silentClients;
    it->conn->deleteLater();
    proto::MonitorEvent e;
    e.kind = proto::MonitorEvent::ClientDisconnected;
    e.client = it->info;
    m_clients.erase(it);
    updateEventsWanted();
    m_engine->dropOwner(id);
    broadcast(e);
}

void Daemon::onTaskFinished(quint64 owner, const QJsonValue &replyId, const proto::PassedResult &result)
{
    auto it = m_clients.find(owner);
    if (it == m_clients.end())
        return;
    it->conn->sendLine(proto::encodeResultResponse(replyId, result));
    --it->deferred;
    closeIfDone(owner);
}

void Daemon::closeIfDone(quint64 id)
{
    // A client that half-closed has said all it will: once everything it
    // asked is answered, the connection is done. A monitor keeps its events.
    const auto it = m_clients.constFind(id); // not value(): no copy of the client per answer
    if (it != m_clients.cend() && it->conn && it->inputEnded && it->deferred <= 0 && !it->monitor)
        it->conn->close();
}

void Daemon::updateEventsWanted()
{
    bool any = false;
    for (const Client &c : m_clients)
        any = any || c.monitor;
    m_engine->setEventsWanted(any);
}

void Daemon::broadcast(const proto::MonitorEvent &e)
{
    if (!m_engine->eventsWanted())
        return; // no monitor: nothing to build
    const QJsonObject event = e.toMessage();
    // A monitor that does not read passes the output cap and is aborted by
    // its transport (logged once, then closed).
    for (const Client &c : std::as_const(m_clients))
        if (c.monitor)
            c.conn->send(event);
}

} // namespace dfm
