#include "monitorsession.h"

#include "daemonclient.h"

namespace dfm {

namespace {
constexpr int kConnectTimeoutMs = 500; /* a local socket answers at once or not at all */
constexpr int kDefaultRetryMs = 1000;
} // namespace

MonitorSession::MonitorSession(const ProjectPaths &paths, QObject *parent)
    : QObject(parent), m_paths(paths)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(kDefaultRetryMs);
    connect(&m_retry, &QTimer::timeout, this, &MonitorSession::tryConnect);
}

MonitorSession::~MonitorSession()
{
    if (m_client)
        m_client->disconnect(this);
}

void MonitorSession::start()
{
    QTimer::singleShot(0, this, &MonitorSession::tryConnect);
}

void MonitorSession::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

void MonitorSession::tryConnect()
{
    if (m_client) {
        m_client->disconnect(this);
        m_client->deleteLater();
    }
    m_client = new DaemonClient(this);
    QString err;
    if (!m_client->connectTo(m_paths.socket, kConnectTimeoutMs, &err)) {
        lose(QStringLiteral("no daemon for %1 (%2)").arg(m_paths.root, err));
        return;
    }
    connect(m_client, &DaemonClient::messageReceived, this, &MonitorSession::onMessage);
    connect(m_client, &DaemonClient::disconnected, this,
            [this] { lose(QStringLiteral("the daemon for %1 went away").arg(m_paths.root)); });
    setState(State::Connecting);
    m_client->send(proto::kMonitorSubscribe);
}

void MonitorSession::onMessage(const proto::Message &msg)
{
    if (msg.isResponse()) {
        if (msg.hasError)
            lose(QStringLiteral("the daemon refused to be monitored: %1").arg(msg.error));
        return; // "subscribed"
    }
    if (!msg.isEvent())
        return;
    const unsigned flags = m_model.apply(msg.method, msg.params);
    if (msg.method == proto::kEvSnapshot) {
        m_lastError.clear();
        setState(State::Connected);
    }
    if (flags != MonitorModel::NoChange)
        Q_EMIT changed(flags);
}

void MonitorSession::lose(const QString &why)
{
    const bool hadModel = m_model.hasSnapshot();
    m_lastError = why;
    if (m_client) {
        m_client->disconnect(this);
        m_client->close();
        m_client->deleteLater();
        m_client = nullptr;
    }
    m_model.clear();
    setState(State::Gone);
    if (hadModel)
        Q_EMIT changed(MonitorModel::Everything);
    m_retry.start();
}

} // namespace dfm
