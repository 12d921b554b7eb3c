#include "flow/expr.h"

#include "spellcheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace dfm::flow {

namespace {

constexpr int kMaxDepth = 64; /* nesting; deeper input is refused, never overflows */

enum class Tok { End, Num, Str, Ident, Op };

struct Token {
    Tok kind = Tok::End;
    QString text;
    double num = 0;
    int pos = 0;
};

bool truthy(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return v.toBool();
    case QJsonValue::Double: return v.toDouble() != 0;
    case QJsonValue::String: return !v.toString().isEmpty();
    case QJsonValue::Array: return !v.toArray().isEmpty();
    case QJsonValue::Object: return !v.toObject().isEmpty();
    default: return false;
    }
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return QStringLiteral("boolean");
    case QJsonValue::Double: return QStringLiteral("number");
    case QJsonValue::String: return QStringLiteral("string");
    case QJsonValue::Array: return QStringLiteral("array");
    case QJsonValue::Object: return QStringLiteral("object");
    default: return QStringLiteral("null");
    }
}

class Parser {
public:
    Parser(const QString &src, const ExprScope &scope) : m_src(src), m_scope(scope) {}

    EvalStatus run(QJsonValue *out, QString *err)
    {
        if (!lex()) {
            *err = m_err;
            return EvalStatus::Error;
        }
        QJsonValue v = pipe();
        if (m_ok && peek().kind != Tok::End)
            failAt(peek(), QStringLiteral("unexpected '%1'").arg(peek().text));
        if (!m_ok) {
            *err = m_err;
            return EvalStatus::Error;
        }
        if (m_deferred)
            return EvalStatus::Deferred;
        *out = v;
        return EvalStatus::Ok;
    }

private:
    bool lex();
    const Token &peek() const { return m_toks[size_t(m_pos)]; }
    Token take() { return m_toks[size_t(m_pos < int(m_toks.size()) - 1 ? m_pos++ : m_pos)]; }
    bool isOp(const char *op) const { return peek().kind == Tok::Op && peek().text == QLatin1String(op); }
    bool isWord(const char *w) const { return peek().kind == Tok::Ident && peek().text == QLatin1String(w); }
    bool accept(const char *op)
    {
        if (isOp(op) || isWord(op)) {
            take();
            return true;
        }
        return false;
    }
    QJsonValue fail(const QString &msg)
    {
        if (m_ok) {
            m_ok = false;
            m_err = msg;
        }
        return QJsonValue();
    }
    QJsonValue failAt(const Token &t, const QString &msg)
    {
        return fail(t.kind == Tok::End ? msg + QStringLiteral(" at the end") : msg);
    }
    QJsonValue expect(const char *op)
    {
        if (!accept(op))
            return failAt(peek(), QStringLiteral("expected '%1'").arg(QLatin1String(op)));
        return QJsonValue(true);
    }

    QJsonValue pipe();
    QJsonValue ternary();
    QJsonValue orExpr();
    QJsonValue andExpr();
    QJsonValue notExpr();
    QJsonValue comparison();
    QJsonValue additive();
    QJsonValue multiplicative();
    QJsonValue unary();
    QJsonValue power();
    QJsonValue postfix();
    QJsonValue primary();
    QJsonValue builtin(const QString &name, const QJsonArray &args, const QJsonValue &input, bool piped);
    QJsonValue arith(const QString &op, const QJsonValue &a, const QJsonValue &b);

    struct Depth {
        Parser *p;
        explicit Depth(Parser *p_) : p(p_) { ++p->m_depth; }
        ~Depth() { --p->m_depth; }
    };

    QString m_src;
    const ExprScope &m_scope;
    std::vector<Token> m_toks;
    int m_pos = 0;
    int m_depth = 0;
    bool m_ok = true;
    bool m_deferred = false;
    QString m_err;
};

bool Parser::lex()
{
    static const char *const ops[] = {"**", "//", "==", "!=", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%",
                                      "<",  ">",  "!",  "(",  ")",  "[",  "]",  ",",  ".", "|", ":", "$"};
    int i = 0;
    const int n = int(m_src.size());
    while (i < n) {
        const QChar c = m_src.at(i);
        if (c.isSpace()) {
            ++i;
            continue;
        }
        Token t;
        t.pos = i;
        if (c.isDigit()) {
            int j = i;
            while (j < n && (m_src.at(j).isDigit() || m_src.at(j) == QLatin1Char('.')
                             || m_src.at(j) == QLatin1Char('_')))
                ++j;
            t.kind = Tok::Num;
            t.text = m_src.mid(i, j - i);
            bool ok = false;
            t.num = QString(t.text).remove(QLatin1Char('_')).toDouble(&ok);
            if (!ok) {
                m_err = QStringLiteral("bad number '%1'").arg(t.text);
                return false;
            }
            i = j;
        } else if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            int j = i + 1;
            QString s;
            while (j < n && m_src.at(j) != c) {
                if (m_src.at(j) == QLatin1Char('\\') && j + 1 < n) {
                    const QChar e = m_src.at(++j);
                    s += e == QLatin1Char('n') ? QChar(QLatin1Char('\n')) : e == QLatin1Char('t') ? QChar(QLatin1Char('\t')) : e;
                } else {
                    s += m_src.at(j);
                }
                ++j;
            }
            if (j >= n) {
                m_err = QStringLiteral("unterminated string starting at column %1").arg(i + 1);
                return false;
            }
            t.kind = Tok::Str;
            t.text = s;
            i = j + 1;
        } else if (c.isLetter() || c == QLatin1Char('_')) {
            int j = i;
            while (j < n && (m_src.at(j).isLetterOrNumber() || m_src.at(j) == QLatin1Char('_')))
                ++j;
            t.kind = Tok::Ident;
            t.text = m_src.mid(i, j - i);
            i = j;
        } else {
            bool found = false;
            for (const char *op : ops) {
                const QLatin1String o(op);
                if (QStringView(m_src).mid(i).startsWith(o)) {
                    t.kind = Tok::Op;
                    t.text = o;
                    i += int(o.size());
                    found = true;
                    break;
                }
            }
            if (!found) {
                m_err = QStringLiteral("unexpected character '%1'").arg(c);
                return false;
            }
        }
        m_toks.push_back(t);
    }
    Token end;
    end.pos = n;
    m_toks.push_back(end);
    return true;
}

QJsonValue Parser::pipe()
{
    QJsonValue v = ternary();
    while (m_ok && isOp("|")) {
        take();
        const Token name = take();
        if (name.kind != Tok::Ident)
            return failAt(name, QStringLiteral("expected a builtin name after '|'"));
        QJsonArray args;
        if (accept("(")) {
            if (!isOp(")")) {
                do
                    args.append(ternary());
                while (m_ok && accept(","));
            }
            expect(")");
        }
        if (!m_ok)
            return QJsonValue();
        v = builtin(name.text, args, v, true);
    }
    return v;
}

QJsonValue Parser::ternary()
{
    Depth d(this);
    if (m_depth > kMaxDepth)
        return fail(QStringLiteral("expression nested too deeply"));
    QJsonValue v = orExpr();
    if (m_ok && isWord("if")) {
        take();
        const QJsonValue cond = orExpr();
        expect("else");
        const QJsonValue other = ternary();
        return truthy(cond) ? v : other;
    }
    return v;
}

QJsonValue Parser::orExpr()
{
    QJsonValue v = andExpr();
    while (m_ok && (isWord("or") || isOp("||"))) {
        take();
        const QJsonValue r = andExpr();
        v = truthy(v) ? v : r;
    }
    return v;
}

QJsonValue Parser::andExpr()
{
    QJsonValue v = notExpr();
    while (m_ok && (isWord("and") || isOp("&&"))) {
        take();
        const QJsonValue r = notExpr();
        v = truthy(v) ? r : v;
    }
    return v;
}

QJsonValue Parser::notExpr()
{
    Depth d(this);
    if (m_depth > kMaxDepth)
        return fail(QStringLiteral("expression nested too deeply"));
    if (isWord("not") || isOp("!")) {
        take();
        return !truthy(notExpr());
    }
    return comparison();
}

QJsonValue Parser::comparison()
{
    QJsonValue v = additive();
    while (m_ok) {
        QString op;
        for (const char *o : {"==", "!=", "<=", ">=", "<", ">", "in"}) {
            if (isOp(o) || isWord(o)) {
                op = QLatin1String(o);
                break;
            }
        }
        if (op.isEmpty())
            break;
        take();
        const QJsonValue r = additive();
        if (!m_ok)
            break;
        if (op == QLatin1String("=="))
            v = v == r;
        else if (op == QLatin1String("!="))
            v = v != r;
        else if (op == QLatin1String("in")) {
            if (r.isArray())
                v = r.toArray().contains(v);
            else if (r.isObject())
                v = r.toObject().contains(v.toString());
            else if (r.isString() && v.isString())
                v = r.toString().contains(v.toString());
            else
                return fail(QStringLiteral("'in' needs a list, map or string on its right, got %1").arg(typeName(r)));
        } else {
            int c = 0;
            if (v.isDouble() && r.isDouble())
                c = v.toDouble() < r.toDouble() ? -1 : v.toDouble() > r.toDouble() ? 1 : 0;
            else if (v.isString() && r.isString())
                c = v.toString().compare(r.toString());
            else
                return fail(QStringLiteral("cannot compare %1 with %2").arg(typeName(v), typeName(r)));
            v = op == QLatin1String("<") ? c < 0 : op == QLatin1String("<=") ? c <= 0 : op == QLatin1String(">") ? c > 0 : c >= 0;
        }
    }
    return v;
}

QJsonValue Parser::arith(const QString &op, const QJsonValue &a, const QJsonValue &b)
{
    if (op == QLatin1String("+")) {
        if (a.isString() && b.isString())
            return a.toString() + b.toString();
        if (a.isArray() && b.isArray()) {
            QJsonArray r = a.toArray();
            for (const QJsonValue &x : b.toArray())
                r.append(x);
            return r;
        }
    }
    if (op == QLatin1String("*") && a.isString() && b.isDouble())
        return a.toString().repeated(qMax(0, int(b.toDouble())));
    const auto num = [](const QJsonValue &v) { return v.isBool() ? (v.toBool() ? 1.0 : 0.0) : v.toDouble(); };
    if (!(a.isDouble() || a.isBool()) || !(b.isDouble() || b.isBool()))
        return fail(QStringLiteral("cannot apply '%1' to %2 and %3").arg(op, typeName(a), typeName(b)));
    const double x = num(a), y = num(b);
    if ((op == QLatin1String("/") || op == QLatin1String("//") || op == QLatin1String("%")) && y == 0)
        return fail(QStringLiteral("division by zero"));
    if (op == QLatin1String("+")) return x + y;
    if (op == QLatin1String("-")) return x - y;
    if (op == QLatin1String("*")) return x * y;
    if (op == QLatin1String("/")) return x / y;
    if (op == QLatin1String("//")) return std::floor(x / y);
    if (op == QLatin1String("%")) return x - y * std::floor(x / y); // Python's sign rule
    return std::pow(x, y);
}

QJsonValue Parser::additive()
{
    QJsonValue v = multiplicative();
    while (m_ok && (isOp("+") || isOp("-"))) {
        const QString op = take().text;
        const QJsonValue r = multiplicative();
        if (m_ok)
            v = arith(op, v, r);
    }
    return v;
}

QJsonValue Parser::multiplicative()
{
    QJsonValue v = unary();
    while (m_ok && (isOp("*") || isOp("/") || isOp("//") || isOp("%"))) {
        const QString op = take().text;
        const QJsonValue r = unary();
        if (m_ok)
            v = arith(op, v, r);
    }
    return v;
}

QJsonValue Parser::unary()
{
    Depth d(this);
    if (m_depth > kMaxDepth)
        return fail(QStringLiteral("expression nested too deeply"));
    if (isOp("-")) {
        take();
        const QJsonValue v = unary();
        return m_ok ? arith(QStringLiteral("-"), 0.0, v) : v;
    }
    if (isOp("+")) {
        take();
        return unary();
    }
    return power();
}

QJsonValue Parser::power()
{
    QJsonValue v = postfix();
    if (m_ok && isOp("**")) {
        take();
        const QJsonValue r = unary();
        if (m_ok)
            v = arith(QStringLiteral("**"), v, r);
    }
    return v;
}

QJsonValue Parser::postfix()
{
    QJsonValue v = primary();
    while (m_ok) {
        if (isOp(".")) {
            take();
            const Token f = take();
            if (f.kind != Tok::Ident)
                return failAt(f, QStringLiteral("expected a field name after '.'"));
            if (!v.isObject() || !v.toObject().contains(f.text)) {
                if (m_deferred)
                    continue;
                return fail(v.isObject() ? QStringLiteral("no field '%1'").arg(f.text)
                                         : QStringLiteral("cannot take field '%1' of a %2").arg(f.text, typeName(v)));
            }
            v = v.toObject().value(f.text);
        } else if (isOp("[")) {
            take();
            if (accept("]")) { // items[]: the array itself
                continue;
            }
            QJsonValue lo, hi;
            bool slice = false;
            if (!isOp(":"))
                lo = ternary();
            if (accept(":")) {
                slice = true;
                if (!isOp("]"))
                    hi = ternary();
            }
            expect("]");
            if (!m_ok || m_deferred)
                continue;
            if (slice) {
                if (!v.isArray() && !v.isString())
                    return fail(QStringLiteral("cannot slice a %1").arg(typeName(v)));
                const int n = v.isArray() ? int(v.toArray().size()) : int(v.toString().size());
                auto clamp = [n](const QJsonValue &x, int dflt) {
                    if (!x.isDouble())
                        return dflt;
                    int i = int(x.toDouble());
                    if (i < 0)
                        i += n;
                    return qBound(0, i, n);
                };
                const int a = clamp(lo, 0), b = qMax(a, clamp(hi, n));
                if (v.isString()) {
                    v = v.toString().mid(a, b - a);
                } else {
                    QJsonArray r;
                    const QJsonArray arr = v.toArray();
                    for (int i = a; i < b; ++i)
                        r.append(arr.at(i));
                    v = r;
                }
            } else if (v.isObject()) {
                if (!v.toObject().contains(lo.toString()))
                    return fail(QStringLiteral("no key '%1'").arg(valueText(lo)));
                v = v.toObject().value(lo.toString());
            } else if (v.isArray() || v.isString()) {
                if (!lo.isDouble())
                    return fail(QStringLiteral("an index must be a number, got %1").arg(typeName(lo)));
                const int n = v.isArray() ? int(v.toArray().size()) : int(v.toString().size());
                int i = int(lo.toDouble());
                if (i < 0)
                    i += n;
                if (i < 0 || i >= n)
                    return fail(QStringLiteral("index %1 out of range (length %2)").arg(int(lo.toDouble())).arg(n));
                v = v.isArray() ? v.toArray().at(i) : QJsonValue(v.toString().mid(i, 1));
            } else {
                return fail(QStringLiteral("cannot index a %1").arg(typeName(v)));
            }
        } else {
            break;
        }
    }
    return v;
}

QJsonValue Parser::primary()
{
    const Token t = take();
    switch (t.kind) {
    case Tok::End:
        return fail(QStringLiteral("expected a value at the end"));
    case Tok::Num:
        return t.num;
    case Tok::Str:
        return t.text;
    case Tok::Op:
        if (t.text == QLatin1String("(")) {
            const QJsonValue v = pipe();
            expect(")");
            return v;
        }
        if (t.text == QLatin1String("[")) {
            QJsonArray arr;
            if (!isOp("]")) {
                do
                    arr.append(ternary());
                while (m_ok && accept(","));
            }
            expect("]");
            return arr;
        }
        if (t.text == QLatin1String("$")) {
            if (peek().kind != Tok::Ident)
                return failAt(peek(), QStringLiteral("expected a name after '$'"));
            return primary();
        }
        return fail(QStringLiteral("unexpected '%1'").arg(t.text));
    case Tok::Ident:
        break;
    }
    const QString &w = t.text;
    if (w == QLatin1String("true") || w == QLatin1String("True"))
        return true;
    if (w == QLatin1String("false") || w == QLatin1String("False"))
        return false;
    if (w == QLatin1String("null") || w == QLatin1String("None"))
        return QJsonValue();
    if (isOp("(")) {
        take();
        QJsonArray args;
        if (!isOp(")")) {
            do
                args.append(ternary());
            while (m_ok && accept(","));
        }
        expect(")");
        if (!m_ok)
            return QJsonValue();
        return builtin(w, args, QJsonValue(), false);
    }
    if (w == QLatin1String("inputs") || w == QLatin1String("memento")) {
        m_deferred = true;
        return QJsonValue();
    }
    QJsonValue v;
    if (m_scope.lookup(w, &v))
        return v;
    QString msg = QStringLiteral("unknown name '%1'").arg(w);
    const QString close = closestMatch(w, m_scope.names());
    if (!close.isEmpty())
        msg += QStringLiteral("; did you mean '%1'?").arg(close);
    return fail(msg);
}

QJsonValue Parser::builtin(const QString &name, const QJsonArray &args, const QJsonValue &in, bool piped)
{
    if (m_deferred)
        return QJsonValue();
    const QJsonValue x = piped ? in : args.isEmpty() ? QJsonValue() : args.at(0);
    const int want = piped ? 0 : 1;
    const auto arity = [&](int n) {
        if (args.size() != n)
            fail(QStringLiteral("%1() takes %2 argument(s), got %3").arg(name).arg(n).arg(args.size()));
        return m_ok;
    };
    if (name == QLatin1String("len") || name == QLatin1String("length")) {
        if (!arity(want))
            return QJsonValue();
        if (x.isArray()) return double(x.toArray().size());
        if (x.isObject()) return double(x.toObject().size());
        if (x.isString()) return double(x.toString().size());
        if (x.isNull()) return 0.0;
        return fail(QStringLiteral("%1 of a %2").arg(name, typeName(x)));
    }
    if (name == QLatin1String("str")) {
        if (!arity(want))
            return QJsonValue();
        return valueText(x);
    }
    if (name == QLatin1String("int")) {
        if (!arity(want))
            return QJsonValue();
        if (x.isDouble()) return std::trunc(x.toDouble());
        if (x.isBool()) return x.toBool() ? 1.0 : 0.0;
        bool ok = false;
        const qlonglong i = x.toString().trimmed().toLongLong(&ok);
        if (!ok)
            return fail(QStringLiteral("int(): '%1' is not an integer").arg(valueText(x)));
        return double(i);
    }
    if (name == QLatin1String("bool")) {
        if (!arity(want))
            return QJsonValue();
        return truthy(x);
    }
    if (!piped)
        return fail(QStringLiteral("unknown function '%1' (known: len, str, int, bool; with '|': length, keys, values, "
                                   "sort, unique, reverse, first, last, flatten, type, split)").arg(name));
    if (name == QLatin1String("type"))
        return typeName(x);
    if (name == QLatin1String("split")) {
        if (!arity(1))
            return QJsonValue();
        if (!x.isString())
            return fail(QStringLiteral("split of a %1").arg(typeName(x)));
        return QJsonArray::fromStringList(x.toString().split(args.at(0).toString()));
    }
    if (x.isObject() && (name == QLatin1String("keys") || name == QLatin1String("values"))) {
        const QJsonObject o = x.toObject();
        if (name == QLatin1String("keys"))
            return QJsonArray::fromStringList(o.keys());
        QJsonArray r;
        for (auto it = o.begin(); it != o.end(); ++it)
            r.append(it.value());
        return r;
    }
    if (!x.isArray())
        return fail(QStringLiteral("'%1' needs an array, got %2").arg(name, typeName(x)));
    QJsonArray a = x.toArray();
    if (name == QLatin1String("first") || name == QLatin1String("last")) {
        if (a.isEmpty())
            return QJsonValue();
        return name == QLatin1String("first") ? a.first() : a.last();
    }
    std::vector<QJsonValue> items(a.begin(), a.end());
    if (name == QLatin1String("reverse")) {
        std::reverse(items.begin(), items.end());
    } else if (name == QLatin1String("sort") || name == QLatin1String("unique")) {
        std::stable_sort(items.begin(), items.end(), [](const QJsonValue &l, const QJsonValue &r) {
            if (l.isDouble() && r.isDouble())
                return l.toDouble() < r.toDouble();
            return valueText(l) < valueText(r);
        });
        if (name == QLatin1String("unique"))
            items.erase(std::unique(items.begin(), items.end()), items.end());
    } else if (name == QLatin1String("flatten")) {
        std::vector<QJsonValue> flat;
        for (const QJsonValue &v : items) {
            if (v.isArray())
                for (const QJsonValue &w : v.toArray())
                    flat.push_back(w);
            else
                flat.push_back(v);
        }
        items.swap(flat);
    } else {
        return fail(QStringLiteral("unknown builtin '%1'").arg(name));
    }
    QJsonArray r;
    for (const QJsonValue &v : items)
        r.append(v);
    return r;
}

} // namespace

QString valueText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("True") : QStringLiteral("False");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
            return QString::number(qint64(d));
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    default:
        return QString();
    }
}

EvalStatus evalExpr(const QString &expr, const ExprScope &scope, QJsonValue *out, QString *err)
{
    if (expr.trimmed().isEmpty()) {
        *err = QStringLiteral("empty expression");
        return EvalStatus::Error;
    }
    return Parser(expr, scope).run(out, err);
}

bool expandText(const QString &text, const ExprScope &scope, QJsonValue *out, QString *err)
{
    static const QLatin1String kOpen("${{"), kClose("}}");
    QString result;
    qsizetype pos = 0;
    int refs = 0;
    QJsonValue only;
    bool onlyWhole = false;
    while (pos < text.size()) {
        const qsizetype open = text.indexOf(kOpen, pos);
        if (open < 0)
            break;
        const qsizetype close = text.indexOf(kClose, open + kOpen.size());
        if (close < 0) {
            *err = QStringLiteral("'${{' without a closing '}}'");
            return false;
        }
        result += QStringView(text).mid(pos, open - pos);
        const QString expr = text.mid(open + kOpen.size(), close - open - kOpen.size());
        QJsonValue v;
        QString e;
        switch (evalExpr(expr, scope, &v, &e)) {
        case EvalStatus::Error:
            *err = QStringLiteral("in '${{%1}}': %2").arg(expr, e);
            return false;
        case EvalStatus::Deferred:
            result += QStringView(text).mid(open, close + kClose.size() - open);
            break;
        case EvalStatus::Ok:
            result += valueText(v);
            ++refs;
            only = v;
            onlyWhole = open == 0 && close + kClose.size() == text.size();
            break;
        }
        pos = close + kClose.size();
    }
    result += QStringView(text).mid(pos);
    *out = refs == 1 && onlyWhole ? only : QJsonValue(result);
    return true;
}

} // namespace dfm::flow
