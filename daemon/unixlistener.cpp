#include "unixlistener.h"

#include "format.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace dfm {

UnixListener::UnixListener(QObject *parent) : QObject(parent)
{
    connect(&m_accept, &AcceptLoop::accepted, this, &UnixListener::newConnection);
    connect(&m_accept, &AcceptLoop::logMessage, this, &UnixListener::logMessage);
    m_watchdog.setInterval(1000);
    connect(&m_watchdog, &QTimer::timeout, this, &UnixListener::checkSocketFile);
}

UnixListener::~UnixListener()
{
    close();
}

bool UnixListener::listen(const QString &path, QString *err)
{
    close();
    m_path = path;
    if (!openSocket(err))
        return false;
    m_watchdog.start();
    return true;
}

bool UnixListener::openSocket(QString *err)
{
    const QByteArray file = QFile::encodeName(m_path);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (size_t(file.size()) >= sizeof(addr.sun_path)) {
        *err = QStringLiteral("cannot listen on %1: the path is too long for a Unix socket").arg(m_path);
        return false;
    }
    std::memcpy(addr.sun_path, file.constData(), size_t(file.size()));
    struct stat sb;
    if (::lstat(file.constData(), &sb) == 0) {
        if (!S_ISSOCK(sb.st_mode)) {
            *err = QStringLiteral("cannot listen on %1: it exists and is not a socket; remove it").arg(m_path);
            return false;
        }
        ::unlink(file.constData()); // a stale socket: the caller holds the daemon lock
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = QStringLiteral("cannot create a socket for %1: %2").arg(m_path, fmt::errnoText(errno));
        return false;
    }
    // Only the owner may connect: the mode is set before anyone can.
    const mode_t old = ::umask(0177);
    const int bound = ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr));
    const int bindErr = errno;
    ::umask(old);
    if (bound != 0 || ::listen(fd, SOMAXCONN) != 0) {
        *err = QStringLiteral("cannot listen on %1: %2").arg(m_path, fmt::errnoText(bound != 0 ? bindErr : errno));
        ::close(fd);
        return false;
    }
    if (::lstat(file.constData(), &sb) != 0) {
        *err = QStringLiteral("cannot listen on %1: %2").arg(m_path, fmt::errnoText(errno));
        ::close(fd);
        return false;
    }
    m_dev = quint64(sb.st_dev);
    m_ino = quint64(sb.st_ino);
    m_accept.start(fd, m_path);
    return true;
}

void UnixListener::close()
{
    m_watchdog.stop();
    if (!m_accept.isOpen())
        return;
    m_accept.close();
    // Remove the file only if it is still the one we bound.
    const QByteArray file = QFile::encodeName(m_path);
    struct stat sb;
    if (::lstat(file.constData(), &sb) == 0 && quint64(sb.st_dev) == m_dev && quint64(sb.st_ino) == m_ino)
        ::unlink(file.constData());
}

void UnixListener::checkSocketFile()
{
    const QByteArray file = QFile::encodeName(m_path);
    struct stat sb;
    const bool ours = ::lstat(file.constData(), &sb) == 0 && quint64(sb.st_dev) == m_dev
                      && quint64(sb.st_ino) == m_ino;
    if (ours && m_accept.isOpen())
        return;
    const QString what = m_accept.isOpen() ? QStringLiteral("was removed or replaced") : QStringLiteral("was closed");
    m_accept.close();
    QString err;
    if (openSocket(&err))
        Q_EMIT logMessage(QStringLiteral("the socket %1 %2; listening on it again").arg(m_path, what));
    else
        Q_EMIT logMessage(QStringLiteral("the socket %1 %2 and cannot be recreated: %3; trying again in %4 ms")
                              .arg(m_path, what, err)
                              .arg(m_watchdog.interval()));
}

} // namespace dfm
