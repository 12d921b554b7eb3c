#include "daemonclient.h"

#include "fdsocket.h"
#include "format.h"
#include "linetransport.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace dfm {

int connectUnixSocket(const QString &path, int timeoutMs, QString *err)
{
    auto fail = [&](const QString &why) {
        *err = QStringLiteral("cannot connect to %1: %2").arg(path, why);
        return -1;
    };
    const QByteArray name = QFile::encodeName(path);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (name.isEmpty())
        return fail(QStringLiteral("no socket path"));
    if (size_t(name.size()) >= sizeof addr.sun_path)
        return fail(QStringLiteral("the path is %1 bytes long; a socket path has at most %2")
                        .arg(name.size()).arg(sizeof addr.sun_path - 1));
    std::memcpy(addr.sun_path, name.constData(), size_t(name.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(fmt::errnoText(errno));
    // A Unix connect completes at once, or fails with EAGAIN while the
    // listener's backlog is full: then wait for it to accept.
    const QDeadlineTimer deadline(qMax(0, timeoutMs));
    while (::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) {
        const int e = errno;
        if (e == EINTR)
            continue;
        if (e != EAGAIN || deadline.hasExpired()) {
            ::close(fd);
            if (e == EAGAIN)
                return fail(QStringLiteral("the listener's backlog stayed full for %1 ms").arg(timeoutMs));
            return fail(fmt::errnoText(e));
        }
        QThread::msleep(unsigned(qBound(qint64(1), deadline.remainingTime(), qint64(10))));
    }
    return fd;
}

DaemonClient::DaemonClient(QObject *parent) : QObject(parent) {}

DaemonClient::~DaemonClient()
{
    drop();
}

void DaemonClient::drop()
{
    // Possibly inside one of their signals: deleted from the event loop.
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->deleteLater();
        m_transport = nullptr;
    }
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->deleteLater();
        m_socket = nullptr;
    }
}

bool DaemonClient::connectTo(const QString &socketPath, int timeoutMs, QString *err)
{
    drop();
    const int fd = connectUnixSocket(socketPath, timeoutMs, err);
    if (fd < 0)
        return false;
    m_path = socketPath;
    m_socket = new FdSocket(fd, this);
    m_transport = new LineTransport(m_socket, LineTransport::Role::Client, this);
    connect(m_transport, &LineTransport::messageReceived, this, &DaemonClient::messageReceived);
    connect(m_transport, &LineTransport::badLine, this, [this](const QString &e) {
        std::fprintf(stderr, "dfm: a line from the daemon at %s was skipped: %s\n",
                     qPrintable(m_path), qPrintable(e));
        Q_EMIT badLine(e);
    });
    // The daemon never half-closes: once its output ends, nothing more
    // can come.
    connect(m_transport, &LineTransport::inputEnded, m_socket, &FdSocket::abort);
    // After the transport's own handler: what arrived before the end is
    // delivered first.
    connect(m_socket, &FdSocket::disconnected, this, &DaemonClient::disconnected);
    return true;
}

qint64 DaemonClient::send(QLatin1String method, const QJsonObject &params)
{
    const qint64 id = m_nextId++;
    sendRaw(proto::request(method, id, params));
    return id;
}

void DaemonClient::sendRaw(const QJsonObject &obj)
{
    if (m_transport)
        m_transport->send(obj);
}

bool DaemonClient::call(QLatin1String method, const QJsonObject &params, QJsonValue *result,
                        QString *err, int timeoutMs)
{
    if (!isConnected()) {
        *err = QStringLiteral("not connected");
        return false;
    }
    const qint64 id = send(method, params);
    m_transport->flush(); // even when called while handling input: we wait for the answer
    bool done = false, ok = false;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    auto c1 = connect(this, &DaemonClient::messageReceived, &loop, [&](const proto::Message &m) {
        if (!m.isResponse() || m.id.toInteger(-1) != id)
            return;
        done = true;
        ok = !m.hasError;
        if (ok)
            *result = m.result;
        else
            *err = QStringLiteral("daemon: %1").arg(m.error);
        loop.quit();
    });
    auto c2 = connect(this, &DaemonClient::disconnected, &loop, [&] {
        if (!done)
            *err = QStringLiteral("the daemon closed the connection");
        loop.quit();
    });
    connect(&timer, &QTimer::timeout, &loop, [&] {
        *err = QStringLiteral("no reply to '%1' within %2 ms").arg(method).arg(timeoutMs);
        loop.quit();
    });
    // A reply may already be buffered.
    m_transport->processInput();
    if (!done && isConnected()) {
        timer.start(timeoutMs);
        loop.exec();
    } else if (!done) {
        *err = QStringLiteral("the daemon closed the connection");
    }
    disconnect(c1);
    disconnect(c2);
    return done && ok;
}

bool DaemonClient::isConnected() const
{
    return m_socket && m_socket->isConnected();
}

void DaemonClient::close()
{
    if (m_socket)
        m_socket->disconnectFromPeer();
}

} // namespace dfm
