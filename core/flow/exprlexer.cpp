#include "flow/exprlexer.h"

namespace dfm::flow {

bool lexExpr(const QString &src, std::vector<Token> *out, QString *err)
{
    static const char *const ops[] = {"**", "//", "==", "!=", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%",
                                      "<",  ">",  "!",  "(",  ")",  "[",  "]",  ",",  ".", "|", ":", "$"};
    int i = 0;
    const int n = int(src.size());
    while (i < n) {
        const QChar c = src.at(i);
        if (c.isSpace()) {
            ++i;
            continue;
        }
        Token t;
        t.pos = i;
        if (c.isDigit()) {
            int j = i;
            while (j < n && (src.at(j).isDigit() || src.at(j) == QLatin1Char('.')
                             || src.at(j) == QLatin1Char('_')))
                ++j;
            t.kind = Tok::Num;
            t.text = src.mid(i, j - i);
            bool ok = false;
            t.num = QString(t.text).remove(QLatin1Char('_')).toDouble(&ok);
            if (!ok) {
                *err = QStringLiteral("bad number '%1'").arg(t.text);
                return false;
            }
            i = j;
        } else if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            int j = i + 1;
            QString s;
            while (j < n && src.at(j) != c) {
                if (src.at(j) == QLatin1Char('\\') && j + 1 < n) {
                    const QChar e = src.at(++j);
                    s += e == QLatin1Char('n') ? QChar(QLatin1Char('\n')) : e == QLatin1Char('t') ? QChar(QLatin1Char('\t')) : e;
                } else {
                    s += src.at(j);
                }
                ++j;
            }
            if (j >= n) {
                *err = QStringLiteral("unterminated string starting at column %1").arg(i + 1);
                return false;
            }
            t.kind = Tok::Str;
            t.text = s;
            i = j + 1;
        } else if (c.isLetter() || c == QLatin1Char('_')) {
            int j = i;
            while (j < n && (src.at(j).isLetterOrNumber() || src.at(j) == QLatin1Char('_')))
                ++j;
            t.kind = Tok::Ident;
            t.text = src.mid(i, j - i);
            i = j;
        } else {
            bool found = false;
            for (const char *op : ops) {
                const QLatin1String o(op);
                if (QStringView(src).mid(i).startsWith(o)) {
                    t.kind = Tok::Op;
                    t.text = o;
                    i += int(o.size());
                    found = true;
                    break;
                }
            }
            if (!found) {
                *err = QStringLiteral("unexpected character '%1'").arg(c);
                return false;
            }
        }
        out->push_back(t);
    }
    Token end;
    end.pos = n;
    out->push_back(end);
    return true;
}

} // namespace dfm::flow
