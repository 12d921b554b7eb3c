#pragma once
// A worker played by a test over a real TCP connection to the worker port:
// it registers with a token, sends messages and reads the daemon's lines.

#include "protocol.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QtTest>

namespace dfm::test {

struct WorkerPeer {
    QTcpSocket sock;

    bool connectTo(const QString &host, quint16 port)
    {
        sock.connectToHost(host, port);
        return sock.waitForConnected(5000);
    }
    void send(const QJsonObject &o)
    {
        sock.write(proto::encode(o));
        sock.flush();
    }
    /// The next line as an object; empty after `timeoutMs` or once the
    /// daemon has closed the connection with nothing left to read.
    QJsonObject next(int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (!sock.canReadLine() && sock.state() == QAbstractSocket::ConnectedState && t.elapsed() < timeoutMs)
            QTest::qWait(10);
        return QJsonDocument::fromJson(sock.readLine()).object();
    }
    bool registerAs(const QString &id, const QString &token)
    {
        send(proto::request(proto::kWorkerRegister, 1,
                            {{QStringLiteral("worker_id"), id},
                             {QStringLiteral("hostname"), QStringLiteral("testhost")},
                             {QStringLiteral("pid"), 99},
                             {QStringLiteral("token"), token}}));
        return next().value(QLatin1String("result")).toString() == QLatin1String("registered");
    }
    bool connectAndRegister(quint16 port, const QString &id, const QString &token)
    {
        return connectTo(QStringLiteral("127.0.0.1"), port) && registerAs(id, token);
    }
};

} // namespace dfm::test
