#include "daemonbackend.h"

#include <QTimer>

namespace dfm::cli {

DaemonBackend::DaemonBackend(const DaemonState &state, QObject *parent)
    : TaskBackend(parent), m_state(state)
{
    connect(&m_client, &DaemonClient::messageReceived, this, &DaemonBackend::onMessage);
    connect(&m_client, &DaemonClient::disconnected, this, [this] {
        if (!m_finishing)
            Q_EMIT lost(QStringLiteral("daemon connection lost"));
    });
}

bool DaemonBackend::start(QString *err)
{
    return m_client.connectTo(m_state.socket, 5000, err);
}

void DaemonBackend::submit(const proto::TaskSpec &spec)
{
    m_submits.insert(m_client.send(proto::kTaskSubmit, spec.raw), spec.requestId);
}

void DaemonBackend::cancel(const QString &requestId)
{
    // The reply ("cancelled" or "no outstanding task") is not needed: the
    // task's RESULT answers its submit either way.
    m_client.send(proto::kTaskCancel, {{QStringLiteral("request_id"), requestId}});
}

void DaemonBackend::onMessage(const proto::Message &msg)
{
    if (m_finishing || !msg.isResponse())
        return;
    const auto it = m_submits.find(msg.id.toInteger());
    if (it == m_submits.end())
        return; // a task.cancel reply
    const QString rid = it.value();
    m_submits.erase(it);
    proto::TaskResult result;
    QString err;
    if (msg.hasError)
        result = proto::failedResult(QStringLiteral("daemon: %1").arg(msg.error));
    else if (!proto::parseTaskResult(msg.result.toObject(), &result, &err))
        result = proto::failedResult(QStringLiteral("daemon sent a malformed result: %1").arg(err));
    Q_EMIT taskFinished(rid, result);
}

void DaemonBackend::finish()
{
    m_finishing = true;
    m_client.close();
    QTimer::singleShot(0, this, &TaskBackend::finished);
}

QString DaemonBackend::describe() const
{
    return QStringLiteral("through daemon pid %1").arg(m_state.pid);
}

} // namespace dfm::cli
