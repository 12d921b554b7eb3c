#pragma once
// A client connection to a daemon's socket: used by `dfm daemon
// status|stop`, `dfm run` and both monitors. Messages arrive as signals;
// call() is a blocking request/response for short commands.

#include "protocol.h"

#include <QObject>

namespace dfm {

class FdSocket;
class LineTransport;

class DaemonClient : public QObject {
    Q_OBJECT
public:
    explicit DaemonClient(QObject *parent = nullptr);
    ~DaemonClient() override;

    /// Connects to the daemon's socket, waiting up to timeoutMs while its
    /// backlog is full. Returns false with *err ("cannot connect to
    /// /p/.dfm/daemon.sock: Connection refused").
    bool connectTo(const QString &socketPath, int timeoutMs, QString *err);

    /// Sends a request with a fresh numeric id; returns that id.
    qint64 send(QLatin1String method, const QJsonObject &params = {});
    /// Sends a raw message line (for tests and clients that pick their ids).
    void sendRaw(const QJsonObject &obj);

    /// Sends a request and waits for its reply. Messages with other ids that
    /// arrive meanwhile are emitted as usual. Returns false with *err on an
    /// error reply ("daemon: <error>"), a timeout or a closed connection.
    bool call(QLatin1String method, const QJsonObject &params, QJsonValue *result, QString *err,
              int timeoutMs = 10000);

    bool isConnected() const;
    void close();

Q_SIGNALS:
    /// Every parsed message (responses, events).
    void messageReceived(const dfm::proto::Message &msg);
    /// The daemon closed the connection, or it broke.
    void disconnected();
    /// The daemon sent a line that is not a valid message (also logged to
    /// stderr); it is skipped, and an over-long one closes the connection.
    void badLine(const QString &error);

private:
    void drop();

    QString m_path;
    FdSocket *m_socket = nullptr;         /* the connection; null before connectTo() */
    LineTransport *m_transport = nullptr; /* framing and parsing on m_socket */
    qint64 m_nextId = 1;
};

/// Connects a non-blocking AF_UNIX stream socket to `path`, retrying while
/// the listener's backlog is full, up to timeoutMs. Returns the descriptor,
/// or -1 with *err ("cannot connect to /p/.dfm/daemon.sock: No such file or
/// directory"). A path too long for a socket address is an error.
int connectUnixSocket(const QString &path, int timeoutMs, QString *err);

} // namespace dfm
