#pragma once
// "Did you mean ...?" for error messages about unknown names and keys.

#include <QString>
#include <QStringList>

namespace dfm {

/// Edit distance between `a` and `b` counting insertions, deletions,
/// substitutions and swaps of adjacent characters as one edit each.
int editDistance(const QString &a, const QString &b);

/// The candidate closest to `word` when it is close enough to be a likely
/// typo (1 edit for words up to 3 characters, 2 up to 8, else 3); the
/// earliest candidate wins ties. Returns an empty string when none is close.
QString closestMatch(const QString &word, const QStringList &candidates);

/// "; did you mean 'X'?" naming closestMatch(word, candidates), or "" when
/// none is close: the tail of an error about an unknown name.
QString didYouMean(const QString &word, const QStringList &candidates);

/// "unknown key 'rn'; did you mean 'run'? (known keys: name, run, ...)",
/// the suggestion left out when no known key is close.
QString unknownKeyMessage(const QString &key, const QStringList &known);

} // namespace dfm
