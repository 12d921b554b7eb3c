#include "flow/dataflow.h"

#include <QJsonObject>

namespace dfm::flow {

Dataflow::Dataflow(std::vector<QJsonValue> consumes, std::vector<QJsonValue> passthrough,
                   std::vector<std::vector<int>> needs)
    : m_consumes(std::move(consumes)),
      m_passthrough(std::move(passthrough)),
      m_needs(std::move(needs)),
      m_output(m_needs.size()),
      m_changed(m_needs.size(), 1)
{
    m_consumes.resize(m_needs.size(), QStringLiteral("all"));
    m_passthrough.resize(m_needs.size(), QStringLiteral("unused"));
}

void Dataflow::add(const std::vector<QJsonValue> &consumes, const std::vector<QJsonValue> &passthrough,
                   const std::vector<std::vector<int>> &needs)
{
    for (size_t k = 0; k < needs.size(); ++k) {
        m_consumes.push_back(k < consumes.size() ? consumes[k] : QJsonValue(QStringLiteral("all")));
        m_passthrough.push_back(k < passthrough.size() ? passthrough[k] : QJsonValue(QStringLiteral("unused")));
        m_needs.push_back(needs[k]);
    }
    m_output.resize(m_needs.size());
    m_changed.resize(m_needs.size(), 1);
}

bool Dataflow::matches(const QJsonValue &patterns, const QJsonObject &item)
{
    if (patterns.isString())
        return patterns.toString() == QLatin1String("all");
    for (const QJsonValue &p : patterns.toArray()) {
        const QJsonObject pat = p.toObject();
        bool all = true;
        for (auto it = pat.begin(); it != pat.end() && all; ++it)
            all = item.value(it.key()) == it.value();
        if (all)
            return true;
    }
    return false;
}

QJsonArray Dataflow::allInputs(int i) const
{
    QJsonArray in;
    for (int n : m_needs[size_t(i)]) {
        for (const QJsonValue &v : m_output[size_t(n)])
            in.append(v);
    }
    return in;
}

QJsonArray Dataflow::inputsOf(int i) const
{
    QJsonArray in;
    for (const QJsonValue &v : allInputs(i)) {
        if (matches(m_consumes[size_t(i)], v.toObject()))
            in.append(v);
    }
    return in;
}

bool Dataflow::needsChanged(int i) const
{
    for (int n : m_needs[size_t(i)]) {
        if (m_changed[size_t(n)])
            return true;
    }
    return false;
}

void Dataflow::finished(int i, const QJsonArray &produced, bool changed)
{
    QJsonArray out = produced;
    const QJsonValue &pass = m_passthrough[size_t(i)];
    const QString mode = pass.isString() ? pass.toString() : QString();
    if (mode != QLatin1String("none")) {
        for (const QJsonValue &v : allInputs(i)) {
            const QJsonObject item = v.toObject();
            bool through = false;
            if (mode == QLatin1String("all"))
                through = true;
            else if (mode == QLatin1String("unused"))
                through = !matches(m_consumes[size_t(i)], item);
            else
                through = matches(pass, item);
            if (through)
                out.append(v);
        }
    }
    m_output[size_t(i)] = out;
    m_changed[size_t(i)] = changed || needsChanged(i);
}

} // namespace dfm::flow
