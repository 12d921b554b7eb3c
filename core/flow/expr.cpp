// The grammar of `${{ }}` expressions: a recursive-descent parser that
// evaluates as it goes (the tokens come from exprlexer.cpp, what operators
// do to values from exprvalue.cpp), names looked up in an ExprScope.

#include "flow/expr.h"

#include "flow/exprlexer.h"
#include "flow/exprvalue.h"
#include "spellcheck.h"
#include "valuetext.h"

#include <QJsonArray>

namespace dfm::flow {

namespace {

constexpr int kMaxDepth = 64; /* nesting; deeper input is refused, never overflows */

class Parser {
public:
    Parser(const QString &src, const ExprScope &scope) : m_src(src), m_scope(scope) {}

    EvalStatus run(QJsonValue *out, QString *err)
    {
        if (!lexExpr(m_src, &m_toks, &m_err)) {
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
        QString e;
        QJsonValue result;
        if (!applyCompare(op, v, r, &result, &e))
            return fail(e);
        v = result;
    }
    return v;
}

QJsonValue Parser::arith(const QString &op, const QJsonValue &a, const QJsonValue &b)
{
    QJsonValue out;
    QString e;
    return applyArith(op, a, b, &out, &e) ? out : fail(e);
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
            QJsonValue field;
            QString e;
            if (!fieldOf(v, f.text, &field, &e)) {
                if (m_deferred)
                    continue;
                return fail(e);
            }
            v = field;
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
            QJsonValue item;
            QString e;
            if (!(slice ? sliceOf(v, lo, hi, &item, &e) : indexOf(v, lo, &item, &e)))
                return fail(e);
            v = item;
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
    QJsonValue out;
    QString e;
    return callBuiltin(name, args, in, piped, &out, &e) ? out : fail(e);
}

} // namespace

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
    const qsizetype kOpenSize = kRefOpenSize, kCloseSize = kRefCloseSize;
    QString result;
    qsizetype pos = 0, open = 0, close = 0;
    int refs = 0;
    QJsonValue only;
    bool onlyWhole = false;
    while (pos < text.size() && nextRef(text, pos, &open, &close)) {
        if (close < 0) {
            *err = QStringLiteral("'${{' without a closing '}}'");
            return false;
        }
        result += QStringView(text).mid(pos, open - pos);
        const QString expr = text.mid(open + kOpenSize, close - open - kOpenSize);
        QJsonValue v;
        QString e;
        switch (evalExpr(expr, scope, &v, &e)) {
        case EvalStatus::Error:
            *err = QStringLiteral("in '${{%1}}': %2").arg(expr, e);
            return false;
        case EvalStatus::Deferred:
            result += QStringView(text).mid(open, close + kCloseSize - open);
            break;
        case EvalStatus::Ok:
            result += valueText(v);
            ++refs;
            only = v;
            onlyWhole = open == 0 && close + kCloseSize == text.size();
            break;
        }
        pos = close + kCloseSize;
    }
    result += QStringView(text).mid(pos);
    *out = refs == 1 && onlyWhole ? only : QJsonValue(result);
    return true;
}

} // namespace dfm::flow
