#include "spellcheck.h"

#include <algorithm>
#include <vector>

namespace dfm {

int editDistance(const QString &a, const QString &b)
{
    // Optimal string alignment: Levenshtein plus adjacent transpositions.
    const int n = int(a.size());
    const int m = int(b.size());
    std::vector<std::vector<int>> d(size_t(n + 1), std::vector<int>(size_t(m + 1)));
    for (int i = 0; i <= n; ++i)
        d[size_t(i)][0] = i;
    for (int j = 0; j <= m; ++j)
        d[0][size_t(j)] = j;
    for (int i = 1; i <= n; ++i) {
        for (int j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = std::min({d[size_t(i - 1)][size_t(j)] + 1, d[size_t(i)][size_t(j - 1)] + 1,
                              d[size_t(i - 1)][size_t(j - 1)] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = std::min(v, d[size_t(i - 2)][size_t(j - 2)] + 1);
            d[size_t(i)][size_t(j)] = v;
        }
    }
    return d[size_t(n)][size_t(m)];
}

QString closestMatch(const QString &word, const QStringList &candidates)
{
    const int maxDistance = word.size() <= 3 ? 1 : word.size() <= 8 ? 2 : 3;
    QString best;
    int bestDistance = maxDistance + 1;
    for (const QString &c : candidates) {
        const int dist = editDistance(word, c);
        if (dist < bestDistance && dist < c.size()) {
            best = c;
            bestDistance = dist;
        }
    }
    return best;
}

QString unknownKeyMessage(const QString &key, const QStringList &known)
{
    return QStringLiteral("unknown key '%1'%2 (known keys: %3)")
        .arg(key, didYouMean(key, known), known.join(QStringLiteral(", ")));
}

QString didYouMean(const QString &word, const QStringList &candidates)
{
    const QString close = closestMatch(word, candidates);
    return close.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(close);
}

} // namespace dfm
