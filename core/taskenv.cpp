#include "taskenv.h"

#include "expand.h"
#include "format.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QStringList>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dfm::taskenv {

namespace {

/// `dir`/`file`, as the system names it (`dir` encoded once per task, not once per file).
QByteArray pathIn(const QByteArray &dir, QLatin1String file)
{
    QByteArray p;
    p.reserve(dir.size() + 1 + file.size());
    p.append(dir).append('/').append(file.data(), file.size());
    return p;
}

/// "cannot `verb` 'PATH': `why`", the path decoded only for the message.
QString fileError(const char *verb, const QByteArray &native, int errnum)
{
    return QStringLiteral("cannot %1 '%2': %3")
        .arg(QLatin1String(verb), QFile::decodeName(native), fmt::errnoText(errnum));
}

/// Writes `data` to `native` (created or truncated), refusing a symlink.
bool writeFile(const QByteArray &native, const QByteArray &data, QString *err)
{
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                          0644);
    if (fd < 0) {
        *err = fileError("write", native, errno);
        return false;
    }
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err = fileError("write", native, errno);
            ::close(fd);
            return false;
        }
        done += n;
    }
    if (::close(fd) != 0) {
        *err = fileError("write", native, errno);
        return false;
    }
    return true;
}

/// Reads `native`; a missing file is empty. False for a symlink or read error.
bool readFile(const QByteArray &native, QByteArray *out, QString *err)
{
    out->clear();
    // Most tasks write none of their output files: one lstat() tells a
    // missing or empty file without opening it. Anything else (a symlink
    // included) goes on to the open, which refuses a symlink.
    struct stat st;
    if (::lstat(native.constData(), &st) != 0) {
        if (errno == ENOENT)
            return true;
    } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
        return true;
    }
    const int fd = ::open(native.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return true;
        *err = fileError("read", native, errno);
        return false;
    }
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err = fileError("read", native, errno);
            ::close(fd);
            return false;
        }
        if (n == 0)
            break;
        out->append(buf, n);
    }
    ::close(fd);
    return true;
}

QByteArray jsonText(const QJsonValue &v)
{
    // Most tasks have no parameters or inputs: their text is made once.
    static const QByteArray emptyObject = QJsonDocument(QJsonObject()).toJson(QJsonDocument::Indented);
    static const QByteArray emptyArray = QJsonDocument(QJsonArray()).toJson(QJsonDocument::Indented);
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        return o.isEmpty() ? emptyObject : QJsonDocument(o).toJson(QJsonDocument::Indented);
    }
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        return a.isEmpty() ? emptyArray : QJsonDocument(a).toJson(QJsonDocument::Indented);
    }
    // A scalar memento: wrap and strip, as QJsonDocument holds only containers.
    QByteArray a = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2) + '\n';
}

QJsonObject warning(const QString &msg)
{
    return proto::marker(msg, QStringLiteral("warning"));
}

/// Parses one JSON value (of any type) from `line`.
bool parseValue(const QByteArray &line, QJsonValue *out, QString *err)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + line + "]", &pe);
    if (pe.error != QJsonParseError::NoError || doc.array().size() != 1) {
        *err = pe.error != QJsonParseError::NoError ? pe.errorString()
                                                    : QStringLiteral("expected one JSON value");
        return false;
    }
    *out = doc.array().first();
    return true;
}

} // namespace

namespace {

/// Appends "NAME=VALUE" (one allocation: this runs ~15 times per task).
void addEntry(std::vector<QByteArray> *out, QByteArrayView name, QByteArrayView value)
{
    QByteArray e;
    e.reserve(name.size() + 1 + value.size());
    e.append(name).append('=').append(value);
    out->push_back(std::move(e));
}

/// Appends "NAME=DIR/FILE".
void addPath(std::vector<QByteArray> *out, QByteArrayView name, const QByteArray &dir, QLatin1String file)
{
    QByteArray e;
    e.reserve(name.size() + 2 + dir.size() + file.size());
    e.append(name).append('=').append(dir).append('/').append(file.data(), file.size());
    out->push_back(std::move(e));
}

} // namespace

QHash<QString, QString> taskVariables(const proto::TaskSpec &spec, const QString &rundir)
{
    std::vector<QByteArray> entries;
    appendTaskVariableEntries(spec, rundir, &entries);
    QHash<QString, QString> v;
    v.reserve(qsizetype(entries.size()));
    for (const QByteArray &e : entries) {
        const qsizetype eq = e.indexOf('=');
        v.insert(QString::fromLocal8Bit(e.left(eq)), QString::fromLocal8Bit(e.mid(eq + 1)));
    }
    return v;
}

void appendTaskVariableEntries(const proto::TaskSpec &spec, const QString &rundir,
                               std::vector<QByteArray> *out)
{
    if (!spec.params.isEmpty()) {
        // Parameters whose names differ only in case make one variable; the
        // last in key order wins, as inserting them one by one into a map would.
        QList<QByteArray> names;
        names.reserve(spec.params.size());
        for (auto it = spec.params.begin(); it != spec.params.end(); ++it)
            names.append("DFM_PARAM_" + it.key().toUpper().toLocal8Bit());
        qsizetype i = 0;
        for (auto it = spec.params.begin(); it != spec.params.end(); ++it, ++i) {
            if (names.indexOf(names.at(i), i + 1) < 0)
                addEntry(out, names.at(i), jsonValueText(it.value()).toLocal8Bit());
        }
    }
    const QByteArray dir = rundir.toLocal8Bit();
    const QByteArray src = spec.srcdir.toLocal8Bit();
    addEntry(out, "TASK_SRCDIR", src);
    addEntry(out, "TASK_RUNDIR", dir);
    addEntry(out, "DFM_TASK_NAME", spec.name.toLocal8Bit());
    addEntry(out, "DFM_RUNDIR", dir);
    addEntry(out, "DFM_SRCDIR", src);
    addPath(out, "DFM_PARAMS", dir, kParamsFile);
    addPath(out, "DFM_INPUTS", dir, kInputsFile);
    addPath(out, "DFM_OUTPUT", dir, kOutputFile);
    addPath(out, "DFM_ENV", dir, kEnvFile);
    addPath(out, "DFM_PATH", dir, kPathFile);
    addPath(out, "DFM_MARKERS", dir, kMarkersFile);
    addPath(out, "DFM_MEMENTO_OUT", dir, kMementoOut);
    if (!spec.memento.isNull() && !spec.memento.isUndefined())
        addPath(out, "DFM_MEMENTO", dir, kMementoIn);
}

bool isTaskVariableName(QByteArrayView name)
{
    return name.startsWith("DFM_") || name.startsWith("TASK_");
}

void mergeInputEnv(const QJsonArray &inputs, QHash<QString, QString> *env)
{
    for (const QJsonValue &iv : inputs) {
        const QJsonObject item = iv.toObject();
        if (item.value(QLatin1String("type")).toString() != QLatin1String("std.Env"))
            continue;
        const QJsonObject vals = item.value(QLatin1String("vals")).toObject();
        for (auto it = vals.begin(); it != vals.end(); ++it)
            env->insert(it.key(), jsonValueText(it.value()));
        for (const char *key : {"append_path", "prepend_path"}) {
            const bool append = key[0] == 'a';
            const QJsonObject paths = item.value(QLatin1String(key)).toObject();
            for (auto it = paths.begin(); it != paths.end(); ++it) {
                const QString add = jsonValueText(it.value());
                if (add.isEmpty())
                    continue;
                const QString cur = env->value(it.key());
                if (cur.isEmpty())
                    env->insert(it.key(), add);
                else
                    env->insert(it.key(), append ? cur + QLatin1Char(':') + add
                                                 : add + QLatin1Char(':') + cur);
            }
        }
    }
}

bool stageTaskFiles(const proto::TaskSpec &spec, const QString &rundir, QString *err, bool freshDir)
{
    const QByteArray dir = QFile::encodeName(rundir);
    if (!writeFile(pathIn(dir, kParamsFile), jsonText(spec.params), err)
        || !writeFile(pathIn(dir, kInputsFile), jsonText(spec.inputs), err))
        return false;
    if (!spec.memento.isNull() && !spec.memento.isUndefined()
        && !writeFile(pathIn(dir, kMementoIn), jsonText(spec.memento), err))
        return false;
    for (QLatin1String f : {kOutputFile, kEnvFile, kPathFile, kMarkersFile}) {
        const QByteArray path = pathIn(dir, f);
        // In a fresh directory an empty file is one mknod(): no descriptor to
        // open and close. Anything unusual goes the general way.
        if (freshDir && ::mknod(path.constData(), S_IFREG | 0644, 0) == 0)
            continue;
        if (!writeFile(path, QByteArray(), err))
            return false;
    }
    if (freshDir)
        return true;
    // A memento left by an earlier run must not be taken for this run's.
    const QByteArray stale = pathIn(dir, kMementoOut);
    if (::unlink(stale.constData()) != 0 && errno != ENOENT) {
        *err = fileError("remove", stale, errno);
        return false;
    }
    return true;
}

void parseOutputLines(const QByteArray &text, const QString &rundir, const QString &taskName,
                      Harvest *h)
{
    int seq = 0;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype lineno = i + 1;
        if (line.isEmpty())
            continue;
        QJsonValue v;
        QString perr;
        if (!parseValue(line, &v, &perr)) {
            h->markers.append(warning(QStringLiteral("Malformed DFM_OUTPUT line %1: %2").arg(lineno).arg(perr)));
            continue;
        }
        if (!v.isObject()) {
            h->markers.append(warning(QStringLiteral("DFM_OUTPUT line %1 is not a JSON object").arg(lineno)));
            continue;
        }
        QJsonObject item = v.toObject();
        if (!item.value(QLatin1String("type")).isString()) {
            h->markers.append(warning(QStringLiteral("DFM_OUTPUT line %1 missing 'type'").arg(lineno)));
            continue;
        }
        if (item.value(QLatin1String("type")).toString() == QLatin1String("std.FileSet")
            && item.value(QLatin1String("basedir")).toString() == QLatin1String("."))
            item.insert(QStringLiteral("basedir"), rundir);
        item.insert(QStringLiteral("src"), taskName);
        item.insert(QStringLiteral("seq"), seq++);
        h->output.append(item);
    }
}

QList<QPair<QString, QString>> parseEnvLines(const QByteArray &text)
{
    QList<QPair<QString, QString>> vals;
    QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString line = lines.at(i);
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;
        const qsizetype hd = line.indexOf(QLatin1String("<<"));
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (hd >= 0 && (eq < 0 || hd < eq)) {
            const QString key = line.left(hd).trimmed();
            const QString delim = line.mid(hd + 2).trimmed();
            QStringList buf;
            while (++i < lines.size() && lines.at(i) != delim)
                buf.append(lines.at(i));
            vals.append({key, buf.join(QLatin1Char('\n'))});
        } else if (eq >= 0) {
            vals.append({line.left(eq).trimmed(), line.mid(eq + 1)});
        }
        // Anything else is ignored, as the original does (with a log line).
    }
    return vals;
}

QStringList parsePathLines(const QByteArray &text)
{
    QStringList dirs;
    for (const QString &l : QString::fromUtf8(text).split(QLatin1Char('\n'))) {
        const QString t = l.trimmed();
        if (!t.isEmpty())
            dirs.append(t);
    }
    return dirs;
}

QJsonValue envItem(const QList<QPair<QString, QString>> &vals, const QStringList &dirs,
                   const QString &taskName)
{
    if (vals.isEmpty() && dirs.isEmpty())
        return QJsonValue::Undefined;
    QJsonObject item{{QStringLiteral("type"), QStringLiteral("std.Env")},
                     {QStringLiteral("src"), taskName}};
    if (!vals.isEmpty()) {
        QJsonObject v;
        for (const auto &kv : vals)
            v.insert(kv.first, kv.second); // a later line wins, as in a dict
        item.insert(QStringLiteral("vals"), v);
    }
    if (!dirs.isEmpty())
        item.insert(QStringLiteral("prepend_path"),
                    QJsonObject{{QStringLiteral("PATH"), dirs.join(QLatin1Char(':'))}});
    return item;
}

void parseMarkerLines(const QByteArray &text, Harvest *h)
{
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        QJsonValue v;
        QString perr;
        if (!parseValue(line, &v, &perr)) {
            h->markers.append(warning(QStringLiteral("Malformed DFM_MARKERS line %1: %2").arg(i + 1).arg(perr)));
            continue;
        }
        if (!v.isObject()) {
            h->markers.append(warning(QStringLiteral("Invalid marker format: %1").arg(QString::fromUtf8(line))));
            continue;
        }
        QJsonObject m = v.toObject();
        const QString sev = m.value(QLatin1String("severity")).toString();
        if (sev != QLatin1String("error") && sev != QLatin1String("warning"))
            m.insert(QStringLiteral("severity"), QStringLiteral("info"));
        if (!m.value(QLatin1String("msg")).isString())
            m.insert(QStringLiteral("msg"), jsonValueText(m.value(QLatin1String("msg"))));
        h->markers.append(m);
    }
}

void parseMemento(const QByteArray &text, Harvest *h)
{
    if (text.trimmed().isEmpty())
        return;
    QJsonValue v;
    QString perr;
    if (!parseValue(text.trimmed(), &v, &perr)) {
        h->markers.append(warning(QStringLiteral("Malformed %1: %2").arg(kMementoOut, perr)));
        return;
    }
    h->memento = v;
}

Harvest harvestTaskFiles(const QString &rundir, const QString &taskName)
{
    Harvest h;
    const QByteArray dir = QFile::encodeName(rundir);
    auto read = [&](QLatin1String file) {
        QByteArray data;
        QString err;
        if (!readFile(pathIn(dir, file), &data, &err))
            h.markers.append(warning(err));
        return data;
    };
    parseOutputLines(read(kOutputFile), rundir, taskName, &h);
    const QJsonValue env = envItem(parseEnvLines(read(kEnvFile)), parsePathLines(read(kPathFile)),
                                   taskName);
    if (!env.isUndefined())
        h.output.append(env);
    parseMarkerLines(read(kMarkersFile), &h);
    parseMemento(read(kMementoOut), &h);
    return h;
}

void failOnErrorMarkers(proto::TaskResult *result)
{
    if (result->status != 0)
        return;
    for (const QJsonValue &m : result->markers) {
        if (m.toObject().value(QLatin1String("severity")).toString() == QLatin1String("error")) {
            result->status = 1;
            return;
        }
    }
}

} // namespace dfm::taskenv
