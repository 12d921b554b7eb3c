#include "flow/execdata.h"
#include "safefile.h"

#include "flow/std/stdtasks.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <fcntl.h>
#include <unistd.h>

namespace dfm::flow {

QJsonObject ExecRecord::toJson() const
{
    return QJsonObject{{QStringLiteral("name"), name},         {QStringLiteral("status"), status},
                       {QStringLiteral("changed"), changed},   {QStringLiteral("params"), params},
                       {QStringLiteral("inputs"), inputs},     {QStringLiteral("outputs"), outputs},
                       {QStringLiteral("markers"), markers},   {QStringLiteral("memento"), memento},
                       {QStringLiteral("shell"), shell},       {QStringLiteral("body"), body}};
}

bool ExecRecord::fromJson(const QJsonObject &o, ExecRecord *r)
{
    if (!o.value(QLatin1String("name")).isString() || !o.value(QLatin1String("status")).isDouble())
        return false;
    r->name = o.value(QLatin1String("name")).toString();
    r->status = o.value(QLatin1String("status")).toInt();
    r->changed = o.value(QLatin1String("changed")).toBool(true);
    r->params = o.value(QLatin1String("params")).toObject();
    r->inputs = o.value(QLatin1String("inputs")).toArray();
    r->outputs = o.value(QLatin1String("outputs")).toArray();
    r->markers = o.value(QLatin1String("markers")).toArray();
    r->memento = o.value(QLatin1String("memento"));
    if (r->memento.isUndefined())
        r->memento = QJsonValue();
    r->shell = o.value(QLatin1String("shell")).toString();
    r->body = o.value(QLatin1String("body")).toString();
    return true;
}

namespace {

QString recordPath(const QString &rundir, const QString &name)
{
    return rundir + QLatin1Char('/') + name + QStringLiteral(".exec_data.json");
}

} // namespace

bool FileExecStore::load(const QString &rundir, const QString &name, ExecRecord *r)
{
    // One open() that refuses a symlink: a first run asks for 10,000 missing records.
    const int fd = ::open(QFile::encodeName(recordPath(rundir, name)).constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    QFile f;
    if (!f.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return false;
    }
    // Sized first: read(64 MiB) would allocate all of it for every record.
    if (f.size() > 64 * 1024 * 1024)
        return false;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    return pe.error == QJsonParseError::NoError && doc.isObject() && ExecRecord::fromJson(doc.object(), r)
           && r->name == name;
}

bool FileExecStore::save(const QString &rundir, const ExecRecord &r, QString *err)
{
    if (!QFileInfo(rundir).isDir()) {
        *err = QStringLiteral("no run directory %1").arg(rundir);
        return false;
    }
    // Written whole or not at all, but not synced: a record lost in a crash
    // only makes its task run again, while a sync per finished task cost
    // every run 10 to 55 ms on a loaded machine.
    const QByteArray data = QJsonDocument(r.toJson()).toJson(QJsonDocument::Indented);
    return writeFileAtomic(recordPath(rundir, r.name), data, 0644, err);
}

bool isUpToDate(const ExecRecord *prev, const RunRequest &req, QString *why)
{
    if (!prev) {
        *why = QStringLiteral("no record of a previous run");
        return false;
    }
    if (prev->status != 0) {
        *why = QStringLiteral("its last run failed");
        return false;
    }
    if (prev->params != req.params) {
        *why = QStringLiteral("its parameters changed");
        return false;
    }
    if (prev->shell != req.shell || prev->body != req.body) {
        *why = QStringLiteral("its body changed");
        return false;
    }
    if (req.needsChanged) {
        *why = QStringLiteral("a need's output changed");
        return false;
    }
    if (prev->inputs != req.inputs) {
        *why = QStringLiteral("its inputs changed");
        return false;
    }
    // std.FileSet and std.SetEnv have their own check: evaluate again (they
    // only read the file system) and compare what they would remember.
    if (req.callable == QLatin1String("dv_flow.mgr.std.fileset.FileSet")
        || req.callable == QLatin1String("dv_flow.mgr.std.setenv.SetEnv")) {
        StdTaskInput in;
        in.name = req.name;
        in.srcdir = req.srcdir;
        in.rundir = req.rundir;
        in.params = req.params;
        in.inputs = req.inputs;
        in.memento = prev->memento;
        in.changed = false;
        QString log;
        const proto::TaskResult now = findStdTask(req.callable)(in, &log);
        if (now.status != 0 || now.memento != prev->memento) {
            *why = QStringLiteral("its files changed");
            return false;
        }
    }
    return true;
}

} // namespace dfm::flow
