#include "fdsocket.h"

#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dfm {

namespace {
constexpr qsizetype kReadChunk = 64 * 1024;
constexpr int kMaxReadsPerWakeup = 16; /* then yield to the event loop */
}

FdSocket::FdSocket(int fd, QObject *parent) : QIODevice(parent), m_fd(fd)
{
    // After a half-close nothing wakes us when the peer goes for good
    // until we write; look now and then.
    m_hupCheck.setInterval(1000);
    connect(&m_hupCheck, &QTimer::timeout, this, [this] {
        if (peerGone())
            closeFd();
    });
    // Both calls work on any open descriptor; failure would mean fd is not
    // one, and the first read then reports it as closed.
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(m_fd, F_SETFD, FD_CLOEXEC);
    m_readNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read, this);
    m_writeNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &FdSocket::onReadable);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &FdSocket::onWritable);
    QIODevice::open(QIODevice::ReadWrite | QIODevice::Unbuffered);
}

FdSocket::~FdSocket()
{
    if (m_fd >= 0) {
        delete m_readNotifier; // before the descriptor they watch
        delete m_writeNotifier;
        ::close(m_fd);
    }
}

qint64 FdSocket::readData(char *data, qint64 maxSize)
{
    const qint64 n = qMin<qint64>(maxSize, m_in.size());
    std::memcpy(data, m_in.constData(), size_t(n));
    m_in.remove(0, qsizetype(n));
    if (m_in.isEmpty())
        m_in.clear(); // frees it: a burst's capacity (up to 1 MiB) must not stay per client
    if (n == 0 && (m_eof || m_fd < 0))
        return -1;
    return n;
}

qint64 FdSocket::writeData(const char *data, qint64 size)
{
    if (m_fd < 0 || m_closing)
        return -1;
    m_out.append(data, qsizetype(size));
    return size;
}

bool FdSocket::flush()
{
    while (m_fd >= 0 && !m_out.isEmpty()) {
        const ssize_t n = ::send(m_fd, m_out.constData(), size_t(m_out.size()), MSG_NOSIGNAL);
        if (n > 0) {
            m_out.remove(0, qsizetype(n));
            Q_EMIT bytesWritten(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            m_writeNotifier->setEnabled(true);
            return true;
        }
        closeFd(); // EPIPE, ECONNRESET: the peer is gone
        return false;
    }
    if (m_fd < 0)
        return false;
    m_writeNotifier->setEnabled(false);
    if (m_closing)
        closeFd();
    return true;
}

void FdSocket::onWritable()
{
    flush();
}

void FdSocket::onReadable()
{
    bool got = false;
    for (int i = 0; i < kMaxReadsPerWakeup && m_fd >= 0; ++i) {
        const qsizetype old = m_in.size();
        m_in.resize(old + kReadChunk);
        const ssize_t n = ::recv(m_fd, m_in.data() + old, size_t(kReadChunk), 0);
        m_in.resize(old + qMax<qsizetype>(0, n));
        if (n > 0) {
            got = true;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got)
            Q_EMIT readyRead();
        got = false;
        if (n == 0 && !peerGone()) {
            // Half-closed: the peer may still read what we write.
            m_eof = true;
            m_readNotifier->setEnabled(false);
            m_hupCheck.start();
            Q_EMIT inputFinished();
        } else {
            m_eof = true;
            closeFd(); // closed for good, or broken
        }
        return;
    }
    if (got)
        Q_EMIT readyRead();
}

void FdSocket::disconnectFromPeer()
{
    if (m_fd < 0)
        return;
    m_closing = true;
    flush(); // closes once everything is written
}

void FdSocket::abort()
{
    m_out.clear();
    closeFd();
}

bool FdSocket::peerGone() const
{
    // A Unix socket whose peer closed both directions reports POLLHUP; one
    // whose peer only shut its writing side does not.
    pollfd pfd{m_fd, POLLOUT, 0};
    return m_fd < 0 || (::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)));
}

void retireNotifier(QSocketNotifier *&notifier)
{
    if (!notifier)
        return;
    notifier->setEnabled(false);
    notifier->deleteLater();
    notifier = nullptr;
}

void FdSocket::closeFd()
{
    if (m_fd < 0)
        return;
    m_hupCheck.stop();
    retireNotifier(m_readNotifier);
    retireNotifier(m_writeNotifier);
    ::close(m_fd);
    m_fd = -1;
    m_out.clear();
    Q_EMIT disconnected();
}

} // namespace dfm
