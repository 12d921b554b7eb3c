#pragma once
// The tokens of a `${{ }}` expression: numbers, strings, identifiers and
// operators. Pure; used by the parser in expr.cpp.

#include <QString>

#include <vector>

namespace dfm::flow {

enum class Tok { End, Num, Str, Ident, Op };

struct Token {
    Tok kind = Tok::End;
    QString text;   /* the identifier, the operator, a string's value (escapes applied) or a number as written */
    double num = 0; /* a number's value */
    int pos = 0;    /* column, 0-based */
};

/// Splits `src` into tokens, ending with one Tok::End. False with *err on a
/// bad number, an unterminated string or a character no token starts with.
bool lexExpr(const QString &src, std::vector<Token> *out, QString *err);

} // namespace dfm::flow
