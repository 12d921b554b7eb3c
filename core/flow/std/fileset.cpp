// std.FileSet (dv_flow.mgr.std.fileset.FileSet) and the glob it relies on.

#include "flow/std/stdimpl.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace dfm::flow::stdimpl {

namespace {

/// An fnmatch pattern as a regular expression; `pathAware`: * and ? stop at '/'.
QRegularExpression fnmatchRe(const QString &pattern, bool pathAware)
{
    QString re;
    const QString any = pathAware ? QStringLiteral("[^/]") : QStringLiteral(".");
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern.at(i);
        if (c == QLatin1Char('*')) {
            re += any + QLatin1Char('*');
        } else if (c == QLatin1Char('?')) {
            re += any;
        } else if (c == QLatin1Char('[')) {
            qsizetype j = i + 1;
            if (j < pattern.size() && pattern.at(j) == QLatin1Char('!'))
                ++j;
            if (j < pattern.size() && pattern.at(j) == QLatin1Char(']'))
                ++j;
            while (j < pattern.size() && pattern.at(j) != QLatin1Char(']'))
                ++j;
            if (j >= pattern.size()) {
                re += QStringLiteral("\\[");
                continue;
            }
            QString set = pattern.mid(i + 1, j - i - 1);
            set.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
            if (set.startsWith(QLatin1Char('!')))
                set[0] = QLatin1Char('^');
            else if (set.startsWith(QLatin1Char('^')))
                set.prepend(QLatin1Char('\\'));
            re += QLatin1Char('[') + set + QLatin1Char(']');
            i = j;
        } else {
            re += QRegularExpression::escape(QString(c));
        }
    }
    return QRegularExpression(QRegularExpression::anchoredPattern(re));
}

} // namespace

bool isGlob(const QString &s)
{
    return s.contains(QLatin1Char('*')) || s.contains(QLatin1Char('?')) || s.contains(QLatin1Char('['));
}

QStringList glob(const QString &pattern)
{
    if (!isGlob(pattern))
        return QFileInfo::exists(pattern) || QFileInfo(pattern).isSymLink() ? QStringList{pattern} : QStringList();
    // Component by component: the literal prefix, then one level per component.
    const bool absolute = pattern.startsWith(QLatin1Char('/'));
    const QStringList parts = pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QStringList current{absolute ? QStringLiteral("/") : QString()};
    for (int k = 0; k < parts.size(); ++k) {
        const QString &part = parts.at(k);
        const bool last = k == parts.size() - 1;
        QStringList next;
        for (const QString &base : current) {
            const QString join = base.isEmpty() ? part : base.endsWith(QLatin1Char('/')) ? base + part : base + QLatin1Char('/') + part;
            if (!isGlob(part)) {
                const QFileInfo fi(join);
                if (last ? (fi.exists() || fi.isSymLink()) : fi.isDir())
                    next << join;
                continue;
            }
            const QDir dir(base.isEmpty() ? QStringLiteral(".") : base);
            QDir::Filters filters = QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System;
            if (part.startsWith(QLatin1Char('.')))
                filters |= QDir::Hidden;
            const QRegularExpression re = fnmatchRe(part, true);
            QStringList names = dir.entryList(filters, QDir::Name);
            for (const QString &name : names) {
                if (!re.match(name).hasMatch())
                    continue;
                const QString path = base.isEmpty() ? name : base.endsWith(QLatin1Char('/')) ? base + name : base + QLatin1Char('/') + name;
                if (last || QFileInfo(path).isDir())
                    next << path;
            }
        }
        current = next;
        if (current.isEmpty())
            break;
    }
    std::sort(current.begin(), current.end());
    return current;
}

QStringList listParam(const QJsonValue &v, bool split)
{
    if (v.isArray()) {
        QStringList out;
        for (const QJsonValue &x : v.toArray())
            out << x.toString();
        return out;
    }
    if (v.isString() && !v.toString().isEmpty())
        return split ? v.toString().split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts)
                     : QStringList{v.toString()};
    return {};
}

proto::TaskResult fileSet(const StdTaskInput &in, QString *log)
{
    Q_UNUSED(log);
    proto::TaskResult r;
    const QJsonObject &p = in.params;
    const QString base = p.value(QLatin1String("base")).toString().trimmed();
    const QString basePath = QDir::isAbsolutePath(base) ? base : in.srcdir + QLatin1Char('/') + base;
    QString root = basePath;
    if (isGlob(base)) {
        const QStringList candidates = glob(basePath);
        if (candidates.size() != 1) {
            const QString msg = candidates.isEmpty()
                                    ? QStringLiteral("No directories match glob pattern: %1").arg(base)
                                    : QStringLiteral("Multiple directories match glob pattern: %1").arg(candidates.join(QStringLiteral(", ")));
            r.status = 1;
            r.markers.append(proto::marker(msg));
            return r;
        }
        root = candidates.first();
    }
    if (root.endsWith(QLatin1Char('/')))
        root.chop(1);

    QJsonArray files, mementoFiles;
    QStringList included;
    for (const QString &pattern : listParam(p.value(QLatin1String("include")), false)) {
        if (pattern.isEmpty())
            continue;
        const QStringList matched = glob(QDir::isAbsolutePath(pattern) ? pattern : root + QLatin1Char('/') + pattern);
        if (matched.isEmpty()) {
            r.markers.append(proto::marker(QStringLiteral("Include pattern '%1' did not match any files in '%2'").arg(pattern, root)));
            r.status = 1;
        }
        included += matched;
    }
    std::vector<QRegularExpression> excludes;
    for (const QString &pattern : listParam(p.value(QLatin1String("exclude")), false))
        excludes.push_back(fnmatchRe(QDir::isAbsolutePath(pattern) ? pattern : root + QLatin1Char('/') + pattern, false));
    for (const QString &file : included) {
        if (std::any_of(excludes.begin(), excludes.end(), [&](const QRegularExpression &re) { return re.match(file).hasMatch(); }))
            continue;
        const double mtime = double(QFileInfo(file).lastModified().toMSecsSinceEpoch()) / 1000.0;
        mementoFiles.append(QJsonArray{file, mtime});
        files.append(file.mid(root.size() + 1));
    }
    QJsonObject fs = fileSetItem(in.name, p.value(QLatin1String("type")).toString(), root, files,
                                 QJsonArray::fromStringList(listParam(p.value(QLatin1String("incdirs")), true)));
    fs.insert(QStringLiteral("defines"), QJsonArray::fromStringList(listParam(p.value(QLatin1String("defines")), true)));
    fs.insert(QStringLiteral("attributes"), QJsonArray::fromStringList(listParam(p.value(QLatin1String("attributes")), true)));

    const QJsonObject memento{{QStringLiteral("files"), mementoFiles}};
    r.changed = true;
    if (in.memento.isObject() && !in.changed) {
        QJsonArray old = in.memento.toObject().value(QLatin1String("files")).toArray();
        std::vector<QJsonValue> sorted(old.begin(), old.end());
        std::sort(sorted.begin(), sorted.end(), [](const QJsonValue &a, const QJsonValue &b) {
            return a.toArray().at(0).toString() < b.toArray().at(0).toString();
        });
        QJsonArray oldSorted;
        for (const QJsonValue &v : sorted)
            oldSorted.append(v);
        r.changed = oldSorted != mementoFiles;
    }
    r.output.append(fs);
    r.memento = memento;
    return r;
}

} // namespace dfm::flow::stdimpl
