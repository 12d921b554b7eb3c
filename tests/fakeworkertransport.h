#pragma once
// A WorkerTransport without sockets, for tests: the test plays the workers
// (register, send, disconnect) and reads what the Engine sent each of them.

#include "workertransport.h"

#include <QJsonDocument>
#include <QList>
#include <QSet>

namespace dfm::test {

class FakeWorkerTransport : public WorkerTransport {
public:
    /// One message the Engine sent.
    struct Sent {
        QString workerId;
        QJsonObject msg;
    };
    QList<Sent> sent;
    QStringList closed;  /* close(): stopped by the Engine, after a worker.shutdown */
    QStringList dropped; /* drop(): given up as lost */
    bool opened = false;
    bool accepting = false;
    bool secretRemoved = false;

    bool open(QString *) override
    {
        opened = accepting = true;
        return true;
    }
    quint16 port() const override { return opened ? 4711 : 0; }
    bool send(const QString &workerId, const QJsonObject &msg) override
    {
        if (!m_live.contains(workerId))
            return false;
        sent.append({workerId, msg});
        return true;
    }
    bool sendLine(const QString &workerId, const QByteArray &line) override
    {
        return send(workerId, QJsonDocument::fromJson(line).object());
    }
    void close(const QString &workerId) override
    {
        if (m_live.remove(workerId))
            closed.append(workerId);
    }
    void drop(const QString &workerId) override
    {
        if (m_live.remove(workerId))
            dropped.append(workerId);
    }
    void stopAccepting() override { accepting = false; }
    void removeSecret() override { secretRemoved = true; }

    /// A worker registers (its secret taken as right): empty when admitted,
    /// else the refusal the Engine gave.
    QString registerWorker(const QString &workerId, const QString &hostname = QStringLiteral("fakehost"))
    {
        if (!accepting)
            return QStringLiteral("not accepting");
        proto::WorkerRegistration reg;
        reg.workerId = workerId;
        reg.hostname = hostname;
        reg.pid = 4242;
        const QString refusal = admit(reg);
        if (!refusal.isEmpty())
            return refusal;
        m_live.insert(workerId);
        Q_EMIT workerRegistered(workerId, reg);
        return {};
    }
    /// A registered worker sends a message.
    void receive(const QString &workerId, const QString &method, const QJsonObject &params)
    {
        proto::Message m;
        m.method = method;
        m.params = params;
        Q_EMIT messageReceived(workerId, m);
    }
    /// The worker's connection closes, and the Engine is told.
    void disconnectWorker(const QString &workerId)
    {
        if (m_live.remove(workerId))
            Q_EMIT workerDisconnected(workerId, QStringLiteral("connection closed"));
    }
    /// The connection is gone but the Engine has not heard yet (a close
    /// still on its way): the next send to it fails.
    void breakQuietly(const QString &workerId) { m_live.remove(workerId); }

    bool isLive(const QString &workerId) const { return m_live.contains(workerId); }
    /// What the Engine sent `workerId`, oldest first, as method names.
    QStringList methodsSentTo(const QString &workerId) const
    {
        QStringList out;
        for (const Sent &s : sent)
            if (s.workerId == workerId)
                out.append(s.msg.value(QLatin1String("method")).toString());
        return out;
    }

private:
    QSet<QString> m_live;
};

} // namespace dfm::test
