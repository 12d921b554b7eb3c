// strategy.matrix: a compound's body once per combination of the matrix's
// values, as the Python dfm expands it. Axes combine in file order, the
// first varying slowest; instance names end in the value indices
// (C.SUB_0_1), and body tasks see the values as `matrix.NAME` and
// `this.NAME`.

#include "flow/elaborator.h"

#include <QJsonArray>
#include <QSet>

namespace dfm::flow {

namespace {

constexpr size_t kMaxCombinations = 100000;

} // namespace

bool Elaborator::matrixCombinations(const TaskDecl &owner, const Scope &scope, std::vector<QJsonObject> *combos,
                                    QStringList *suffixes, const QString &where)
{
    std::vector<std::pair<QString, QJsonArray>> axes;
    size_t total = 1;
    for (const auto &[key, written] : owner.matrix) {
        QJsonValue values;
        QString e;
        if (!evalValue(written, scope, &values, &e)) {
            m_err->add(owner.strategyLine, QStringLiteral("%1: strategy.matrix.%2: %3").arg(where, key, e));
            return false;
        }
        if (!values.isArray() || values.toArray().isEmpty()) {
            m_err->add(owner.strategyLine, QStringLiteral("%1: strategy.matrix.%2 must be a non-empty list of values, got '%3'")
                                               .arg(where, key, valueText(values)));
            return false;
        }
        const QJsonArray list = values.toArray();
        QSet<QString> seen; // instances are named by the value's index: two equal values would collide
        for (const QJsonValue &v : list) {
            const QString id = QString::number(int(v.type())) + QLatin1Char(':') + valueText(v);
            if (seen.contains(id)) {
                m_err->add(owner.strategyLine, QStringLiteral("%1: strategy.matrix.%2 lists '%3' twice")
                                                   .arg(where, key, valueText(v)));
                return false;
            }
            seen.insert(id);
        }
        total *= size_t(list.size());
        if (total > kMaxCombinations) {
            m_err->add(owner.strategyLine, QStringLiteral("%1: strategy.matrix makes more than %2 combinations")
                                               .arg(where).arg(kMaxCombinations));
            return false;
        }
        axes.emplace_back(key, list);
    }
    std::vector<qsizetype> at(axes.size(), 0); // an odometer, the last axis fastest
    combos->reserve(total);
    for (size_t n = 0; n < total; ++n) {
        QJsonObject combo;
        QStringList index;
        for (size_t a = 0; a < axes.size(); ++a) {
            combo.insert(axes[a].first, axes[a].second[at[a]]);
            index << QString::number(at[a]);
        }
        combos->push_back(combo);
        *suffixes << index.join(QLatin1Char('_'));
        for (size_t a = axes.size(); a-- > 0;) {
            if (++at[a] < axes[a].second.size())
                break;
            at[a] = 0;
        }
    }
    return true;
}

} // namespace dfm::flow
