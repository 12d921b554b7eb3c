#include "expand.h"

#include "valuetext.h"

namespace dfm {

QString expandRefs(const QString &text, const QHash<QString, QString> &vars)
{
    QString out;
    out.reserve(text.size());
    qsizetype pos = 0, open = 0, close = 0;
    while (pos < text.size() && nextRef(text, pos, &open, &close) && close >= 0) {
        out += QStringView(text).mid(pos, open - pos);
        const QString name = text.mid(open + kRefOpenSize, close - open - kRefOpenSize).trimmed();
        const auto it = vars.constFind(name);
        if (!name.isEmpty() && it != vars.constEnd()) {
            out += it.value();
            pos = close + kRefCloseSize;
        } else {
            // Unknown: keep "${{" verbatim and rescan after it, so a valid
            // reference nested in the unknown text is still found.
            out += QStringView(text).mid(open, kRefOpenSize);
            pos = open + kRefOpenSize;
        }
    }
    out += QStringView(text).mid(pos);
    return out;
}

QString jsonValueText(const QJsonValue &v)
{
    return jsonText(v);
}

QHash<QString, QString> taskVars(const proto::TaskSpec &spec)
{
    QHash<QString, QString> vars;
    for (auto it = spec.params.begin(); it != spec.params.end(); ++it)
        vars.insert(it.key(), jsonValueText(it.value()));
    vars.insert(QStringLiteral("rundir"), spec.rundir);
    return vars;
}

} // namespace dfm
