#include "config.h"

#include "spellcheck.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <vector>

namespace dfm {

namespace {

enum class Kind {
    Text,
    Runner,          /* one of runnerNames() */
    Memory,          /* parseMemoryMB(), or empty */
    PositiveInt,
    NonNegativeInt,
    Seconds,         /* non-negative seconds, stored as milliseconds */
    PositiveSeconds, /* positive seconds, stored as milliseconds */
    List,            /* accumulates over layers */
};

/// A settable key of one section; exactly one target pointer is set.
struct Field {
    const char *key;
    Kind kind;
    QString *text = nullptr;
    int *number = nullptr;
    qint64 *ms = nullptr;
    QStringList *list = nullptr;
};

/// A value from a YAML node or from the command line.
struct Value {
    enum Type { Null, Scalar, Sequence, Mapping } type = Null;
    QStringList items;   /* Scalar: the one item; Sequence: the items */
    bool nested = false; /* a sequence holding lists or mappings */
};

/// Where a value came from: "file:line", "--runner-opt", "DFM_RUNNER", ...
struct Origin {
    QString label;
    QString dotted;          /* "runner.pool.max_workers" */
    bool showField = true;   /* name the field in messages */
};

Field textField(const char *key, QString *t) { Field f{key, Kind::Text}; f.text = t; return f; }
Field listField(const char *key, QStringList *l) { Field f{key, Kind::List}; f.list = l; return f; }
Field intField(const char *key, Kind k, int *n) { Field f{key, k}; f.number = n; return f; }
Field msField(const char *key, Kind k, qint64 *ms) { Field f{key, k}; f.ms = ms; return f; }

const QStringList &topSections()
{
    static const QStringList s{QStringLiteral("pool"), QStringLiteral("lsf"), QStringLiteral("slurm"),
                               QStringLiteral("defaults"), QStringLiteral("resource_classes")};
    return s;
}

std::vector<Field> resourceFields(ResourceSpec *r)
{
    Field mem{"memory", Kind::Memory};
    mem.text = &r->memory;
    return {mem, intField("cores", Kind::PositiveInt, &r->cores), textField("walltime", &r->walltime),
            textField("queue", &r->queue), listField("resource_select", &r->resourceSelect),
            textField("partition", &r->partition)};
}

/// The fields of the section at `path` (relative to runner:), creating a
/// resource class on first mention. Empty for a path that is no section.
std::vector<Field> fieldsOf(RunnerConfig *cfg, const QStringList &path)
{
    if (path.isEmpty()) {
        Field def{"default", Kind::Runner};
        def.text = &cfg->runner;
        Field type{"type", Kind::Runner};
        type.text = &cfg->runner;
        return {def, type, textField("python", &cfg->python)};
    }
    const QString &s = path.first();
    if (path.size() == 1 && s == QLatin1String("pool")) {
        PoolConfig &p = cfg->pool;
        return {intField("min_workers", Kind::NonNegativeInt, &p.minWorkers),
                intField("max_workers", Kind::PositiveInt, &p.maxWorkers),
                msField("idle_timeout", Kind::Seconds, &p.idleTimeoutMs),
                intField("launch_batch_size", Kind::PositiveInt, &p.launchBatchSize),
                msField("launch_timeout", Kind::PositiveSeconds, &p.launchTimeoutMs)};
    }
    if (path.size() == 1 && s == QLatin1String("lsf")) {
        SchedulerConfig &l = cfg->lsf;
        return {textField("bsub_cmd", &l.submitCmd), textField("queue", &l.queue),
                textField("project", &l.project), listField("resource_select", &l.resourceSelect),
                listField("bsub_extra", &l.extra), textField("worker_dfm_path", &l.workerDfmPath)};
    }
    if (path.size() == 1 && s == QLatin1String("slurm")) {
        SchedulerConfig &l = cfg->slurm;
        return {textField("sbatch_cmd", &l.submitCmd), textField("partition", &l.queue),
                textField("account", &l.project), listField("resource_select", &l.resourceSelect),
                listField("sbatch_extra", &l.extra), textField("worker_dfm_path", &l.workerDfmPath)};
    }
    if (path.size() == 1 && s == QLatin1String("defaults"))
        return resourceFields(&cfg->defaults);
    if (path.size() == 2 && s == QLatin1String("resource_classes"))
        return resourceFields(&cfg->resourceClasses[path.at(1)]);
    return {};
}

/// Subsection names of the section at `path`; resource_classes takes any.
QStringList subsectionsOf(const QStringList &path)
{
    return path.isEmpty() ? topSections() : QStringList();
}

bool isAnyNameSection(const QStringList &path)
{
    return path.size() == 1 && path.first() == QLatin1String("resource_classes");
}

QStringList knownKeys(RunnerConfig *cfg, const QStringList &path)
{
    QStringList keys;
    // Resource class fields are listed without creating a class.
    ResourceSpec scratch;
    const std::vector<Field> fields = path.size() == 2 ? resourceFields(&scratch) : fieldsOf(cfg, path);
    for (const Field &f : fields)
        keys << QString::fromLatin1(f.key);
    return keys + subsectionsOf(path);
}

QString dottedPath(const QStringList &path)
{
    return (QStringList{QStringLiteral("runner")} + path).join(QLatin1Char('.'));
}

bool fail(const Origin &o, const QString &msg, QString *err)
{
    *err = o.showField && !o.dotted.isEmpty() ? QStringLiteral("%1: %2: %3").arg(o.label, o.dotted, msg)
                                              : QStringLiteral("%1: %2").arg(o.label, msg);
    return false;
}

QString describe(const Value &v)
{
    switch (v.type) {
    case Value::Null: return QStringLiteral("nothing");
    case Value::Scalar: return QStringLiteral("'%1'").arg(v.items.value(0));
    case Value::Sequence: return QStringLiteral("a list");
    case Value::Mapping: return QStringLiteral("a mapping");
    }
    return QString();
}

bool applyValue(const Field &f, const Value &v, const Origin &o, RunnerConfig *cfg, QString *err)
{
    const QString scalar = v.type == Value::Scalar ? v.items.value(0).trimmed() : QString();
    switch (f.kind) {
    case Kind::Text:
    case Kind::Memory:
        if (v.type == Value::Sequence || v.type == Value::Mapping)
            return fail(o, QStringLiteral("expected a string, got %1").arg(describe(v)), err);
        if (f.kind == Kind::Memory && !scalar.isEmpty() && !parseMemoryMB(scalar, nullptr))
            return fail(o, QStringLiteral("expected a memory size such as 512M or 4G, got %1").arg(describe(v)), err);
        *f.text = f.kind == Kind::Memory ? scalar : v.items.value(0);
        break;
    case Kind::Runner:
        if (v.type != Value::Scalar || !runnerNames().contains(scalar))
            return fail(o, QStringLiteral("expected one of %1, got %2")
                               .arg(runnerNames().join(QStringLiteral(", ")), describe(v)), err);
        *f.text = scalar;
        break;
    case Kind::PositiveInt:
    case Kind::NonNegativeInt:
    case Kind::Seconds:
    case Kind::PositiveSeconds: {
        const bool positive = f.kind == Kind::PositiveInt || f.kind == Kind::PositiveSeconds;
        bool ok = false;
        const int n = scalar.toInt(&ok);
        if (v.type != Value::Scalar || !ok || n < (positive ? 1 : 0))
            return fail(o, QStringLiteral("expected a %1 integer, got %2")
                               .arg(positive ? QStringLiteral("positive") : QStringLiteral("non-negative"),
                                    describe(v)), err);
        if (f.number)
            *f.number = n;
        else
            *f.ms = qint64(n) * 1000;
        break;
    }
    case Kind::List:
        if (v.type == Value::Mapping || v.nested)
            return fail(o, QStringLiteral("expected a list of strings, got %1")
                               .arg(v.nested ? QStringLiteral("a nested list") : describe(v)), err);
        for (const QString &item : v.items) {
            if (!item.isEmpty())
                f.list->append(item);
        }
        break;
    }
    cfg->origins[o.dotted] = o.label;
    return true;
}

Value valueOf(const YAML::Node &node)
{
    Value v;
    if (node.IsScalar()) {
        v.type = Value::Scalar;
        v.items << QString::fromStdString(node.Scalar());
    } else if (node.IsSequence()) {
        v.type = Value::Sequence;
        for (const YAML::Node &item : node) {
            if (item.IsScalar())
                v.items << QString::fromStdString(item.Scalar());
            else if (!item.IsNull())
                v.nested = true;
        }
    } else if (node.IsMap()) {
        v.type = Value::Mapping;
    }
    return v;
}

QString location(const QString &file, const YAML::Mark &mark)
{
    return QStringLiteral("%1:%2").arg(file).arg(mark.line + 1);
}

bool walkSection(const QString &file, const YAML::Node &node, const QStringList &path,
                 RunnerConfig *cfg, QString *err)
{
    if (node.IsNull())
        return true;
    if (!node.IsMap()) {
        *err = QStringLiteral("%1: %2: expected a mapping, got %3")
                   .arg(location(file, node.Mark()), dottedPath(path), describe(valueOf(node)));
        return false;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString key = QString::fromStdString(it->first.Scalar());
        const QStringList child = path + QStringList{key};
        const QString where = location(file, it->first.Mark());
        if (isAnyNameSection(path)) {
            if (key.isEmpty()) {
                *err = QStringLiteral("%1: %2: a resource class needs a name").arg(where, dottedPath(path));
                return false;
            }
            cfg->resourceClasses[key]; // a class may be declared empty
            if (!walkSection(file, it->second, child, cfg, err))
                return false;
            continue;
        }
        if (subsectionsOf(path).contains(key)) {
            if (!walkSection(file, it->second, child, cfg, err))
                return false;
            continue;
        }
        bool found = false;
        for (const Field &f : fieldsOf(cfg, path)) {
            if (key == QLatin1String(f.key)) {
                found = true;
                if (!applyValue(f, valueOf(it->second), Origin{where, dottedPath(child)}, cfg, err))
                    return false;
            }
        }
        if (!found) {
            *err = QStringLiteral("%1: %2: %3").arg(where, dottedPath(path), unknownKeyMessage(key, knownKeys(cfg, path)));
            return false;
        }
    }
    return true;
}

bool loadLayerFile(const QString &path, RunnerConfig *cfg, QString *err)
{
    const QFileInfo fi(path);
    if (!fi.exists())
        return true;
    QFile f(path);
    if (fi.isDir() || !f.open(QIODevice::ReadOnly)) {
        *err = QStringLiteral("cannot read configuration file %1: %2")
                   .arg(path, fi.isDir() ? QStringLiteral("it is a directory") : f.errorString());
        return false;
    }
    return mergeRunnerConfigText(path, QString::fromUtf8(f.readAll()), cfg, err);
}

} // namespace

RunnerConfig::RunnerConfig()
{
    lsf.submitCmd = QStringLiteral("bsub");
    slurm.submitCmd = QStringLiteral("sbatch");
    defaults.memory = QStringLiteral("1G");
    defaults.cores = 1;
    defaults.walltime = QStringLiteral("1:00");
}

ResourceSpec RunnerConfig::resourcesFor(const QString &cls) const
{
    const auto it = resourceClasses.constFind(cls);
    return it == resourceClasses.constEnd() ? defaults : mergeResources(defaults, *it);
}

QStringList runnerNames()
{
    return {QStringLiteral("local"), QStringLiteral("lsf"), QStringLiteral("slurm")};
}

ResourceSpec mergeResources(const ResourceSpec &base, const ResourceSpec &over)
{
    ResourceSpec r = base;
    if (!over.memory.isEmpty())
        r.memory = over.memory;
    if (over.cores > 0)
        r.cores = over.cores;
    if (!over.walltime.isEmpty())
        r.walltime = over.walltime;
    if (!over.queue.isEmpty())
        r.queue = over.queue;
    if (!over.partition.isEmpty())
        r.partition = over.partition;
    r.resourceSelect += over.resourceSelect;
    return r;
}

bool parseMemoryMB(const QString &text, qint64 *megabytes)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)\\s*([KMGT]?)B?$"),
                                       QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return false;
    double mb = m.captured(1).toDouble();
    const QString unit = m.captured(2).toUpper();
    if (unit == QLatin1String("K"))
        mb /= 1024;
    else if (unit == QLatin1String("G"))
        mb *= 1024;
    else if (unit == QLatin1String("T"))
        mb *= 1024 * 1024;
    const qint64 rounded = qint64(std::ceil(mb));
    if (rounded < 1)
        return false;
    if (megabytes)
        *megabytes = rounded;
    return true;
}

bool mergeRunnerConfigText(const QString &fileName, const QString &yamlText, RunnerConfig *cfg, QString *err)
{
    YAML::Node root;
    try {
        root = YAML::Load(yamlText.toStdString());
    } catch (const YAML::Exception &e) {
        *err = QStringLiteral("%1: invalid YAML: %2").arg(location(fileName, e.mark), QString::fromStdString(e.msg));
        return false;
    }
    if (!root.IsNull()) {
        if (!root.IsMap()) {
            *err = QStringLiteral("%1: expected a mapping with a 'runner:' section").arg(location(fileName, root.Mark()));
            return false;
        }
        for (auto it = root.begin(); it != root.end(); ++it) {
            const QString key = QString::fromStdString(it->first.Scalar());
            if (key != QLatin1String("runner")) {
                *err = QStringLiteral("%1: %2").arg(location(fileName, it->first.Mark()),
                                                    unknownKeyMessage(key, {QStringLiteral("runner")}));
                return false;
            }
            if (!walkSection(fileName, it->second, {}, cfg, err))
                return false;
        }
    }
    cfg->sources << fileName;
    return true;
}

bool applyRunnerOpt(const QString &opt, RunnerConfig *cfg, QString *err)
{
    const Origin optOrigin{QStringLiteral("--runner-opt"), QString(), false};
    const int eq = opt.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return fail(optOrigin, QStringLiteral("expected key=value (e.g. pool.max_workers=8), got '%1'").arg(opt), err);
    const QStringList parts = opt.left(eq).trimmed().split(QLatin1Char('.'));
    const QString text = opt.mid(eq + 1);
    QStringList path;
    for (int i = 0; i + 1 < parts.size(); ++i) {
        const QString &part = parts.at(i);
        for (const Field &f : fieldsOf(cfg, path)) {
            if (!isAnyNameSection(path) && part == QLatin1String(f.key))
                return fail(optOrigin, QStringLiteral("%1: '%2' is a value, not a section").arg(dottedPath(path), part), err);
        }
        if (isAnyNameSection(path) ? part.isEmpty() : !subsectionsOf(path).contains(part)) {
            return fail(optOrigin, QStringLiteral("%1: %2").arg(dottedPath(path), unknownKeyMessage(part, knownKeys(cfg, path))), err);
        }
        path << part;
    }
    const QString key = parts.last();
    const Origin o{optOrigin.label, dottedPath(path + QStringList{key})};
    if (isAnyNameSection(path) || subsectionsOf(path).contains(key))
        return fail(o, QStringLiteral("is a section; set one of its keys, e.g. %1.KEY=VALUE").arg(opt.left(eq)), err);
    for (const Field &f : fieldsOf(cfg, path)) {
        if (key == QLatin1String(f.key)) {
            Value v;
            v.type = Value::Scalar;
            v.items << text;
            return applyValue(f, v, o, cfg, err);
        }
    }
    return fail(optOrigin, QStringLiteral("%1: %2").arg(dottedPath(path), unknownKeyMessage(key, knownKeys(cfg, path))), err);
}

bool validateRunnerConfig(const RunnerConfig &cfg, QString *err)
{
    if (cfg.pool.minWorkers > cfg.pool.maxWorkers) {
        const QString minKey = QStringLiteral("runner.pool.min_workers");
        const QString maxKey = QStringLiteral("runner.pool.max_workers");
        const QString maxFrom = cfg.origins.value(maxKey);
        *err = QStringLiteral("%1: %2: %3 is more than %4 (%5, %6)")
                   .arg(cfg.origins.value(minKey, QStringLiteral("configuration")), minKey)
                   .arg(cfg.pool.minWorkers)
                   .arg(maxKey)
                   .arg(cfg.pool.maxWorkers)
                   .arg(maxFrom.isEmpty() ? QStringLiteral("the default") : QStringLiteral("set at ") + maxFrom);
        return false;
    }
    return true;
}

bool loadRunnerConfig(const QString &projectRoot, const ConfigOverrides &ov, const QProcessEnvironment &env,
                      const QString &installPrefix, RunnerConfig *out, QString *err)
{
    *out = RunnerConfig();
    QString install = env.value(QStringLiteral("DFM_INSTALL_CONFIG"));
    if (install.isEmpty() && !installPrefix.isEmpty())
        install = QDir(installPrefix).filePath(QStringLiteral("etc/dfm/config.yaml"));
    const QString home = env.value(QStringLiteral("HOME"));
    const QStringList layers{
        install,
        home.isEmpty() ? QString() : QDir(home).filePath(QStringLiteral(".config/dfm/site.yaml")),
        projectRoot.isEmpty() ? QString() : QDir(projectRoot).filePath(QStringLiteral(".dfm/config.yaml")),
    };
    for (const QString &path : layers) {
        if (!path.isEmpty() && !loadLayerFile(path, out, err))
            return false;
    }

    Field runnerField{"default", Kind::Runner};
    runnerField.text = &out->runner;
    const QString dottedRunner = QStringLiteral("runner.default");
    const QString envRunner = env.value(QStringLiteral("DFM_RUNNER")).trimmed();
    if (!envRunner.isEmpty()) {
        Value v{Value::Scalar, {envRunner}};
        if (!applyValue(runnerField, v, Origin{QStringLiteral("DFM_RUNNER"), dottedRunner, false}, out, err))
            return false;
    }
    if (!ov.runner.isEmpty()) {
        Value v{Value::Scalar, {ov.runner}};
        if (!applyValue(runnerField, v, Origin{QStringLiteral("--runner"), dottedRunner, false}, out, err))
            return false;
    }
    if (ov.poolSize != -1) {
        const Field f = intField("max_workers", Kind::PositiveInt, &out->pool.maxWorkers);
        Value v{Value::Scalar, {QString::number(ov.poolSize)}};
        if (!applyValue(f, v, Origin{QStringLiteral("--pool-size"), QStringLiteral("runner.pool.max_workers"), false}, out, err))
            return false;
    }
    for (const QString &opt : ov.runnerOpts) {
        if (!applyRunnerOpt(opt, out, err))
            return false;
    }
    return validateRunnerConfig(*out, err);
}

} // namespace dfm
