#include "acceptloop.h"

#include "fdsocket.h"
#include "format.h"

#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace dfm {

namespace {
constexpr int kAcceptsPerWakeup = 64; /* then yield to the event loop */

} // namespace

AcceptLoop::AcceptLoop(QObject *parent) : QObject(parent)
{
    m_resume.setSingleShot(true);
    connect(&m_resume, &QTimer::timeout, this, [this] {
        if (m_notifier)
            m_notifier->setEnabled(true);
    });
}

AcceptLoop::~AcceptLoop()
{
    close();
}

void AcceptLoop::start(int fd, const QString &where)
{
    close();
    m_fd = fd;
    m_where = where;
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &AcceptLoop::onReadable);
}

void AcceptLoop::close()
{
    m_resume.stop();
    retireNotifier(m_notifier);
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void AcceptLoop::pause()
{
    m_notifier->setEnabled(false);
    m_resume.start(m_pauseMs);
}

void AcceptLoop::onReadable()
{
    for (int i = 0; i < kAcceptsPerWakeup && m_fd >= 0; ++i) {
        const int c = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0) {
            if (m_starved) {
                Q_EMIT logMessage(QStringLiteral("accepting on %1 again (%2 accept attempts failed while "
                                                 "out of descriptors)")
                                      .arg(m_where)
                                      .arg(m_refused));
                m_starved = false;
                m_refused = 0;
            }
            Q_EMIT accepted(c);
            continue;
        }
        const int e = errno;
        switch (e) {
        case EAGAIN:
#if EAGAIN != EWOULDBLOCK
        case EWOULDBLOCK:
#endif
            return;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue; // that peer gave up; the next may be fine
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            ++m_refused;
            if (!m_starved) {
                m_starved = true;
                Q_EMIT logMessage(QStringLiteral("cannot accept on %1: %2; pausing accepts for %3 ms at a time "
                                                 "until descriptors are free (the socket stays open)")
                                      .arg(m_where, fmt::errnoText(e))
                                      .arg(m_pauseMs));
            }
            pause();
            return;
        default:
            Q_EMIT logMessage(QStringLiteral("accept on %1 failed: %2; still listening").arg(m_where, fmt::errnoText(e)));
            pause();
            return;
        }
    }
}

} // namespace dfm
