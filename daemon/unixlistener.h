#pragma once
// The daemon's listening Unix socket, which is never lost.
//
// A burst of connections that runs the process out of descriptors (EMFILE)
// must not leave the daemon unreachable for good, so accept errors only
// pause accepting (AcceptLoop). A watchdog checks that the socket file is
// still ours and listens again at once when it is not (someone removed or
// replaced it).

#include "acceptloop.h"

#include <QObject>
#include <QString>
#include <QTimer>

namespace dfm {

class UnixListener : public QObject {
    Q_OBJECT
public:
    explicit UnixListener(QObject *parent = nullptr);
    ~UnixListener() override;

    /// Binds and listens on `path` (mode 0600), replacing a stale socket
    /// there. Refuses to replace anything that is not a socket. False with *err.
    bool listen(const QString &path, QString *err);
    /// Stops listening and removes the socket file if it is still ours.
    void close();
    bool isListening() const { return m_accept.isOpen(); }

    /// How long accepting pauses after running out of descriptors.
    void setResourcePauseMs(int ms) { m_accept.setPauseMs(ms); }
    /// How often the socket file is checked.
    void setWatchdogMs(int ms) { m_watchdog.setInterval(ms); }

Q_SIGNALS:
    /// A connection was accepted: `fd` is non-blocking, close-on-exec, and
    /// now belongs to the receiver.
    void newConnection(int fd);
    /// Something worth a line in the daemon's log.
    void logMessage(const QString &line);

private:
    bool openSocket(QString *err);
    void checkSocketFile();

    QString m_path;
    quint64 m_dev = 0, m_ino = 0; /* identity of our socket file */
    AcceptLoop m_accept;
    QTimer m_watchdog; /* the socket file is still ours */
};

} // namespace dfm
