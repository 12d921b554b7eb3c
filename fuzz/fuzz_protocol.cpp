// Fuzzes the framing and the protocol parser: the bytes arrive in chunks
// (sizes taken from the input itself), lines are parsed as messages, and
// every payload parser a message can reach is run on its params. The
// scanners of the per-task messages (core/wirescan.h) must take only what
// the parsed route takes, and give what it gives.

#include "framing.h"
#include "protocol.h"
#include "wirelines.h"
#include "wirescan.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace dfm;

namespace {

QJsonObject withoutKeys(QJsonObject o, std::initializer_list<const char *> keys)
{
    for (const char *k : keys)
        o.remove(QLatin1String(k));
    return o;
}

// A scanned submit against the parsed route: the same task, the same
// params for the worker.
void checkScannedSubmit(const QByteArray &line)
{
    proto::ScannedSubmit s;
    if (!proto::scanTaskSubmit(line, &s))
        return;
    proto::Message msg;
    proto::TaskSpec spec;
    QString err;
    if (!proto::parse(line, &msg, &err) || !msg.isRequest() || msg.method != proto::kTaskSubmit
        || !proto::parseTaskSpec(msg.params, &spec, &err))
        abort();
    if (s.id != msg.id || s.spec.requestId != spec.requestId || s.spec.name != spec.name
        || s.spec.resourceClass != spec.resourceClass || s.spec.poolClass != spec.poolClass
        || s.notifyStarted != msg.params.value(QLatin1String("notify_started")).toBool())
        abort();
    const QJsonObject sent = QJsonDocument::fromJson(proto::composeTaskExecute(s.spec.executeParams, "r", "n"))
                                 .object().value(QLatin1String("params")).toObject();
    const auto notPassed = {"request_id", "name", "notify_started"};
    if (withoutKeys(sent, notPassed) != withoutKeys(msg.params, notPassed))
        abort();
}

QJsonObject objectOf(const proto::PassedResult &r)
{
    QByteArray text;
    r.appendObject(&text);
    return QJsonDocument::fromJson(text).object();
}

// A scanned task.result against the parsed route: the same facts, the same
// RESULT for the client.
void checkScannedResult(const QByteArray &line)
{
    QByteArray rid;
    proto::PassedResult s;
    if (!proto::scanTaskResult(line, &rid, &s))
        return;
    proto::Message msg;
    proto::TaskResult parsed;
    QString err;
    if (!proto::parse(line, &msg, &err) || msg.method != proto::kTaskResult
        || !proto::parseTaskResult(msg.params, &parsed, &err))
        abort();
    const proto::PassedResult want = proto::passedResult(parsed);
    const auto valueOf = [](const QByteArray &text) { return QJsonDocument::fromJson("[" + text + "]").array(); };
    if (rid != msg.params.value(QLatin1String("request_id")).toString().toUtf8() || s.status != want.status
        || s.cancelled != want.cancelled || s.hasCancelled != want.hasCancelled || s.hasDuration != want.hasDuration
        || s.durationMs != want.durationMs || s.log != want.log || s.hostname != want.hostname
        || valueOf(s.hostnameJson) != valueOf(want.hostnameJson) || objectOf(s) != objectOf(want))
        abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks the chunk size and a small line cap now and then,
    // so the overflow paths are reached without megabytes of input.
    const size_t chunk = 1 + data[0] % 64;
    LineReader reader(data[0] & 0x80 ? 256 : kMaxLineBytes);
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    size_t left = size - 1;
    while (left > 0) {
        const size_t n = left < chunk ? left : chunk;
        if (!reader.append(QByteArray(bytes, qsizetype(n))))
            break;
        bytes += n;
        left -= n;
        QByteArray line;
        while (reader.next(&line)) {
            checkScannedSubmit(line);
            checkScannedResult(line);
            proto::Message msg;
            QString err;
            if (!proto::parse(line, &msg, &err))
                continue;
            proto::TaskSpec spec;
            proto::parseTaskSpec(msg.params, &spec, &err);
            // The daemon passes a submit's params on as written: the worker,
            // parsing the execute line, must see the params the daemon saw
            // (a request's: only a message with a method has params).
            QByteArray spliced;
            if (!msg.method.isEmpty() && proto::spliceTaskExecuteParams(msg.line, &spliced)) {
                const QByteArray line = proto::composeTaskExecute(spliced, "r", "n");
                QJsonObject sent = QJsonDocument::fromJson(line).object().value(QLatin1String("params")).toObject();
                QJsonObject seen = msg.params;
                for (const char *k : {"request_id", "name", "notify_started"}) {
                    sent.remove(QLatin1String(k));
                    seen.remove(QLatin1String(k));
                }
                if (sent != seen)
                    abort();
            }
            proto::WorkerRegistration reg;
            proto::parseRegistration(msg.params, &reg, &err);
            proto::TaskResult result;
            if (proto::parseTaskResult(msg.params, &result, &err))
                (void)proto::encode(result.toJson());
        }
    }
    return 0;
}
