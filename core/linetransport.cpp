#include "linetransport.h"

#include "fdsocket.h"

#include <QTimer>

#include <algorithm>
#include <vector>

namespace dfm {

namespace {
constexpr int kCloseGraceMs = 5000; /* a graceful close that does not drain is aborted */
/// Inside a read pass, a backlog this large is written at once rather than
/// at the end of the pass.
constexpr qint64 kFlushEarlyBytes = 64 * 1024;

// The read passes of this thread (transports live on the thread of their
// device and are driven by its event loop).
thread_local int t_passDepth = 0;                      /* nested processInput() calls */
thread_local std::vector<LineTransport *> t_unflushed; /* sent to during the pass */
} // namespace

/// One read pass: what is sent while it lasts is written when the outermost
/// pass ends. A system call per line written cost more than the line.
class ReadPass {
public:
    ReadPass() { ++t_passDepth; }
    ~ReadPass()
    {
        if (--t_passDepth > 0)
            return;
        // Flushing may emit signals whose receivers send more: take turns
        // until nothing is left.
        while (!t_unflushed.empty()) {
            std::vector<LineTransport *> due;
            due.swap(t_unflushed);
            for (LineTransport *t : due) {
                t->m_flushQueued = false;
                t->flushDevice();
            }
        }
    }
    ReadPass(const ReadPass &) = delete;
    ReadPass &operator=(const ReadPass &) = delete;
};

LineTransport::LineTransport(FdSocket *device, Role role, QObject *parent)
    : QObject(parent), m_device(device), m_role(role)
{
    connect(m_device, &QIODevice::readyRead, this, &LineTransport::processInput);
    connect(m_device, &FdSocket::disconnected, this, &LineTransport::onDisconnected);
    connect(m_device, &FdSocket::inputFinished, this, [this] {
        processInput();
        if (m_open)
            Q_EMIT inputEnded();
    });
}

LineTransport::~LineTransport()
{
    if (m_flushQueued)
        t_unflushed.erase(std::find(t_unflushed.begin(), t_unflushed.end(), this));
    if (m_device)
        m_device->disconnect(this);
}

void LineTransport::setMaxLineBytes(qsizetype bytes)
{
    m_maxLine = bytes;
    if (!m_reader.setMaxLine(bytes) && m_open)
        rejectOverlong();
}

void LineTransport::setLineFilter(LineFilter filter)
{
    if (m_inFilter)
        m_retiredFilter = std::move(m_filter);
    m_filter = std::move(filter);
}

bool LineTransport::send(const QJsonObject &obj)
{
    if (!m_open)
        return false;
    return sendLine(proto::encode(obj));
}

bool LineTransport::sendLine(const QByteArray &line)
{
    if (!m_open)
        return false;
    const qint64 queued = backlog() + line.size();
    if (m_maxOutput > 0 && queued > m_maxOutput) {
        Q_EMIT outputOverflow(queued);
        abort();
        return false;
    }
    m_device->write(line);
    if (t_passDepth > 0 && backlog() < kFlushEarlyBytes)
        flushLater();
    else
        flushDevice();
    return true;
}

void LineTransport::flushLater()
{
    if (m_flushQueued)
        return;
    m_flushQueued = true;
    t_unflushed.push_back(this);
}

void LineTransport::flush()
{
    if (m_flushQueued) {
        m_flushQueued = false;
        t_unflushed.erase(std::find(t_unflushed.begin(), t_unflushed.end(), this));
    }
    flushDevice();
}

void LineTransport::flushDevice()
{
    if (m_device)
        m_device->flush();
}

void LineTransport::disconnectDevice(bool graceful)
{
    if (!m_device)
        return;
    if (graceful)
        m_device->disconnectFromPeer();
    else
        m_device->abort();
}

bool LineTransport::deviceUnconnected() const
{
    return !m_device || !m_device->isConnected();
}

void LineTransport::close()
{
    if (!m_open)
        return;
    m_open = false;
    disconnectDevice(true);
    // A graceful close waits for the queue to drain, and disconnected()
    // finishes; a peer that never reads it is cut off after a grace period.
    if (deviceUnconnected())
        finish();
    else
        QTimer::singleShot(kCloseGraceMs, this, &LineTransport::abort);
}

void LineTransport::abort()
{
    if (m_closeQueued)
        return;
    m_open = false;
    m_device->disconnect(this); // no re-entrant signals from inside abort()
    disconnectDevice(false);
    finish();
}

void LineTransport::finish()
{
    if (m_closeQueued)
        return;
    m_closeQueued = true;
    QTimer::singleShot(0, this, [this] { Q_EMIT closed(); });
}

void LineTransport::onDisconnected()
{
    if (m_open)
        processInput(); // what arrived before the end is still delivered
    m_open = false;
    finish();
}

void LineTransport::rejectOverlong()
{
    const QString err = QStringLiteral("Line too long: a message exceeds %1 bytes; closing the connection")
                            .arg(m_maxLine);
    if (m_role == Role::Server)
        send(proto::errorResponse(QJsonValue::Undefined, err));
    close();
    Q_EMIT badLine(err); // isOpen() is false: the receiver may tell it is fatal
}

void LineTransport::processInput()
{
    const ReadPass pass; // what the handlers send is written when it ends
    if (m_reader.overflowed())
        return;
    if (m_device->bytesAvailable() > 0 && !m_reader.append(m_device->readAll())) {
        if (m_open)
            rejectOverlong();
        return;
    }
    QByteArray line;
    while (m_open && m_reader.next(&line)) {
        if (m_filter) {
            m_inFilter = true;
            const bool took = m_filter(line);
            m_inFilter = false;
            m_retiredFilter = nullptr;
            if (took) {
                if (m_reader.overflowed())
                    break;
                continue;
            }
        }
        proto::Message msg;
        QString err;
        if (!proto::parse(line, &msg, &err)) {
            if (m_role == Role::Server)
                send(proto::errorResponse(msg.id, err));
            Q_EMIT badLine(err);
            continue;
        }
        Q_EMIT messageReceived(msg);
        if (m_reader.overflowed())
            break; // a receiver lowered the cap below what is buffered
    }
    if (m_reader.overflowed() && m_open)
        rejectOverlong();
}

} // namespace dfm
