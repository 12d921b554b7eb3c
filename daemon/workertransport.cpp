#include "workertransport.h"

#include "fdsocket.h"
#include "format.h"
#include "lineconnection.h"
#include "safefile.h"
#include "wirescan.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dfm {

namespace {

// Any local user can connect to the worker port, so what a connection may
// use before it has registered with the secret is small and bounded.
constexpr int kMaxUnregistered = 64;           /* connections at once */
constexpr qsizetype kRegisterLineBytes = 4096; /* one worker.register fits easily */

QString newToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / sizeof(quint32));
    return QString::fromLatin1(bytes.toHex());
}

// Compares secrets in time independent of where they differ.
bool sameSecret(const QString &a, const QString &b)
{
    const QByteArray x = a.toUtf8(), y = b.toUtf8();
    unsigned diff = unsigned(x.size() ^ y.size());
    for (qsizetype i = 0; i < qMin(x.size(), y.size()); ++i)
        diff |= unsigned(x[i] ^ y[i]);
    return diff == 0 && !x.isEmpty();
}

// A non-blocking, close-on-exec socket listening on `address` and a port
// the kernel picks (*port); -1 with *err.
int listenTcp(const NetAddress &address, quint16 *port, QString *err)
{
    const int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0
        || ::bind(fd, address.sockAddr(), address.sockAddrLen()) != 0 || ::listen(fd, SOMAXCONN) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &len) != 0) {
        *err = fmt::errnoText(errno);
        if (fd >= 0)
            ::close(fd);
        return -1;
    }
    *port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port
                                              : reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
    return fd;
}

// The address of the peer of a connected socket, for logs.
QString peerAddress(int fd)
{
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &len) != 0)
        return QStringLiteral("an unknown address");
    return NetAddress::fromSockaddr(reinterpret_cast<sockaddr *>(&peer), len).toString();
}

} // namespace

TcpWorkerTransport::TcpWorkerTransport(const NetAddress &address, const QString &tokenFile,
                                       int registerTimeoutMs, QObject *parent)
    : WorkerTransport(parent), m_address(address), m_tokenFile(tokenFile), m_registerTimeoutMs(registerTimeoutMs)
{
    connect(&m_accept, &AcceptLoop::accepted, this, &TcpWorkerTransport::onNewConnection);
    connect(&m_accept, &AcceptLoop::logMessage, this, &WorkerTransport::logMessage);
}

TcpWorkerTransport::~TcpWorkerTransport()
{
    // Their closed() must not reach a half-destroyed transport.
    for (LineConnection *conn : std::as_const(m_workers)) {
        conn->disconnect(this);
        conn->setLineFilter({});
    }
}

bool TcpWorkerTransport::open(QString *err)
{
    m_token = newToken();
    if (!writeFileAtomic(m_tokenFile, m_token.toLatin1(), 0600, err))
        return false;
    QString why;
    const int fd = listenTcp(m_address, &m_port, &why);
    if (fd < 0) {
        *err = QStringLiteral("cannot listen for workers on %1: %2").arg(m_address.toString(), why);
        return false;
    }
    const QString host = m_address.family() == AF_INET6 ? QStringLiteral("[%1]").arg(m_address.toString())
                                                        : m_address.toString();
    m_accept.start(fd, QStringLiteral("the worker port %1:%2").arg(host).arg(m_port));
    return true;
}

quint16 TcpWorkerTransport::port() const
{
    return m_accept.isOpen() ? m_port : 0;
}

void TcpWorkerTransport::stopAccepting()
{
    m_accept.close();
}

void TcpWorkerTransport::removeSecret()
{
    QFile::remove(m_tokenFile);
}

void TcpWorkerTransport::onNewConnection(int fd)
{
    if (m_unregistered >= kMaxUnregistered) {
        if (!m_unregisteredCapLogged)
            log(QStringLiteral("%1 worker connections have not registered yet; refusing more until "
                               "they do or time out")
                    .arg(m_unregistered));
        m_unregisteredCapLogged = true;
        ::close(fd);
        return;
    }
    m_unregisteredCapLogged = false;
    ++m_unregistered;
    const int one = 1; // each message is one small line: send it at once
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const QString from = peerAddress(fd);
    auto *conn = new LineConnection(new FdSocket(fd), this);
    conn->label = QStringLiteral("worker connection from %1").arg(from);
    conn->setMaxLineBytes(kRegisterLineBytes);
    // A worker never half-closes: the end of its input is the end of it.
    connect(conn, &LineConnection::inputEnded, conn, &LineConnection::close);
    connect(conn, &LineConnection::closed, this, [this] { --m_unregistered; });
    auto *timer = new QTimer(conn);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, conn, [this, conn] {
        log(QStringLiteral("%1 did not register within %2 ms; dropped").arg(conn->label).arg(m_registerTimeoutMs));
        conn->abort();
    });
    timer->start(m_registerTimeoutMs);
    connect(conn, &LineConnection::messageReceived, this,
            [this, conn](const proto::Message &m) { onRegister(conn, m); });
    connect(conn, &LineConnection::badLine, this,
            [this, conn](const QString &e) { log(QStringLiteral("%1: %2").arg(conn->label, e)); });
    connect(conn, &LineConnection::closed, conn, &QObject::deleteLater);
}

void TcpWorkerTransport::onRegister(LineConnection *conn, const proto::Message &msg)
{
    auto reject = [&](const QString &why) {
        log(QStringLiteral("%1 rejected: %2").arg(conn->label, why));
        conn->send(proto::errorResponse(msg.id, why));
        conn->close();
    };
    if (msg.method != proto::kWorkerRegister)
        return reject(QStringLiteral("expected worker.register, got '%1'").arg(msg.method));
    proto::WorkerRegistration reg;
    QString err;
    if (!proto::parseRegistration(msg.params, &reg, &err))
        return reject(err);
    if (!sameSecret(reg.token, m_token))
        return reject(QStringLiteral("worker.register: bad or missing token; only workers launched "
                                     "by this daemon may connect"));
    const QString refusal = admit(reg);
    if (!refusal.isEmpty())
        return reject(refusal);

    // Registered: from now on its messages are the worker's.
    for (QTimer *t : conn->findChildren<QTimer *>(QString(), Qt::FindDirectChildrenOnly))
        t->stop();
    conn->disconnect(this);
    // close(), drop() or its closing own it now
    disconnect(conn, &LineConnection::closed, conn, &QObject::deleteLater);
    --m_unregistered;
    conn->setMaxLineBytes(kMaxLineBytes);
    conn->label = QStringLiteral("worker %1").arg(reg.workerId);
    const QString id = reg.workerId;
    m_workers.insert(id, conn);
    connect(conn, &LineConnection::messageReceived, this,
            [this, id](const proto::Message &m) { Q_EMIT messageReceived(id, m); });
    conn->setLineFilter([this, id](const QByteArray &line) {
        QByteArray requestId;
        proto::PassedResult result;
        if (!proto::scanTaskResult(line, &requestId, &result))
            return false;
        Q_EMIT resultReceived(id, requestId, result);
        return true;
    });
    connect(conn, &LineConnection::badLine, this,
            [this, conn](const QString &e) { log(QStringLiteral("%1: %2").arg(conn->label, e)); });
    connect(conn, &LineConnection::closed, this, [this, id] {
        if (LineConnection *c = take(id)) {
            c->deleteLater();
            Q_EMIT workerDisconnected(id, QStringLiteral("connection closed"));
        }
    });
    if (!msg.id.isUndefined())
        conn->send(proto::response(msg.id, QStringLiteral("registered")));
    Q_EMIT workerRegistered(id, reg);
}

LineConnection *TcpWorkerTransport::take(const QString &workerId)
{
    LineConnection *conn = m_workers.take(workerId);
    if (conn) {
        conn->disconnect(this);
        conn->setLineFilter({});
    }
    return conn;
}

bool TcpWorkerTransport::send(const QString &workerId, const QJsonObject &msg)
{
    LineConnection *conn = m_workers.value(workerId);
    return conn && conn->send(msg);
}

bool TcpWorkerTransport::sendLine(const QString &workerId, const QByteArray &line)
{
    LineConnection *conn = m_workers.value(workerId);
    return conn && conn->sendLine(line);
}

void TcpWorkerTransport::close(const QString &workerId)
{
    if (LineConnection *conn = take(workerId)) {
        conn->close();
        connect(conn, &LineConnection::closed, conn, &QObject::deleteLater);
    }
}

void TcpWorkerTransport::drop(const QString &workerId)
{
    if (LineConnection *conn = take(workerId)) {
        conn->close();
        conn->deleteLater();
    }
}

} // namespace dfm
