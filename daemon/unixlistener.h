#pragma once
// The daemon's listening Unix socket, which is never lost.
//
// QLocalServer closes itself, and unlinks its socket file, on the first
// accept() error, so a burst of connections that runs the process out of
// descriptors (EMFILE) left the daemon unreachable for good. This listener
// accepts itself: on EMFILE/ENFILE/ENOBUFS/ENOMEM it pauses accepting for a
// moment (the pending peers wait in the kernel's backlog) and says so once
// per episode; other errors are logged and skipped. A watchdog checks that
// the socket file is still ours and listens again at once when it is not
// (someone removed or replaced it).

#include <QObject>
#include <QString>
#include <QTimer>

class QSocketNotifier;

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
    bool isListening() const { return m_fd >= 0; }

    /// How long accepting pauses after running out of descriptors.
    void setResourcePauseMs(int ms) { m_pauseMs = ms; }
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
    void closeSocket();
    void onReadable();
    void checkSocketFile();

    QString m_path;
    int m_fd = -1;
    quint64 m_dev = 0, m_ino = 0; /* identity of our socket file */
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_resume;   /* accepting again after a resource error */
    QTimer m_watchdog; /* the socket file is still ours */
    int m_pauseMs = 100;
    bool m_starved = false; /* in an out-of-descriptors episode (logged once) */
    qint64 m_refused = 0;   /* accept errors in the current episode */
};

} // namespace dfm
