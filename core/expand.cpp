#include "expand.h"

#include <QJsonDocument>
#include <QLocale>

#include <cmath>

namespace dfm {

QString expandRefs(const QString &text, const QHash<QString, QString> &vars)
{
    static const QLatin1String kOpen("${{");
    static const QLatin1String kClose("}}");
    QString out;
    out.reserve(text.size());
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype open = text.indexOf(kOpen, pos);
        if (open < 0)
            break;
        const qsizetype close = text.indexOf(kClose, open + kOpen.size());
        if (close < 0)
            break;
        out += QStringView(text).mid(pos, open - pos);
        const QString name = text.mid(open + kOpen.size(), close - open - kOpen.size()).trimmed();
        const auto it = vars.constFind(name);
        if (!name.isEmpty() && it != vars.constEnd()) {
            out += it.value();
            pos = close + kClose.size();
        } else {
            // Unknown: keep "${{" verbatim and rescan after it, so a valid
            // reference nested in the unknown text is still found.
            out += kOpen;
            pos = open + kOpen.size();
        }
    }
    out += QStringView(text).mid(pos);
    return out;
}

QString jsonValueText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
            return QString::number(static_cast<qint64>(d));
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return QString();
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
