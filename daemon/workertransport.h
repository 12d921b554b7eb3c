#pragma once
// How the Engine reaches its workers, behind one small interface: who may
// register, what registered workers send, and sending to them. The Engine
// never sees a socket; tests drive it through a fake transport
// (tests/fakeworkertransport.h).
//
// TcpWorkerTransport is the real one: the worker port (TCP, our own
// listening socket accepted through AcceptLoop, each connection an
// FdSocket), the secret in .dfm/worker.token, the worker.register handshake
// and the limits on connections that have not registered yet (few, small,
// short-lived).
// Heartbeat policy is not here: every message of a registered worker is
// reported, and the pool decides when silence means lost.

#include "acceptloop.h"
#include "netaddress.h"
#include "protocol.h"
#include "wirelines.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>

namespace dfm {

class LineConnection;

/// One worker's registration as sent (token checked already).
using WorkerAdmission = std::function<QString(const proto::WorkerRegistration &reg)>;

class WorkerTransport : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /// Starts taking registrations (the TCP one: writes the secret, then
    /// listens). False with *err.
    virtual bool open(QString *err) = 0;
    /// Where workers connect; 0 before open().
    virtual quint16 port() const = 0;
    /// Sends one message to a registered worker. False when it has no live
    /// connection (closed, or never registered): the caller treats it as lost.
    virtual bool send(const QString &workerId, const QJsonObject &msg) = 0;
    /// Sends one message already encoded (newline included): a queued
    /// task.execute is encoded once, at submit. False as for send().
    virtual bool sendLine(const QString &workerId, const QByteArray &line) = 0;
    /// Writes what is queued for the worker (a worker.shutdown), then closes
    /// its connection. Nothing more is reported about it.
    virtual void close(const QString &workerId) = 0;
    /// Drops a lost worker's connection. Nothing more is reported about it.
    virtual void drop(const QString &workerId) = 0;
    /// Takes no more connections (shutdown); registered ones stay.
    virtual void stopAccepting() = 0;
    /// Removes the secret (once the last worker is gone).
    virtual void removeSecret() {}

    /// Who may register: called with a registration whose secret is right;
    /// an empty answer admits the worker, anything else is the reason it is
    /// refused (sent to it, and logged).
    void setAdmission(WorkerAdmission admit) { m_admit = std::move(admit); }

Q_SIGNALS:
    /// A worker was admitted and told so; its messages follow.
    void workerRegistered(const QString &workerId, const dfm::proto::WorkerRegistration &reg);
    /// Anything a registered worker sent (heartbeats too: each says it lives).
    void messageReceived(const QString &workerId, const dfm::proto::Message &msg);
    /// A task.result read without a document (core/wirescan.h): the
    /// request_id it answers (UTF-8) and its RESULT. A result the scanner
    /// declines arrives through messageReceived() instead.
    void resultReceived(const QString &workerId, const QByteArray &requestId,
                        const dfm::proto::PassedResult &result);
    /// A registered worker's connection closed on its side.
    void workerDisconnected(const QString &workerId, const QString &reason);
    void logMessage(const QString &line);

protected:
    /// The admission's answer; refuses everyone when none is set.
    QString admit(const proto::WorkerRegistration &reg) const
    {
        return m_admit ? m_admit(reg) : QStringLiteral("worker.register: no workers are expected");
    }

private:
    WorkerAdmission m_admit;
};

/// The worker port: TCP, token-authenticated, one LineConnection per worker.
class TcpWorkerTransport : public WorkerTransport {
    Q_OBJECT
public:
    TcpWorkerTransport(const NetAddress &address, const QString &tokenFile, int registerTimeoutMs,
                       QObject *parent = nullptr);
    ~TcpWorkerTransport() override;

    bool open(QString *err) override;
    quint16 port() const override;
    bool send(const QString &workerId, const QJsonObject &msg) override;
    bool sendLine(const QString &workerId, const QByteArray &line) override;
    void close(const QString &workerId) override;
    void drop(const QString &workerId) override;
    void stopAccepting() override;
    void removeSecret() override;

private:
    void onNewConnection(int fd);
    void onRegister(LineConnection *conn, const proto::Message &msg);
    LineConnection *take(const QString &workerId);
    void log(const QString &line) { Q_EMIT logMessage(line); }

    NetAddress m_address;
    QString m_tokenFile;
    int m_registerTimeoutMs;
    QString m_token;
    AcceptLoop m_accept;
    quint16 m_port = 0;
    QHash<QString, LineConnection *> m_workers; /* registered, by worker id */
    int m_unregistered = 0;                     /* connections not registered yet */
    bool m_unregisteredCapLogged = false;       /* once per episode of refusals */
};

} // namespace dfm
