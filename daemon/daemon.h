#pragma once
// The daemon: an Engine behind the client socket <project>/.dfm/daemon.sock.
// Holds the project's daemon lock for its lifetime (so two `dfm daemon
// start` at once leave one daemon), writes daemon.json once it is ready, and
// removes it, the socket and the worker secret when it stops.

#include "clienthandlers.h"
#include "engine.h"

#include <QHash>
#include <QObject>

namespace dfm {

class LineConnection;
class UnixListener;

class Daemon : public QObject {
    Q_OBJECT
public:
    /// Takes ownership of `launcher`.
    Daemon(const EngineOptions &options, WorkerLauncher *launcher, QObject *parent = nullptr);
    ~Daemon() override;

    enum class StartResult { Ok, AlreadyRunning, Failed };
    /// Takes the lock, listens on both sockets and writes daemon.json.
    /// AlreadyRunning when another process holds the project's lock.
    StartResult start(QString *err);

    /// Shuts down as for a `shutdown` request; finished() follows.
    void shutdown(const QString &why);

    /// A client that sends nothing for this long after connecting is dropped.
    void setClientIdleTimeout(int ms) { m_clientIdleTimeoutMs = ms; }
    /// At most this many clients may be connected without having sent a
    /// line; a connection past it is closed at once.
    void setMaxSilentClients(int n) { m_maxSilentClients = n; }
    /// Bytes queued for a client that does not read before it is dropped.
    void setClientOutputCap(qint64 bytes) { m_clientOutputCap = bytes; }

Q_SIGNALS:
    void finished();

private:
    struct Client {
        LineConnection *conn = nullptr;
        bool monitor = false;
        bool spoke = false; /* sent at least one line */
        proto::ClientInfo info;
        int deferred = 0;   /* submits not answered yet */
        bool inputEnded = false; /* half-closed: close once all is answered */
        bool heard = false; /* bytes arrived since the silence timer last looked */
        QMetaObject::Connection hearing; /* sets `heard`; cut once it spoke */
    };

    void onNewClient(int fd);
    void watchSilence(quint64 id, LineConnection *conn, int rounds);
    void onClientMessage(quint64 id, const proto::Message &msg);
    /// A client's line before it is parsed: a task.submit the scanner takes
    /// (core/wirescan.h) is handled here, without a document.
    bool onClientLine(quint64 id, const QByteArray &line);
    void applyReply(quint64 id, const ClientReply &reply);
    void onClientClosed(quint64 id);
    void onTaskFinished(quint64 owner, const QJsonValue &replyId, const proto::PassedResult &result);
    void broadcast(const proto::MonitorEvent &event);
    void updateEventsWanted();
    void cleanUp();
    DaemonFacts facts() const;
    void log(const QString &line) const;
    void markSpoke(quint64 id);
    void closeIfDone(quint64 id);

    EngineOptions m_opt;
    Engine *m_engine;
    UnixListener *m_server = nullptr;
    int m_lockFd = -1;
    bool m_stateWritten = false;
    bool m_stopping = false;
    qint64 m_pid = 0;
    QString m_started;
    int m_clientIdleTimeoutMs = 30000;
    int m_maxSilentClients = 256;
    qint64 m_clientOutputCap = 16 * 1024 * 1024;
    int m_silentClients = 0;       /* connected, no line yet */
    bool m_silentCapLogged = false; /* once per episode of refusals */
    quint64 m_nextClient = 1;
    QHash<quint64, Client> m_clients;
};

} // namespace dfm
