#include "resources.h"

#include <QRegularExpression>

namespace dfm {

bool parseResourceRequest(const QJsonObject &obj, ResourceRequest *req, QString *err)
{
    ResourceRequest r;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const QString &k = it.key();
        const QJsonValue v = it.value();
        if (v.isNull())
            continue;
        if (k == QLatin1String("cores")) {
            const double d = v.toDouble(-1);
            if (!v.isDouble() || d < 1 || d != double(int(d))) {
                *err = QStringLiteral("task: resources.cores must be a positive integer");
                return false;
            }
            r.cores = int(d);
            continue;
        }
        QString *target = k == QLatin1String("memory")     ? &r.memory
                          : k == QLatin1String("queue")    ? &r.queue
                          : k == QLatin1String("walltime") ? &r.walltime
                                                           : nullptr;
        if (!target) {
            *err = QStringLiteral("task: resources: unknown field '%1' (known: cores, memory, queue, walltime)").arg(k);
            return false;
        }
        if (!v.isString()) {
            *err = QStringLiteral("task: resources.%1 must be a string").arg(k);
            return false;
        }
        *target = v.toString().trimmed();
        // Keys stay parseable: no braces, commas or '=' inside a value.
        static const QRegularExpression bad(QStringLiteral("[{}=,\\s]"));
        if (target->contains(bad)) {
            *err = QStringLiteral("task: resources.%1: '%2' may not contain spaces, braces, commas or '='")
                       .arg(k, *target);
            return false;
        }
    }
    qint64 mb = 0;
    if (!r.memory.isEmpty() && !parseMemoryMB(r.memory, &mb)) {
        *err = QStringLiteral("task: resources.memory: expected a size such as 512M or 4G, got '%1'").arg(r.memory);
        return false;
    }
    *req = r;
    return true;
}

QString poolClassKey(const QString &resourceClass, const ResourceRequest &req)
{
    if (req.isEmpty())
        return resourceClass;
    QStringList parts;
    if (req.cores)
        parts << QStringLiteral("cores=%1").arg(req.cores);
    if (!req.memory.isEmpty())
        parts << QStringLiteral("memory=") + req.memory;
    if (!req.queue.isEmpty())
        parts << QStringLiteral("queue=") + req.queue;
    if (!req.walltime.isEmpty())
        parts << QStringLiteral("walltime=") + req.walltime;
    return resourceClass + QLatin1Char('{') + parts.join(QLatin1Char(',')) + QLatin1Char('}');
}

bool splitPoolClassKey(const QString &key, QString *resourceClass, ResourceRequest *req)
{
    *req = ResourceRequest();
    const qsizetype brace = key.indexOf(QLatin1Char('{'));
    if (brace < 0) {
        *resourceClass = key;
        return true;
    }
    if (!key.endsWith(QLatin1Char('}')))
        return false;
    *resourceClass = key.left(brace);
    const QString body = key.mid(brace + 1, key.size() - brace - 2);
    for (const QString &part : body.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq < 1)
            return false;
        const QString k = part.left(eq), v = part.mid(eq + 1);
        if (k == QLatin1String("cores"))
            req->cores = v.toInt();
        else if (k == QLatin1String("memory"))
            req->memory = v;
        else if (k == QLatin1String("queue"))
            req->queue = v;
        else if (k == QLatin1String("walltime"))
            req->walltime = v;
        else
            return false;
    }
    return true;
}

ResourceSpec resolveResources(const RunnerConfig &cfg, const QString &key)
{
    QString cls;
    ResourceRequest req;
    if (!splitPoolClassKey(key, &cls, &req))
        cls = key;
    ResourceSpec tag;
    tag.cores = req.cores;
    tag.memory = req.memory;
    tag.queue = req.queue;
    tag.walltime = req.walltime;
    ResourceSpec r = mergeResources(cfg.defaults, tag);
    const auto it = cfg.resourceClasses.constFind(cls);
    if (it != cfg.resourceClasses.constEnd())
        r = mergeResources(r, *it);
    return r;
}

} // namespace dfm
