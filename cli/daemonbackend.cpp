#include "daemonbackend.h"

#include "payloads.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSet>
#include <QTimer>

#include <utility>

namespace dfm::cli {

DaemonBackend::DaemonBackend(const DaemonState &state, QObject *parent)
    : TaskBackend(parent), m_state(state)
{
    connect(&m_client, &DaemonClient::messageReceived, this, &DaemonBackend::onMessage);
    connect(&m_client, &DaemonClient::disconnected, this, [this] {
        if (!m_finishing)
            Q_EMIT lost(QStringLiteral("daemon connection lost"));
    });
    m_poll.setInterval(500);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_submits.isEmpty() || m_notified)
            m_poll.stop();
        else if (m_statusId < 0)
            m_statusId = m_client.send(proto::kStatusGet);
    });
}

void DaemonBackend::refreshRunning()
{
    // Always a fresh status.get: one already in flight may have been
    // answered before the latest dispatch, and would count one task short.
    m_refreshId = m_client.send(proto::kStatusGet);
}

void DaemonBackend::onStatus(const QJsonObject &status)
{
    const proto::DaemonStatus st = proto::DaemonStatus::fromJson(status);
    // Which client this connection is: the one whose peer pid is ours. Other
    // runs of the same flow use the same request_ids.
    if (m_clientId < 0) {
        const qint64 self = QCoreApplication::applicationPid();
        int matches = 0;
        qint64 id = -1;
        for (const proto::ClientInfo &c : st.clientList) {
            if (c.pid == self) {
                ++matches;
                id = c.client;
            }
        }
        if (matches == 1) // else unknown (an older daemon): match by request_id alone
            m_clientId = id;
    }
    for (const proto::RunningTask &r : st.running) {
        const QString &rid = r.requestId;
        if (!m_outstanding.contains(rid) || (m_clientId >= 0 && r.client != m_clientId))
            continue;
        reportStarted(rid, r.startedMs);
    }
}

void DaemonBackend::reportStarted(const QString &requestId, qint64 startedMs)
{
    const qint64 ms = startedMs > 0 ? startedMs : QDateTime::currentMSecsSinceEpoch();
    if (m_started.value(requestId, -1) != ms) {
        m_started.insert(requestId, ms);
        Q_EMIT taskStarted(requestId, ms);
    }
}

void DaemonBackend::onStarted(const QJsonObject &params)
{
    m_notified = true;
    m_poll.stop();
    const proto::RunningTask t = proto::RunningTask::fromJson(params);
    // Only this connection's tasks are notified; a request_id no longer
    // outstanding is a notice that crossed its result.
    if (m_outstanding.contains(t.requestId))
        reportStarted(t.requestId, t.startedMs);
}

bool DaemonBackend::start(QString *err)
{
    return m_client.connectTo(m_state.socket, 5000, err);
}

void DaemonBackend::submit(const proto::TaskSpec &spec)
{
    QJsonObject params = spec.raw;
    params.insert(QStringLiteral("notify_started"), true); // extension: task.started events
    m_submits.insert(m_client.send(proto::kTaskSubmit, params), spec.requestId);
    m_outstanding.insert(spec.requestId);
    if (!m_notified && !m_poll.isActive())
        m_poll.start();
}

void DaemonBackend::cancel(const QString &requestId)
{
    // The reply ("cancelled" or "no outstanding task") is not needed: the
    // task's RESULT answers its submit either way.
    m_client.send(proto::kTaskCancel, {{QStringLiteral("request_id"), requestId}});
}

void DaemonBackend::onMessage(const proto::Message &msg)
{
    if (m_finishing)
        return;
    if (msg.isEvent() && msg.method == proto::kEvTaskStarted) {
        onStarted(msg.params);
        return;
    }
    if (!msg.isResponse())
        return;
    if (msg.id.toInteger() == m_statusId || msg.id.toInteger() == m_refreshId) {
        const bool refresh = msg.id.toInteger() == m_refreshId;
        (refresh ? m_refreshId : m_statusId) = -1;
        if (!msg.hasError)
            onStatus(msg.result.toObject());
        if (refresh)
            Q_EMIT runningRefreshed();
        return;
    }
    const auto it = m_submits.find(msg.id.toInteger());
    if (it == m_submits.end())
        return; // a task.cancel reply
    const QString rid = it.value();
    m_submits.erase(it);
    m_outstanding.remove(rid);
    m_started.remove(rid);
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
    m_poll.stop();
    m_client.close();
    QTimer::singleShot(0, this, &TaskBackend::finished);
}

QString DaemonBackend::describe() const
{
    return QStringLiteral("through daemon pid %1").arg(m_state.pid);
}

} // namespace dfm::cli
