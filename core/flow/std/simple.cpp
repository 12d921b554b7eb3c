// std.Message, std.CreateFile, std.SetEnv, std.SetFileType, std.IncDirs.

#include "flow/std/stdimpl.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>

namespace dfm::flow::stdimpl {

proto::TaskResult message(const StdTaskInput &in, QString *log)
{
    *log += QStringLiteral("%1: %2\n").arg(in.name, in.params.value(QLatin1String("msg")).toString());
    proto::TaskResult r;
    r.changed = true; // the Python TaskDataResult's default
    return r;
}

proto::TaskResult createFile(const StdTaskInput &in, QString *log)
{
    Q_UNUSED(log);
    proto::TaskResult r;
    const QString filename = in.params.value(QLatin1String("filename")).toString();
    const QString content = in.params.value(QLatin1String("content")).toString();
    bool changed = in.changed || !in.memento.isObject();
    if (!changed) {
        const QJsonObject old = in.memento.toObject();
        const QString hash = QString::fromLatin1(QCryptographicHash::hash(content.toUtf8(), QCryptographicHash::Md5).toHex());
        changed = old.value(QLatin1String("name")).toString() != filename || old.value(QLatin1String("hash")).toString() != hash;
    }
    if (filename.isEmpty() || filename.split(QLatin1Char('/')).contains(QStringLiteral(".."))) {
        r.status = 1;
        r.markers.append(proto::marker(QStringLiteral("std.CreateFile: 'filename' must be a relative path inside the rundir, got '%1'").arg(filename)));
        return r;
    }
    if (changed) {
        const QString path = in.rundir + QLatin1Char('/') + filename;
        QSaveFile f(path);
        if (!QDir().mkpath(QFileInfo(path).absolutePath()) || !f.open(QIODevice::WriteOnly)
            || f.write(content.toUtf8()) != content.toUtf8().size() || !f.commit()) {
            r.status = 1;
            r.markers.append(proto::marker(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
            return r;
        }
    }
    r.changed = changed;
    r.output.append(fileSetItem(in.name, in.params.value(QLatin1String("type")).toString(), in.rundir, QJsonArray{filename}));
    // The Python task returns an empty memento, so every run counts as changed; kept for identical results.
    r.memento = QJsonObject{{QStringLiteral("name"), QString()}, {QStringLiteral("hash"), QString()}};
    return r;
}

namespace {

/// SetEnv's value resolution: a glob (relative to srcdir) becomes its
/// sorted absolute matches joined with ':'; no match keeps it literal.
QJsonObject resolveEnvMap(const QJsonValue &v, const QString &srcdir)
{
    QJsonObject out;
    const QJsonObject in = v.toObject();
    for (auto it = in.begin(); it != in.end(); ++it) {
        if (it.value().isString() && isGlob(it.value().toString())) {
            const QString s = it.value().toString();
            QStringList matches = glob(QDir::isAbsolutePath(s) ? s : srcdir + QLatin1Char('/') + s);
            if (!matches.isEmpty()) {
                for (QString &m : matches)
                    m = QDir::cleanPath(QFileInfo(m).absoluteFilePath());
                std::sort(matches.begin(), matches.end());
                out.insert(it.key(), matches.join(QLatin1Char(':')));
                continue;
            }
        }
        out.insert(it.key(), it.value());
    }
    return out;
}

QJsonArray sortedPairs(const QJsonObject &o)
{
    QJsonArray a;
    for (auto it = o.begin(); it != o.end(); ++it) // QJsonObject iterates in key order
        a.append(QJsonArray{it.key(), it.value()});
    return a;
}

} // namespace

proto::TaskResult setEnv(const StdTaskInput &in, QString *log)
{
    Q_UNUSED(log);
    proto::TaskResult r;
    QJsonObject env{{QStringLiteral("type"), QStringLiteral("std.Env")},
                    {QStringLiteral("vals"), QJsonObject()},
                    {QStringLiteral("append_path"), QJsonObject()},
                    {QStringLiteral("prepend_path"), QJsonObject()}};
    QJsonObject memento{{QStringLiteral("vals"), QJsonArray()},
                        {QStringLiteral("append_path"), QJsonArray()},
                        {QStringLiteral("prepend_path"), QJsonArray()}};
    const QJsonValue setenv = in.params.value(QLatin1String("setenv"));
    if (!setenv.isObject()) { // as the Python task: no setenv map, an empty env
        r.output.append(env);
        r.memento = memento;
        return r;
    }
    const QJsonObject vals = resolveEnvMap(setenv, in.srcdir);
    const QJsonObject append = resolveEnvMap(in.params.value(QLatin1String("append_path")), in.srcdir);
    const QJsonObject prepend = resolveEnvMap(in.params.value(QLatin1String("prepend_path")), in.srcdir);
    memento = QJsonObject{{QStringLiteral("vals"), sortedPairs(vals)},
                          {QStringLiteral("append_path"), sortedPairs(append)},
                          {QStringLiteral("prepend_path"), sortedPairs(prepend)}};
    r.changed = true;
    if (in.memento.isObject())
        r.changed = in.memento.toObject() != memento || in.changed;
    env.insert(QStringLiteral("vals"), vals);
    env.insert(QStringLiteral("append_path"), append);
    env.insert(QStringLiteral("prepend_path"), prepend);
    r.output.append(env);
    r.memento = memento;
    return r;
}

proto::TaskResult setFileType(const StdTaskInput &in, QString *log)
{
    Q_UNUSED(log);
    proto::TaskResult r;
    for (const QJsonValue &v : in.inputs) {
        QJsonObject item = v.toObject();
        if (item.value(QLatin1String("type")).toString() != QLatin1String("std.FileSet"))
            continue;
        item.insert(QStringLiteral("filetype"), in.params.value(QLatin1String("filetype")).toString());
        item.insert(QStringLiteral("src"), QJsonValue());
        item.insert(QStringLiteral("seq"), -1);
        r.output.append(item);
    }
    r.changed = in.changed;
    return r;
}

proto::TaskResult incDirs(const StdTaskInput &in, QString *log)
{
    Q_UNUSED(log);
    proto::TaskResult r;
    for (const QJsonValue &v : in.inputs) {
        const QJsonObject item = v.toObject();
        if (!item.contains(QLatin1String("basedir")) || !item.contains(QLatin1String("filetype")))
            continue;
        const QString basedir = item.value(QLatin1String("basedir")).toString();
        r.output.append(fileSetItem(QString(), item.value(QLatin1String("filetype")).toString(), basedir, {},
                                    QJsonArray{basedir}));
    }
    r.changed = in.changed;
    return r;
}

} // namespace dfm::flow::stdimpl
