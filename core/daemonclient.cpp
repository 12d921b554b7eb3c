#include "daemonclient.h"

#include <QEventLoop>
#include <QTimer>

#include <cstdio>

namespace dfm {

DaemonClient::DaemonClient(QObject *parent)
    : QObject(parent), m_transport(&m_socket, LineTransport::Role::Client)
{
    connect(&m_transport, &LineTransport::messageReceived, this, &DaemonClient::messageReceived);
    connect(&m_transport, &LineTransport::badLine, this, [this](const QString &e) {
        std::fprintf(stderr, "dfm: a line from the daemon at %s was skipped: %s\n",
                     qPrintable(m_socket.serverName()), qPrintable(e));
        Q_EMIT badLine(e);
    });
    connect(&m_socket, &QLocalSocket::disconnected, this, &DaemonClient::disconnected);
}

bool DaemonClient::connectTo(const QString &socketPath, int timeoutMs, QString *err)
{
    m_transport.reset();
    m_socket.connectToServer(socketPath);
    if (!m_socket.waitForConnected(timeoutMs)) {
        *err = QStringLiteral("cannot connect to %1: %2").arg(socketPath, m_socket.errorString());
        return false;
    }
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
    m_transport.send(obj);
}

bool DaemonClient::call(QLatin1String method, const QJsonObject &params, QJsonValue *result,
                        QString *err, int timeoutMs)
{
    if (!isConnected()) {
        *err = QStringLiteral("not connected");
        return false;
    }
    const qint64 id = send(method, params);
    m_transport.flush(); // even when called while handling input: we wait for the answer
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
    m_transport.processInput();
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
    return m_socket.state() == QLocalSocket::ConnectedState;
}

void DaemonClient::close()
{
    m_socket.disconnectFromServer();
}

} // namespace dfm
