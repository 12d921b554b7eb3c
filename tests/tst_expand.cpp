// ${{ NAME }} expansion in shell task bodies.

#include "expand.h"

#include <QJsonArray>
#include <QtTest>

using dfm::expandRefs;

class TstExpand : public QObject {
    Q_OBJECT
private slots:
    void replacesReferenceWithSpaces()
    {
        QCOMPARE(expandRefs(QStringLiteral("cd ${{ rundir }}"), {{"rundir", "/r"}}),
                 QStringLiteral("cd /r"));
    }
    void replacesReferenceWithoutSpaces()
    {
        QCOMPARE(expandRefs(QStringLiteral("cd ${{rundir}}/x"), {{"rundir", "/r"}}),
                 QStringLiteral("cd /r/x"));
    }
    void acceptsTabsAndUnevenSpaces()
    {
        QCOMPARE(expandRefs(QStringLiteral("[${{\tn   }}]"), {{"n", "5"}}), QStringLiteral("[5]"));
    }
    void leavesUnknownReferenceExactlyAsWritten()
    {
        const QString text = QStringLiteral("echo ${{  nope }} ${{other}}");
        QCOMPARE(expandRefs(text, {{"rundir", "/r"}}), text);
    }
    void leavesUnclosedReferenceAlone()
    {
        const QString text = QStringLiteral("echo ${{ rundir");
        QCOMPARE(expandRefs(text, {{"rundir", "/r"}}), text);
    }
    void leavesShellVariablesAlone()
    {
        const QString text = QStringLiteral("echo ${HOME} $rundir ${ {rundir} }");
        QCOMPARE(expandRefs(text, {{"rundir", "/r"}}), text);
    }
    void replacesMultipleAndRepeatedReferences()
    {
        QCOMPARE(expandRefs(QStringLiteral("${{a}} and ${{ b }} and ${{a}}"), {{"a", "1"}, {"b", "2"}}),
                 QStringLiteral("1 and 2 and 1"));
    }
    void replacesAdjacentReferences()
    {
        QCOMPARE(expandRefs(QStringLiteral("${{a}}${{ b }}${{x}}"), {{"a", "1"}, {"b", "2"}}),
                 QStringLiteral("12${{x}}"));
    }
    void doesNotReexpandSubstitutedText()
    {
        QCOMPARE(expandRefs(QStringLiteral("${{a}}"), {{"a", "${{b}}"}, {"b", "no"}}),
                 QStringLiteral("${{b}}"));
    }
    void taskVarsRendersParamsAndRundir()
    {
        dfm::proto::TaskSpec spec;
        spec.rundir = QStringLiteral("/work/run");
        spec.params = QJsonObject{{"count", 1},       {"ratio", 1.5},  {"neg", -3},
                                  {"on", true},       {"off", false},  {"s", "txt"},
                                  {"list", QJsonArray{1, "a"}},        {"none", QJsonValue()},
                                  {"rundir", "ignored"}};
        const QHash<QString, QString> v = dfm::taskVars(spec);
        QCOMPARE(v.value("rundir"), QStringLiteral("/work/run"));
        QCOMPARE(v.value("count"), QStringLiteral("1"));
        QCOMPARE(v.value("ratio"), QStringLiteral("1.5"));
        QCOMPARE(v.value("neg"), QStringLiteral("-3"));
        QCOMPARE(v.value("on"), QStringLiteral("true"));
        QCOMPARE(v.value("off"), QStringLiteral("false"));
        QCOMPARE(v.value("s"), QStringLiteral("txt"));
        QCOMPARE(v.value("list"), QStringLiteral("[1,\"a\"]"));
        QCOMPARE(v.value("none"), QString());
        QCOMPARE(expandRefs(QStringLiteral("n=${{ count }} on=${{on}}"), v),
                 QStringLiteral("n=1 on=true"));
    }
};

QTEST_APPLESS_MAIN(TstExpand)
#include "tst_expand.moc"
