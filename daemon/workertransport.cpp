#include "workertransport.h"

#include "lineconnection.h"
#include "safefile.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace dfm {

namespace {

// Any local user can connect to the worker port, so what a connection may
// use before it has registered with the secret is small and bounded.
constexpr int kMaxUnregistered = 64;           /* connections at once */
constexpr qsizetype kRegisterLineBytes = 4096; /* one worker.register fits easily */
constexpr int kAcceptRetryMs = 100;

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

} // namespace

TcpWorkerTransport::TcpWorkerTransport(const QHostAddress &address, const QString &tokenFile,
                                       int registerTimeoutMs, QObject *parent)
    : WorkerTransport(parent), m_address(address), m_tokenFile(tokenFile), m_registerTimeoutMs(registerTimeoutMs)
{
}

TcpWorkerTransport::~TcpWorkerTransport()
{
    // Their closed() must not reach a half-destroyed transport.
    for (LineConnection *conn : std::as_const(m_workers))
        conn->disconnect(this);
}

bool TcpWorkerTransport::open(QString *err)
{
    m_token = newToken();
    if (!writeFileAtomic(m_tokenFile, m_token.toLatin1(), 0600, err))
        return false;
    m_server = new QTcpServer(this);
    if (!m_server->listen(m_address, 0)) {
        *err = QStringLiteral("cannot listen for workers on %1: %2").arg(m_address.toString(), m_server->errorString());
        return false;
    }
    connect(m_server, &QTcpServer::newConnection, this, &TcpWorkerTransport::onNewConnection);
    connect(m_server, &QTcpServer::acceptError, this, &TcpWorkerTransport::onAcceptError);
    return true;
}

quint16 TcpWorkerTransport::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

void TcpWorkerTransport::stopAccepting()
{
    if (m_server)
        m_server->close();
}

void TcpWorkerTransport::removeSecret()
{
    QFile::remove(m_tokenFile);
}

void TcpWorkerTransport::onAcceptError()
{
    // QTcpServer pauses accepting on an error such as EMFILE; it is not
    // lost, so try again shortly (the peers wait in the kernel's backlog).
    if (!m_acceptStarved)
        log(QStringLiteral("cannot accept worker connections: %1; retrying every %2 ms")
                .arg(m_server->errorString())
                .arg(kAcceptRetryMs));
    m_acceptStarved = true;
    QTimer::singleShot(kAcceptRetryMs, this, [this] {
        if (m_server && m_server->isListening())
            m_server->resumeAccepting();
    });
}

void TcpWorkerTransport::onNewConnection()
{
    while (QTcpSocket *sock = m_server->nextPendingConnection()) {
        if (m_acceptStarved) {
            log(QStringLiteral("accepting worker connections again"));
            m_acceptStarved = false;
        }
        if (m_unregistered >= kMaxUnregistered) {
            if (!m_unregisteredCapLogged)
                log(QStringLiteral("%1 worker connections have not registered yet; refusing more until "
                                   "they do or time out")
                        .arg(m_unregistered));
            m_unregisteredCapLogged = true;
            sock->abort();
            sock->deleteLater();
            continue;
        }
        m_unregisteredCapLogged = false;
        ++m_unregistered;
        auto *conn = new LineConnection(sock, this);
        conn->label = QStringLiteral("worker connection from %1").arg(sock->peerAddress().toString());
        conn->setMaxLineBytes(kRegisterLineBytes);
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
    conn->disconnect(conn); // the deleteLater-on-close; close(), drop() or its closing own it now
    --m_unregistered;
    conn->setMaxLineBytes(kMaxLineBytes);
    conn->label = QStringLiteral("worker %1").arg(reg.workerId);
    const QString id = reg.workerId;
    m_workers.insert(id, conn);
    connect(conn, &LineConnection::messageReceived, this,
            [this, id](const proto::Message &m) { Q_EMIT messageReceived(id, m); });
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
    if (conn)
        conn->disconnect(this);
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
