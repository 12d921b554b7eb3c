#include "tasklist.h"

#include <QHash>
#include <QRegularExpression>

namespace dfm {

bool parseTaskList(const QString &fileName, const QString &text, const QString &dir, Flow *flow,
                   QString *err)
{
    static const QRegularExpression named(QStringLiteral("^([A-Za-z_][A-Za-z0-9_.-]*): (.*)$"));
    Flow f;
    f.file = fileName;
    f.dir = dir;
    QHash<QString, int> lineOf; // task name -> line that defined it
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        QString line = lines[i];
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.startsWith(QLatin1Char('#')))
            continue;
        FlowTask t;
        t.line = i + 1;
        const QRegularExpressionMatch m = named.match(line);
        if (m.hasMatch()) {
            t.name = m.captured(1);
            t.run = m.captured(2);
        } else {
            t.name = QStringLiteral("line-%1").arg(t.line);
            t.run = line;
        }
        if (const auto it = lineOf.constFind(t.name); it != lineOf.cend()) {
            *err = QStringLiteral("%1:%2: duplicate task name '%3' (also on line %4)")
                       .arg(fileName)
                       .arg(t.line)
                       .arg(t.name)
                       .arg(*it);
            return false;
        }
        lineOf.insert(t.name, t.line);
        f.tasks.push_back(std::move(t));
    }
    *flow = std::move(f);
    return true;
}

} // namespace dfm
