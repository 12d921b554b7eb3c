// Compound tasks (`body:`), strategy.matrix and max_failures: what the
// loader makes of them (names, needs, parameters seen by bodies, run
// directories), the failure budget of a run, and real runs through `dfm run`.

#include "flow.h"
#include "flow/failurebudget.h"
#include "flow/submit.h"
#include "flowtestutil.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

const QString kFile = QStringLiteral("/p/flow.dv");

QString load(const QByteArray &yaml, Flow *out)
{
    FlowOptions o;
    o.rundirRoot = QStringLiteral("/p/rundir");
    QString err;
    if (!parseFlowText(kFile, QString::fromUtf8(yaml), o, out, &err))
        return err;
    return QString();
}

/// name: needs, one line per task in flow order.
QString needsOf(const Flow &flow)
{
    QString s;
    for (const FlowTask &t : flow.tasks)
        s += t.name + QStringLiteral(": ") + t.needs.join(QLatin1Char(' ')) + QLatin1Char('\n');
    return s;
}

QString rundirOf(const Flow &flow, const QString &name)
{
    return flow::taskRundir(flow, task(flow, name), QStringLiteral("/p/rundir"));
}

const QByteArray kCompound = R"(package:
  name: foo
  tasks:
  - name: prep
    run: echo prep
  - name: entry
    needs: [prep]
    max_failures: 2
    with:
      greeting: {type: str, value: hello}
    body:
    - name: create_file
      rundir: inherit
      uses: std.CreateFile
      with:
        filename: hello.txt
        content: "${{ greeting }} world"
    - name: glob_txt
      rundir: inherit
      uses: std.FileSet
      needs: [create_file]
      passthrough: none
      with:
        base: ${{ rundir }}
        include: "*.txt"
        type: textFile
    - name: say
      run: echo ${{ this.greeting }} from ${{ name }}
  - name: after
    needs: [entry]
    run: echo after
)";

QMap<QString, QString> statuses(const QString &jsonFile)
{
    QFile f(jsonFile);
    QMap<QString, QString> m;
    if (!f.open(QIODevice::ReadOnly))
        return m;
    for (const QJsonValue &v : QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("tasks")).toArray())
        m.insert(v.toObject().value(QLatin1String("name")).toString(), v.toObject().value(QLatin1String("status")).toString());
    return m;
}

} // namespace

class TestCompound : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    Run run(const TempProject &p, const QStringList &args) const
    {
        return runFlow(p, args);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void bodyTasksAreNamedUnderTheCompoundAndWiredAsThePythonDfmWiresThem()
    {
        Flow flow;
        QCOMPARE(load(kCompound, &flow), QString());
        // A body task without a sibling need gets the compound's needs; the
        // compound needs the body tasks no sibling needs; its dependents wait for it.
        QCOMPARE(needsOf(flow), QStringLiteral("prep: \n"
                                               "entry: entry.glob_txt entry.say\n"
                                               "entry.create_file: prep\n"
                                               "entry.glob_txt: entry.create_file\n"
                                               "entry.say: prep\n"
                                               "after: entry\n"));
        const FlowTask &entry = task(flow, QStringLiteral("entry"));
        QVERIFY(entry.isCompound);
        QVERIFY(entry.isNull());
        QCOMPARE(entry.maxFailures, 2);
        QCOMPARE(entry.passthrough, QJsonValue(QStringLiteral("all")));
        QCOMPARE(task(flow, QStringLiteral("foo.entry.say")).compound(), QStringLiteral("entry"));
        QCOMPARE(task(flow, QStringLiteral("prep")).compound(), QString());
    }

    void bodyTasksSeeTheCompoundsParametersAndNestedRunDirectories()
    {
        Flow flow;
        QCOMPARE(load(kCompound, &flow), QString());
        QCOMPARE(task(flow, QStringLiteral("entry.create_file")).with.value(QLatin1String("content")),
                 QJsonValue(QStringLiteral("hello world")));
        QCOMPARE(task(flow, QStringLiteral("entry.glob_txt")).with.value(QLatin1String("base")),
                 QJsonValue(QStringLiteral("/p/rundir/foo.entry")));
        QCOMPARE(task(flow, QStringLiteral("entry.say")).run, QStringLiteral("echo hello from foo.entry.say"));
        QCOMPARE(rundirOf(flow, QStringLiteral("entry.create_file")), QStringLiteral("/p/rundir/foo.entry"));
        QCOMPARE(rundirOf(flow, QStringLiteral("entry.say")), QStringLiteral("/p/rundir/foo.entry/foo.entry.say"));
        QCOMPARE(rundirOf(flow, QStringLiteral("after")), QStringLiteral("/p/rundir/foo.after"));
        const QJsonObject submit = flow::submitParams(flow, task(flow, QStringLiteral("entry.say")), QStringLiteral("/p/rundir"), 0);
        QCOMPARE(submit.value(QLatin1String("name")), QJsonValue(QStringLiteral("foo.entry.say")));
    }

    void aCompoundUsedAsABaseRunsItsBodyWithTheDerivedParameters()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  tasks:\n"
                      "  - name: Greeter\n    with:\n      greeting: {type: str, value: default}\n"
                      "    body:\n    - name: say\n      run: echo say ${{ greeting }}\n"
                      "  - name: CustomGreeter\n    uses: Greeter\n    with:\n      greeting: howdy\n", &flow), QString());
        QCOMPARE(needsOf(flow), QStringLiteral("Greeter: Greeter.say\nGreeter.say: \n"
                                               "CustomGreeter: CustomGreeter.say\nCustomGreeter.say: \n"));
        QCOMPARE(task(flow, QStringLiteral("Greeter.say")).run, QStringLiteral("echo say default"));
        QCOMPARE(task(flow, QStringLiteral("CustomGreeter.say")).run, QStringLiteral("echo say howdy"));
    }

    void matrixRepeatsTheBodyPerCombinationNamedByValueIndices()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: foo\n  tasks:\n"
                      "  - name: Worker\n    with:\n      model: {type: str}\n"
                      "    body:\n    - name: step\n      run: echo model=${{ model }}\n"
                      "  - name: RunAll\n    strategy:\n      matrix:\n        letter: [a, b]\n        number: [1, 2]\n"
                      "    body:\n    - name: Task\n      run: echo ${{ this.letter }}_${{ matrix.number }}\n"
                      "    - name: core\n      uses: Worker\n      with:\n        model: \"${{ matrix.letter }}\"\n", &flow), QString());
        QStringList names;
        for (const FlowTask &t : flow.tasks)
            names << t.name;
        QCOMPARE(names, (QStringList{QStringLiteral("Worker"), QStringLiteral("Worker.step"), QStringLiteral("RunAll"),
                                     QStringLiteral("RunAll.Task_0_0"), QStringLiteral("RunAll.core_0_0"), QStringLiteral("RunAll.core_0_0.step"),
                                     QStringLiteral("RunAll.Task_0_1"), QStringLiteral("RunAll.core_0_1"), QStringLiteral("RunAll.core_0_1.step"),
                                     QStringLiteral("RunAll.Task_1_0"), QStringLiteral("RunAll.core_1_0"), QStringLiteral("RunAll.core_1_0.step"),
                                     QStringLiteral("RunAll.Task_1_1"), QStringLiteral("RunAll.core_1_1"), QStringLiteral("RunAll.core_1_1.step")}));
        QCOMPARE(task(flow, QStringLiteral("RunAll.Task_1_0")).run, QStringLiteral("echo b_1"));
        QCOMPARE(task(flow, QStringLiteral("RunAll.core_1_1.step")).run, QStringLiteral("echo model=b"));
        QCOMPARE(task(flow, QStringLiteral("RunAll.core_0_1")).with.value(QLatin1String("model")), QJsonValue(QStringLiteral("a")));
        QCOMPARE(task(flow, QStringLiteral("RunAll")).needs.size(), 8);
        // A matrix instance runs beside its compound, as in the Python dfm.
        QCOMPARE(rundirOf(flow, QStringLiteral("RunAll.Task_0_1")), QStringLiteral("/p/rundir/foo.RunAll.Task_0_1"));
        QCOMPARE(rundirOf(flow, QStringLiteral("RunAll.core_0_1.step")),
                 QStringLiteral("/p/rundir/foo.RunAll.core_0_1/foo.RunAll.core_0_1.step"));
    }

    void matrixValuesMayBeExpressionsAndSiblingNeedsStayInTheirCombination()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  with:\n    seeds: {type: list, value: [7, 9]}\n  tasks:\n"
                      "  - name: reg\n    strategy:\n      matrix:\n        seed: \"${{ seeds }}\"\n"
                      "    body:\n    - name: build\n      run: make\n"
                      "    - name: sim\n      needs: [build]\n      run: ./sim +seed=${{ matrix.seed }}\n", &flow), QString());
        QCOMPARE(needsOf(flow), QStringLiteral("reg: reg.sim_0 reg.sim_1\nreg.build_0: \nreg.sim_0: reg.build_0\n"
                                               "reg.build_1: \nreg.sim_1: reg.build_1\n"));
        QCOMPARE(task(flow, QStringLiteral("reg.sim_1")).run, QStringLiteral("./sim +seed=9"));
    }

    void compoundMistakesAreReportedWithFileAndLine()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  tasks:\n"
                      "  - name: m\n    strategy:\n      matrix: {x: [1, 1]}\n    body:\n    - {name: s, run: x}\n"
                      "  - name: c\n    run: echo\n    body:\n    - {name: s, run: x}\n"
                      "  - name: n\n    body:\n    - name: s\n      needs: [nope]\n      run: x\n"
                      "  - name: A\n    body:\n    - name: s\n      uses: A\n"
                      "  - name: f\n    max_failures: 0\n    body:\n    - {name: s, run: x}\n"
                      "  - name: g\n    strategy:\n      generate:\n        run: my.gen\n    body:\n    - {name: s, run: x}\n", &flow),
                 QStringLiteral("/p/flow.dv:5: task 'm': strategy.matrix.x lists '1' twice\n"
                                "/p/flow.dv:11: task 'c': a compound task (`body:`) that also runs something of its own (`run:`, "
                                "or a `uses:` base that does, reached as `super`) is not supported yet\n"
                                "/p/flow.dv:16: task 'n.s' needs 'nope', which is neither a task of its body nor of package 'p'\n"
                                "/p/flow.dv:20: task 'A.s': its body contains 'A' again (through `uses:`), which would never end\n"
                                "/p/flow.dv:23: task 'f': max_failures must be a positive integer, or -1 for no limit\n"
                                "/p/flow.dv:28: task 'g': `strategy.generate` runs a Python generator; this dfm cannot run it "
                                "(the Python `dfm run` runs it through our daemon)"));
    }

    void failureBudgetSkipsTheRestOfABodyAtMaxFailures()
    {
        // 0: C (max 2), 1..3 its body, 4: a top-level task.
        flow::FailureBudget b({-1, 0, 0, 0, -1}, {2, -1, -1, -1, -1});
        QCOMPARE(b.failed(1), std::vector<int>{});
        QCOMPARE(b.failed(4), std::vector<int>{});
        QCOMPARE(b.failed(2), std::vector<int>{0});
        QCOMPARE(b.failed(3), std::vector<int>{}); // reached once only
        QCOMPARE(b.members(0), (std::vector<int>{1, 2, 3}));
        QCOMPARE(b.failures(0), 3);
    }

    void aFailedInnerCompoundCountsOnceInItsOuterCompound()
    {
        // 0: O (max 1), 1: I in O (no limit), 2, 3: in I, 4: in O.
        flow::FailureBudget b({-1, 0, 1, 1, 0}, {1, -1, -1, -1, -1});
        QCOMPARE(b.failed(2), std::vector<int>{0});
        QCOMPARE(b.failed(3), std::vector<int>{});
        QCOMPARE(b.failures(0), 1);
        QCOMPARE(b.failures(1), 2);
        std::vector<int> m = b.members(0);
        std::sort(m.begin(), m.end());
        QCOMPARE(m, (std::vector<int>{1, 2, 3, 4}));
    }

    void aCompoundRunsItsBodyWithItsInputsAndPassesTheResultsOn()
    {
        TempProject p;
        p.write(QStringLiteral("src/a.txt"), "a\n");
        p.write(QStringLiteral("flow.dv"), R"(package:
  name: cmp
  tasks:
  - name: src
    uses: std.FileSet
    with: { type: text, base: src, include: "*.txt" }
  - name: entry
    needs: [src]
    with:
      greeting: {type: str, value: hello}
    body:
    - name: make
      rundir: inherit
      uses: std.CreateFile
      with: { filename: made.txt, content: "${{ greeting }} world" }
    - name: glob
      rundir: inherit
      uses: std.FileSet
      needs: [make]
      passthrough: none
      with: { type: text, base: "${{ rundir }}", include: "made.txt" }
    - name: seen
      run: grep -o '"[a-z]*.txt"' $DFM_INPUTS | sort | tr '\n' ' ' > seen.txt
  - name: after
    needs: [entry]
    run: grep -o '"[a-z]*.txt"' $DFM_INPUTS | sort | tr '\n' ' ' > after.txt
)");
        Run r = run(p, {QStringLiteral("after")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/cmp.entry/made.txt"))), QStringLiteral("hello world"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/cmp.entry/cmp.entry.seen/seen.txt"))), QStringLiteral("\"a.txt\" "));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/cmp.after/after.txt"))), QStringLiteral("\"made.txt\" "));
        QVERIFY2(r.out.contains(QStringLiteral("passed cmp.entry.glob (")), qPrintable(r.out));
        r = run(p, {QStringLiteral("after")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("passed cmp.entry.seen (up-to-date)")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("passed cmp.after (up-to-date)")), qPrintable(r.out));
    }

    void maxFailuresSkipsWhatOfTheBodyHasNotStarted()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), R"(package:
  name: mf
  tasks:
  - name: strict
    max_failures: 1
    body:
    - {name: a, run: exit 1}
    - {name: b, run: touch ran}
    - {name: c, run: touch ran}
  - name: lenient
    body:
    - {name: a, run: exit 1}
    - {name: b, run: touch ran}
    - {name: c, run: touch ran}
)");
        const QString json = p.path(QStringLiteral("report.json"));
        const Run r = run(p, {QStringLiteral("strict"), QStringLiteral("lenient"), QStringLiteral("-j"), QStringLiteral("1"),
                              QStringLiteral("--json"), json});
        QCOMPARE(r.code, 1);
        const QMap<QString, QString> s = statuses(json);
        QCOMPARE(s.value(QStringLiteral("mf.strict.a")), QStringLiteral("failed"));
        QCOMPARE(s.value(QStringLiteral("mf.strict.b")), QStringLiteral("skipped"));
        QCOMPARE(s.value(QStringLiteral("mf.strict.c")), QStringLiteral("skipped"));
        QCOMPARE(s.value(QStringLiteral("mf.strict")), QStringLiteral("failed"));
        QCOMPARE(s.value(QStringLiteral("mf.lenient.a")), QStringLiteral("failed"));
        QCOMPARE(s.value(QStringLiteral("mf.lenient.b")), QStringLiteral("passed"));
        QCOMPARE(s.value(QStringLiteral("mf.lenient.c")), QStringLiteral("passed"));
        QCOMPARE(s.value(QStringLiteral("mf.lenient")), QStringLiteral("failed"));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir/mf.strict/mf.strict.b/ran"))));
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/mf.lenient/mf.lenient.c/ran"))));
        QVERIFY2(r.out.contains(QStringLiteral("skipped mf.strict.b (max_failures (1) of mf.strict reached)")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("FAILED mf.strict (1 task of its body failed)\n")), qPrintable(r.out));
    }

    void pythonProjectCompoundFlowsRunWithTheirOutcome()
    {
        // tests/data/pyflows/compound_*: flows of the Python project's
        // tests/unit/test_compound_task.py, run as it runs them (foo.entry).
        struct Case {
            const char *dir;
            QStringList passed;
        };
        const QList<Case> cases = {
            {"compound_smoke", {"foo.entry.create_file", "foo.entry.glob_txt", "foo.entry"}},
            {"compound_name_resolution", {"foo.TopLevelTask", "foo.entry.create_file", "foo.entry.glob_txt", "foo.entry"}},
            {"compound_auto_bind_chain", {"foo.TopLevelTask", "foo.entry.mytask1", "foo.entry.mytask2",
                                          "foo.entry.mytask3", "foo.entry.mytask4", "foo.entry"}},
        };
        for (const Case &c : cases) {
            TempProject p;
            p.write(QStringLiteral("flow.dv"), readText(QStringLiteral(DFM_TESTDATA "/pyflows/%1/flow.dv").arg(QLatin1String(c.dir))).toUtf8());
            const QString json = p.path(QStringLiteral("report.json"));
            const Run r = run(p, {QStringLiteral("foo.entry"), QStringLiteral("--json"), json});
            QVERIFY2(r.code == 0, qPrintable(QLatin1String(c.dir) + QLatin1Char('\n') + r.out + r.err));
            QMap<QString, QString> expected;
            for (const QString &name : c.passed)
                expected.insert(name, QStringLiteral("passed"));
            QCOMPARE(statuses(json), expected);
            if (QByteArray(c.dir) == "compound_auto_bind_chain")
                continue;
            // The compound's output is glob_txt's: one fileset of the one file of its rundir.
            const QJsonObject rec = QJsonDocument::fromJson(
                readText(p.path(QStringLiteral("rundir/foo.entry/foo.entry.glob_txt.exec_data.json"))).toUtf8()).object();
            const QJsonArray outputs = rec.value(QLatin1String("outputs")).toArray();
            QCOMPARE(outputs.size(), 1);
            QCOMPARE(outputs[0].toObject().value(QLatin1String("type")).toString(), QStringLiteral("std.FileSet"));
            QCOMPARE(outputs[0].toObject().value(QLatin1String("src")).toString(), QStringLiteral("foo.entry.glob_txt"));
            QCOMPARE(outputs[0].toObject().value(QLatin1String("files")).toArray(), QJsonArray{QStringLiteral("hello.txt")});
        }
    }

    void aCompoundWhoseBodyFailedIsReportedFailedAfterItsBodyAndItsDependentsSkipped()
    {
        // As the Python dfm, whose compound aggregates its body's failures
        // into its own status: the compound fails, what needs it is skipped.
        TempProject p;
        p.write(QStringLiteral("flow.dv"), R"(package:
  name: cf
  tasks:
  - name: c
    body:
    - {name: bad, run: exit 3}
    - {name: slow, run: sleep 1; touch done}
    - {name: late, needs: [bad], run: touch never}
  - name: after
    needs: [c]
    run: touch never
  - name: nested
    body:
    - name: inner
      body:
      - {name: x, run: exit 1}
      - {name: y, run: 'true'}
    - {name: z, run: exit 1}
)");
        const QString json = p.path(QStringLiteral("report.json"));
        const Run r = run(p, {QStringLiteral("after"), QStringLiteral("nested"), QStringLiteral("-j"), QStringLiteral("2"),
                              QStringLiteral("--json"), json});
        QCOMPARE(r.code, 1);
        const QMap<QString, QString> s = statuses(json);
        QCOMPARE(s.value(QStringLiteral("cf.c.bad")), QStringLiteral("failed"));
        QCOMPARE(s.value(QStringLiteral("cf.c.slow")), QStringLiteral("passed"));
        QCOMPARE(s.value(QStringLiteral("cf.c.late")), QStringLiteral("skipped"));
        QCOMPARE(s.value(QStringLiteral("cf.c")), QStringLiteral("failed"));
        QCOMPARE(s.value(QStringLiteral("cf.after")), QStringLiteral("skipped"));
        QCOMPARE(s.value(QStringLiteral("cf.nested.inner")), QStringLiteral("failed"));
        QCOMPARE(s.value(QStringLiteral("cf.nested")), QStringLiteral("failed"));
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/cf.c/cf.c.slow/done"))));
        // The compound is reported once its whole body is final, then what needs it.
        const qsizetype slow = r.out.indexOf(QStringLiteral("passed cf.c.slow ("));
        const qsizetype compound = r.out.indexOf(QStringLiteral("FAILED cf.c (1 task of its body failed)\n"));
        const qsizetype after = r.out.indexOf(QStringLiteral("skipped cf.after (needs cf.c failed)\n"));
        QVERIFY2(slow >= 0 && compound > slow && after > compound, qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("FAILED cf.nested (2 tasks of its body failed)\n")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("FAILED cf.nested.inner (1 task of its body failed)\n")), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestCompound)
#include "tst_compound.moc"
