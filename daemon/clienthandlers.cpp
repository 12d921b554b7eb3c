#include "clienthandlers.h"

#include "wirelines.h"

namespace dfm {

namespace {

ClientReply send(const QJsonObject &msg)
{
    return ClientReply{ClientReply::Send, msg};
}

ClientReply replyToSubmit(Engine &engine, quint64 clientId, const proto::TaskSpec &spec, const QJsonValue &id,
                          bool notify)
{
    // The reply to a submit is its RESULT, sent with the submit's id (the tag).
    // Extension: `notify_started: true` asks for a task.started event on
    // this connection each time the task is sent to a worker.
    switch (engine.submit(clientId, spec, id, notify)) {
    case SubmitError::None:
        return ClientReply{ClientReply::Deferred, {}};
    case SubmitError::DuplicateId:
        return send(proto::errorResponse(
            id, QStringLiteral("task.submit: request_id '%1' is already outstanding on this "
                               "connection; use a unique request_id per task")
                    .arg(spec.requestId)));
    case SubmitError::ShuttingDown:
        break;
    }
    return send(proto::errorResponse(id, QStringLiteral("task.submit: the daemon is shutting down")));
}

ClientReply handleSubmit(Engine &engine, quint64 clientId, const proto::Message &req)
{
    proto::TaskSpec spec;
    QString err;
    if (!proto::parseTaskSpec(req.params, &spec, &err))
        return send(proto::errorResponse(req.id, QStringLiteral("task.submit: %1").arg(err)));
    proto::spliceTaskExecuteParams(req.line, &spec.executeParams); // else encoded from spec.raw
    return replyToSubmit(engine, clientId, spec, req.id, req.params.value(QLatin1String("notify_started")).toBool());
}

ClientReply handleCancel(Engine &engine, quint64 clientId, const proto::Message &req)
{
    const QJsonValue rid = req.params.value(QLatin1String("request_id"));
    if (!rid.isString() || rid.toString().isEmpty())
        return send(proto::errorResponse(req.id, QStringLiteral("task.cancel: missing string field 'request_id'")));
    if (!engine.cancel(clientId, rid.toString()))
        return send(proto::errorResponse(
            req.id, QStringLiteral("task.cancel: no outstanding task with request_id '%1' on this "
                                   "connection")
                        .arg(rid.toString())));
    return send(proto::response(req.id, QStringLiteral("cancelled")));
}

} // namespace

ClientReply handleScannedSubmit(Engine &engine, quint64 clientId, const proto::ScannedSubmit &submit)
{
    return replyToSubmit(engine, clientId, submit.spec, submit.id, submit.notifyStarted);
}

proto::DaemonStatus daemonStatus(const Engine &engine, const DaemonFacts &facts)
{
    proto::DaemonStatus s = engine.status();
    s.pid = facts.pid;
    s.started = facts.started;
    s.socket = facts.socket;
    s.workerPort = engine.workerPort();
    s.clients = facts.clients;
    s.monitors = facts.monitors;
    s.clientList = facts.clientList;
    s.version = QStringLiteral(DFM_VERSION);
    return s;
}

ClientReply handleClientRequest(Engine &engine, const DaemonFacts &facts, quint64 clientId,
                                const proto::Message &req)
{
    const QString &m = req.method;
    if (m == proto::kPing)
        return send(proto::response(req.id, QStringLiteral("pong")));
    if (m == proto::kTaskSubmit)
        return handleSubmit(engine, clientId, req);
    if (m == proto::kTaskCancel)
        return handleCancel(engine, clientId, req);
    if (m == proto::kStatusGet)
        return send(proto::response(req.id, daemonStatus(engine, facts).toJson()));
    if (m == proto::kMonitorSubscribe)
        return ClientReply{ClientReply::SendAndSubscribe, proto::response(req.id, QStringLiteral("subscribed"))};
    if (m == proto::kShutdown)
        return ClientReply{ClientReply::SendAndShutdown, proto::response(req.id, QStringLiteral("shutting_down"))};
    return send(proto::errorResponse(req.id, QStringLiteral("Unknown method: %1").arg(m)));
}

} // namespace dfm
