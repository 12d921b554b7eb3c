// `${{ }}` expressions: operators, names, builtins, and their error texts.

#include "flow/expr.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

using namespace dfm::flow;

namespace {

class MapScope : public ExprScope {
public:
    QJsonObject vars;
    bool lookup(const QString &name, QJsonValue *v) const override
    {
        if (!vars.contains(name))
            return false;
        *v = vars.value(name);
        return true;
    }
    QStringList names() const override { return vars.keys(); }
};

MapScope scope()
{
    MapScope s;
    s.vars = QJsonObject{{QStringLiteral("seed"), 41},
                         {QStringLiteral("name"), QStringLiteral("smoke")},
                         {QStringLiteral("debug"), false},
                         {QStringLiteral("flags"), QJsonArray{QStringLiteral("-O2"), QStringLiteral("-Wall")}},
                         {QStringLiteral("config"), QJsonObject{{QStringLiteral("arch"), QStringLiteral("x86_64")}}},
                         {QStringLiteral("env"), QJsonObject{{QStringLiteral("HOME"), QStringLiteral("/home/u")}}}};
    return s;
}

/// The expression's value as text, or "error: ..." / "deferred".
QString eval(const QString &expr)
{
    const MapScope s = scope();
    QJsonValue v;
    QString err;
    switch (evalExpr(expr, s, &v, &err)) {
    case EvalStatus::Error: return QStringLiteral("error: ") + err;
    case EvalStatus::Deferred: return QStringLiteral("deferred");
    case EvalStatus::Ok: break;
    }
    return valueText(v);
}

} // namespace

class TestFlowExpr : public QObject {
    Q_OBJECT

private slots:
    void arithmeticFollowsPythonRules()
    {
        QCOMPARE(eval(QStringLiteral("seed + 1")), QStringLiteral("42"));
        QCOMPARE(eval(QStringLiteral("seed * 2 - 2 ** 3")), QStringLiteral("74"));
        QCOMPARE(eval(QStringLiteral("7 / 2")), QStringLiteral("3.5"));
        QCOMPARE(eval(QStringLiteral("7 // 2")), QStringLiteral("3"));
        QCOMPARE(eval(QStringLiteral("-7 % 3")), QStringLiteral("2"));
        QCOMPARE(eval(QStringLiteral("(1 + 2) * 3")), QStringLiteral("9"));
        QCOMPARE(eval(QStringLiteral("1 / 0")), QStringLiteral("error: division by zero"));
    }

    void comparisonAndBooleans()
    {
        QCOMPARE(eval(QStringLiteral("seed > 40 and not debug")), QStringLiteral("True"));
        QCOMPARE(eval(QStringLiteral("seed == 41 && debug")), QStringLiteral("False"));
        QCOMPARE(eval(QStringLiteral("debug || name == 'smoke'")), QStringLiteral("True"));
        QCOMPARE(eval(QStringLiteral("'-O2' in flags")), QStringLiteral("True"));
        QCOMPARE(eval(QStringLiteral("'fast' if debug else 'slow'")), QStringLiteral("slow"));
    }

    void stringsConcatenateAndIndex()
    {
        QCOMPARE(eval(QStringLiteral("name + '_' + str(seed)")), QStringLiteral("smoke_41"));
        QCOMPARE(eval(QStringLiteral("flags[0]")), QStringLiteral("-O2"));
        QCOMPARE(eval(QStringLiteral("flags[-1]")), QStringLiteral("-Wall"));
        QCOMPARE(eval(QStringLiteral("config['arch']")), QStringLiteral("x86_64"));
        QCOMPARE(eval(QStringLiteral("config.arch")), QStringLiteral("x86_64"));
        QCOMPARE(eval(QStringLiteral("env.HOME")), QStringLiteral("/home/u"));
        QCOMPARE(eval(QStringLiteral("name[1:3]")), QStringLiteral("mo"));
        QCOMPARE(eval(QStringLiteral("name + 1")), QStringLiteral("error: cannot apply '+' to string and number"));
    }

    void functionsAndPipes()
    {
        QCOMPARE(eval(QStringLiteral("len(flags)")), QStringLiteral("2"));
        QCOMPARE(eval(QStringLiteral("int('12') + 1")), QStringLiteral("13"));
        QCOMPARE(eval(QStringLiteral("flags | length")), QStringLiteral("2"));
        QCOMPARE(eval(QStringLiteral("'a/b/c.sv' | split('/') | last")), QStringLiteral("c.sv"));
        QCOMPARE(eval(QStringLiteral("flags | reverse | first")), QStringLiteral("-Wall"));
        QCOMPARE(eval(QStringLiteral("config | keys")), QStringLiteral("[\"arch\"]"));
        QCOMPARE(eval(QStringLiteral("nosuch(1)")).left(33), QStringLiteral("error: unknown function 'nosuch' "));
    }

    void unknownNamesSuggestTheClosest()
    {
        QCOMPARE(eval(QStringLiteral("sed + 1")), QStringLiteral("error: unknown name 'sed'; did you mean 'seed'?"));
        QCOMPARE(eval(QStringLiteral("seed +")), QStringLiteral("error: expected a value at the end"));
        QCOMPARE(eval(QStringLiteral("'open")), QStringLiteral("error: unterminated string starting at column 1"));
        QCOMPARE(eval(QString(200, QLatin1Char('(')) + QLatin1Char('1')), QStringLiteral("error: expression nested too deeply"));
    }

    void runtimeReferencesAreDeferred()
    {
        QCOMPARE(eval(QStringLiteral("inputs | length")), QStringLiteral("deferred"));
        const MapScope s = scope();
        QJsonValue v;
        QString err;
        QVERIFY(expandText(QStringLiteral("n=${{ inputs | length }} s=${{ seed }}"), s, &v, &err));
        QCOMPARE(v.toString(), QStringLiteral("n=${{ inputs | length }} s=41"));
    }

    void aWholeReferenceKeepsItsType()
    {
        const MapScope s = scope();
        QJsonValue v;
        QString err;
        QVERIFY(expandText(QStringLiteral("${{ seed + 1 }}"), s, &v, &err));
        QCOMPARE(v, QJsonValue(42));
        QVERIFY(expandText(QStringLiteral("${{ flags }}"), s, &v, &err));
        QVERIFY(v.isArray());
        QVERIFY(expandText(QStringLiteral("v${{ seed }}"), s, &v, &err));
        QCOMPARE(v, QJsonValue(QStringLiteral("v41")));
        QVERIFY(!expandText(QStringLiteral("x ${{ seed"), s, &v, &err));
        QCOMPARE(err, QStringLiteral("'${{' without a closing '}}'"));
    }
};

QTEST_APPLESS_MAIN(TestFlowExpr)
#include "tst_flowexpr.moc"
