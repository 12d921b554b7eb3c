#include "lineconnection.h"

#include <QAbstractSocket>
#include <QLocalSocket>

namespace dfm {

LineConnection::LineConnection(QIODevice *socket, QObject *parent)
    : QObject(parent), m_socket(socket)
{
    m_socket->setParent(this);
    connect(m_socket, &QIODevice::readyRead, this, &LineConnection::onReadyRead);
    if (auto *ls = qobject_cast<QLocalSocket *>(m_socket))
        connect(ls, &QLocalSocket::disconnected, this, &LineConnection::onDisconnected);
    else if (auto *ts = qobject_cast<QAbstractSocket *>(m_socket))
        connect(ts, &QAbstractSocket::disconnected, this, &LineConnection::onDisconnected);
}

LineConnection::~LineConnection()
{
    m_socket->disconnect(this);
}

void LineConnection::send(const QJsonObject &obj)
{
    if (m_open)
        m_socket->write(proto::encode(obj));
}

void LineConnection::close()
{
    if (!m_open)
        return;
    if (auto *ls = qobject_cast<QLocalSocket *>(m_socket)) {
        ls->flush();
        ls->disconnectFromServer();
    } else if (auto *ts = qobject_cast<QAbstractSocket *>(m_socket)) {
        ts->flush();
        ts->disconnectFromHost();
    }
}

void LineConnection::onReadyRead()
{
    if (!m_open)
        return;
    if (!m_reader.append(m_socket->readAll())) {
        const QString err = QStringLiteral("Line too long: a message exceeds %1 bytes; closing "
                                           "the connection")
                                .arg(kMaxLineBytes);
        send(proto::errorResponse(QJsonValue::Undefined, err));
        Q_EMIT badLine(err);
        close();
        return;
    }
    QByteArray line;
    while (m_open && m_reader.next(&line)) {
        proto::Message msg;
        QString err;
        if (!proto::parse(line, &msg, &err)) {
            send(proto::errorResponse(msg.id, err));
            Q_EMIT badLine(err);
            continue;
        }
        Q_EMIT messageReceived(msg);
    }
    if (m_reader.overflowed()) {
        send(proto::errorResponse(QJsonValue::Undefined,
                                  QStringLiteral("Line too long; closing the connection")));
        close();
    }
}

void LineConnection::onDisconnected()
{
    if (!m_open)
        return;
    m_open = false;
    Q_EMIT closed();
}

} // namespace dfm
