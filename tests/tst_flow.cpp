// Flow files: what is read, what is rejected (with file, line and task),
// and which tasks a run selects.

#include "flow.h"
#include "runplan.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace dfm;

namespace {

const QString kFile = QStringLiteral("/p/flow.dv");

/// Parses `yaml`; returns the error, or "" when it parsed.
QString parseError(const QByteArray &yaml, Flow *out = nullptr)
{
    Flow local;
    QString err;
    if (!parseFlowText(kFile, QString::fromUtf8(yaml), out ? out : &local, &err))
        return err;
    return QString();
}

/// Task names for indices.
QStringList namesOf(const Flow &flow, const std::vector<int> &order)
{
    QStringList names;
    for (int i : order)
        names << flow.tasks[size_t(i)].name;
    return names;
}

QString regressDir()
{
    return QStringLiteral(DFM_TESTDATA "/flows/regress");
}

} // namespace

class TestFlow : public QObject {
    Q_OBJECT

private slots:
    void loadsTheReferenceShapedFlow()
    {
        Flow flow;
        QString err;
        QVERIFY2(loadFlow(regressDir(), &flow, &err), qPrintable(err));
        QCOMPARE(flow.file, QDir(regressDir()).absoluteFilePath(QStringLiteral("flow.dv")));
        QCOMPARE(flow.dir, QDir(regressDir()).absolutePath());
        QCOMPARE(flow.packageName, QStringLiteral("regress"));
        QCOMPARE(flow.tasks.size(), size_t(6));
        const FlowTask &build = flow.tasks[0];
        QCOMPARE(build.name, QStringLiteral("build"));
        QCOMPARE(build.shell, QStringLiteral("bash"));
        QCOMPARE(build.run, QStringLiteral("make -C %1 all").arg(QDir(regressDir()).absolutePath()));
        QCOMPARE(build.line, 4);
        QCOMPARE(flow.tasks[1].shell, QStringLiteral("sh"));
        const FlowTask &smoke = flow.tasks[2];
        QCOMPARE(smoke.needs, QStringList{QStringLiteral("build")});
        QCOMPARE(smoke.with.value(QStringLiteral("seed")), QJsonValue(1));
        QVERIFY(smoke.with.value(QStringLiteral("seed")).isDouble());
        QCOMPARE(smoke.resourceClass(), QStringLiteral("large"));
        QCOMPARE(smoke.line, 9);
        const FlowTask &full = flow.tasks[3];
        QCOMPARE(full.needs, (QStringList{QStringLiteral("build"), QStringLiteral("lint")}));
        QCOMPARE(full.run, QStringLiteral("./sim full\n./check\n"));
    }

    void flowDvIsPreferredOverFlowYaml()
    {
        QTemporaryDir tmp;
        QFile yaml(tmp.filePath(QStringLiteral("flow.yaml")));
        QVERIFY(yaml.open(QIODevice::WriteOnly));
        yaml.write("package:\n  name: fromyaml\n  tasks:\n  - {name: a, run: 'true'}\n");
        yaml.close();
        Flow flow;
        QString err;
        QVERIFY2(loadFlow(tmp.path(), &flow, &err), qPrintable(err));
        QCOMPARE(flow.packageName, QStringLiteral("fromyaml"));
        QFile dv(tmp.filePath(QStringLiteral("flow.dv")));
        QVERIFY(dv.open(QIODevice::WriteOnly));
        dv.write("package:\n  name: fromdv\n  tasks:\n  - {name: a, run: 'true'}\n");
        dv.close();
        QVERIFY2(loadFlow(tmp.path(), &flow, &err), qPrintable(err));
        QCOMPARE(flow.packageName, QStringLiteral("fromdv"));
    }

    void missingFlowFileSaysWhatToDo()
    {
        QTemporaryDir tmp;
        Flow flow;
        QString err;
        QVERIFY(!loadFlow(tmp.path(), &flow, &err));
        QCOMPARE(err, QStringLiteral("no flow.dv or flow.yaml in %1; create one or pass --root").arg(tmp.path()));
    }

    void withKeepsScalarTypes()
    {
        Flow flow;
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: t\n    run: x\n    with:\n"
                            "      n: 42\n      neg: -3\n      s: \"42\"\n      word: hello\n      b: true\n"
                            "      y: yes\n      f: 1.5\n      q: 'false'\n      empty:\n", &flow), QString());
        const QJsonObject w = flow.tasks[0].with;
        QCOMPARE(w.value(QStringLiteral("n")), QJsonValue(qint64(42)));
        QCOMPARE(w.value(QStringLiteral("neg")), QJsonValue(qint64(-3)));
        QCOMPARE(w.value(QStringLiteral("s")), QJsonValue(QStringLiteral("42")));
        QCOMPARE(w.value(QStringLiteral("word")), QJsonValue(QStringLiteral("hello")));
        QCOMPARE(w.value(QStringLiteral("b")), QJsonValue(true));
        QCOMPARE(w.value(QStringLiteral("y")), QJsonValue(true));
        QCOMPARE(w.value(QStringLiteral("f")), QJsonValue(1.5));
        QCOMPARE(w.value(QStringLiteral("q")), QJsonValue(QStringLiteral("false")));
        QVERIFY(w.value(QStringLiteral("empty")).isNull());
    }

    void needsAcceptsSingleStringAndQualifiedNames()
    {
        Flow flow;
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - {name: a, run: x}\n  - {name: b, run: x, needs: p.a}\n"
                            "  - {name: c, run: x, needs: [a, p.a, b]}\n", &flow), QString());
        QCOMPARE(flow.tasks[1].needs, QStringList{QStringLiteral("a")});
        QCOMPARE(flow.tasks[2].needs, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(flow.indexOf(QStringLiteral("b")), 1);
        QCOMPARE(flow.indexOf(QStringLiteral("p.c")), 2);
        QCOMPARE(flow.indexOf(QStringLiteral("q.c")), -1);
        QCOMPARE(flow.indexOf(QStringLiteral("d")), -1);
    }

    void resourceTagSetsPerTaskResources()
    {
        Flow flow;
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: t\n    run: x\n    tags:\n    - std.ResourceTag:\n"
                            "        cores: 4\n        memory: 8G\n        queue: big\n        walltime: \"2:00\"\n", &flow),
                 QString());
        const ResourceSpec &r = flow.tasks[0].resources();
        QCOMPARE(r.cores, 4);
        QCOMPARE(r.memory, QStringLiteral("8G"));
        QCOMPARE(r.queue, QStringLiteral("big"));
        QCOMPARE(r.walltime, QStringLiteral("2:00"));
        QVERIFY(flow.tasks[0].resourceClass().isEmpty());
    }

    void badYamlGivesTheParsersLine()
    {
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: [a\n    run: x\n"),
                 QStringLiteral("/p/flow.dv:5: invalid YAML: while parsing a flow sequence, did not find expected ',' or ']'"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: *nope\n"),
                 QStringLiteral("/p/flow.dv:4: invalid YAML: unknown alias '*nope'"));
        QCOMPARE(parseError(QByteArray(300, '[')),
                 QStringLiteral("/p/flow.dv:1: invalid YAML: nested more than 200 levels deep"));
    }

    void aliasesThatMultiplyAreRefused()
    {
        // A "billion laughs": each level aliases the one before ten times,
        // 10^9 strings in all. Refused at once, not built until memory runs out.
        QByteArray y = "package:\n  name: p\n  with:\n    l0: {type: list, value: &a0 [x, x, x, x, x, x, x, x, x, x]}\n";
        for (int i = 1; i < 9; ++i) {
            QByteArray items;
            for (int k = 0; k < 10; ++k)
                items += (k ? ", *a" : "*a") + QByteArray::number(i - 1);
            y += "    l" + QByteArray::number(i) + ": {type: list, value: &a" + QByteArray::number(i) + " [" + items + "]}\n";
        }
        y += "  tasks:\n  - name: t\n    run: x\n";
        QCOMPARE(parseError(y), QStringLiteral("/p/flow.dv:9: invalid YAML: aliases expand to more than 1000000 nodes"));
        // Aliases within the bound still expand.
        Flow flow;
        QCOMPARE(parseError("package:\n  name: p\n  with:\n    s: {type: str, value: &v hello}\n  tasks:\n  - name: t\n"
                            "    with:\n      m: {type: str, value: *v}\n    run: echo ${{ m }}\n", &flow),
                 QString());
        QCOMPARE(flow.tasks[0].run, QStringLiteral("echo hello"));
    }

    void missingPackageOrTasksIsAnError()
    {
        QCOMPARE(parseError(""), QStringLiteral("/p/flow.dv:1: no 'package:' section; a flow file holds 'package:' with 'name:' and 'tasks:'"));
        QCOMPARE(parseError("pakage:\n  name: p\n"),
                 QStringLiteral("/p/flow.dv:1: unknown key 'pakage'; did you mean 'package'? (known keys: package, fragment)"));
        QCOMPARE(parseError("package:\n  name: p\n"), QStringLiteral("/p/flow.dv:1: package 'p' has no 'tasks' list"));
        QCOMPARE(parseError("package:\n  tasks: []\n"), QStringLiteral("/p/flow.dv:1: package has no 'name'"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks: {a: 1}\n"), QStringLiteral("/p/flow.dv:3: package 'tasks' must be a list of tasks"));
        QCOMPARE(parseError("package:\n  name: p\n  filters: [x]\n  tasks: []\n"),
                 QStringLiteral("/p/flow.dv:3: package: `filters:` is not supported yet"));
        QCOMPARE(parseError("package:\n  name: p\n  colour: red\n  tasks: []\n"),
                 QStringLiteral("/p/flow.dv:3: package: unknown key 'colour' (known keys: name, tasks, with, tags, desc, doc, "
                                "imports, fragments, configs, overrides, types, uses)"));
    }

    void pythonTaskBodiesAreRefusedNamingTheTask()
    {
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: gen\n    shell: pytask\n    run: mypkg.tasks.Gen\n"),
                 QStringLiteral("/p/flow.dv:6: task 'gen': `shell: pytask` runs the Python callable 'mypkg.tasks.Gen', a Python "
                                "task body; this dfm cannot run it (the Python `dfm run` runs it through our daemon)"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: py\n    shell: python\n    run: print(1)\n"),
                 QStringLiteral("/p/flow.dv:6: task 'py': `shell: python` is a Python task body; this dfm cannot run it "
                                "(the Python `dfm run` runs it through our daemon)"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: ai\n    uses: std.Agent\n"),
                 QStringLiteral("/p/flow.dv:5: task 'ai' uses 'std.Agent', which is a Python task body (an AI assistant); "
                                "this dfm cannot run it. The Python `dfm run` runs it through our daemon"));
    }

    void unsupportedConstructsAreRefusedByNameAllAtOnce()
    {
        QCOMPARE(parseError("package:\n  name: p\n  filters: [f]\n  tasks:\n"
                            "  - name: m\n    strategy:\n      matrix: {x: [1, 2]}\n    run: x\n"
                            "  - override: t\n    run: x\n"
                            "  - name: o\n    uses: other.Task\n"),
                 QStringLiteral("/p/flow.dv:3: package: `filters:` is not supported yet\n"
                                "/p/flow.dv:6: task 'm': `strategy.matrix` repeats a body; the task has no `body:`\n"
                                "/p/flow.dv:9: task 't' overrides 't', which is not a task in package 'p'\n"
                                "/p/flow.dv:12: task 'o' uses 'other.Task', but no package 'other' is imported"));
    }

    void standardTasksRunAsTheirPythonCallables()
    {
        Flow flow;
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: rtl\n    uses: std.FileSet\n"
                            "    with: {type: systemVerilogSource, include: \"*.sv\"}\n"
                            "  - name: hello\n    uses: std.Message\n    with:\n      msg: hi\n", &flow), QString());
        const FlowTask &rtl = flow.tasks[0];
        QCOMPARE(rtl.callableSpec(), QStringLiteral("dv_flow.mgr.std.fileset.FileSet"));
        QCOMPARE(rtl.shell, QStringLiteral("pytask"));
        QCOMPARE(rtl.with, (QJsonObject{{QStringLiteral("base"), QString()}, {QStringLiteral("type"), QStringLiteral("systemVerilogSource")},
                                        {QStringLiteral("incdirs"), QJsonValue()}, {QStringLiteral("defines"), QJsonValue()},
                                        {QStringLiteral("attributes"), QJsonValue()},
                                        {QStringLiteral("include"), QJsonArray{QStringLiteral("*.sv")}},
                                        {QStringLiteral("exclude"), QJsonArray()}}));
        QCOMPARE(rtl.consumes, QJsonValue(QStringLiteral("none")));
        QCOMPARE(rtl.passthrough, QJsonValue(QStringLiteral("all")));
        QCOMPARE(flow.tasks[1].with, (QJsonObject{{QStringLiteral("msg"), QStringLiteral("hi")}}));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: x\n    uses: std.Mesage\n"),
                 QStringLiteral("/p/flow.dv:5: task 'x' uses 'std.Mesage', which is not a task of the standard library; "
                                "did you mean 'std.Message'?"));
    }

    void aTaskWithoutBodyOnlyOrdersItsNeeds()
    {
        Flow flow;
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - {name: a, run: x}\n  - name: all\n    needs: [a]\n"
                            "  - {name: n, uses: std.Null}\n", &flow), QString());
        QVERIFY(flow.tasks[1].isNull());
        QVERIFY(flow.tasks[2].isNull());
        QVERIFY(!flow.tasks[0].isNull());
    }

    void duplicateNamesNameBothLines()
    {
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: build\n    run: x\n  - name: test\n    run: y\n"
                            "  - name: build\n    run: z\n"),
                 QStringLiteral("/p/flow.dv:8: task 'build' is defined twice (lines 4 and 8)"));
    }

    void unknownNeedNamesTaskAndSuggestsClosest()
    {
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: build\n    run: x\n  - name: test\n    run: y\n"
                            "    needs:\n    - biuld\n"),
                 QStringLiteral("/p/flow.dv:9: task 'test' needs 'biuld', which is not a task in package 'p'; did you mean 'build'?"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: build\n    run: x\n  - name: test\n    run: y\n"
                            "    needs: [other.build]\n"),
                 QStringLiteral("/p/flow.dv:8: task 'test' needs 'other.build', but no package 'other' is imported"));
    }

    void cyclesPrintTheirPath()
    {
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - {name: a, run: x, needs: [b]}\n  - {name: b, run: x, needs: [c]}\n"
                            "  - name: c\n    run: x\n    needs: [a]\n  - {name: d, run: x, needs: [a]}\n"),
                 QStringLiteral("/p/flow.dv:8: task 'c' needs 'a', which closes a dependency cycle: a -> b -> c -> a"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - {name: a, run: x, needs: a}\n"),
                 QStringLiteral("/p/flow.dv:4: task 'a' needs 'a', which closes a dependency cycle: a -> a"));
    }

    void unknownTaskKeysListTheKnownOnes()
    {
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: build\n    rn: make\n"),
                 QStringLiteral("/p/flow.dv:5: task 'build': unknown key 'rn'; did you mean 'run'? "
                                "(known keys: name, root, export, local, scope, uses, shell, run, needs, with, tags, iff, rundir, "
                                "consumes, passthrough, produces, timeout, uptodate, desc, doc, override, feeds, body, tasks, max_failures, strategy)"));
    }

    void unknownTagsAndResourceKeysAreRejected()
    {
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: t\n    run: x\n    tags:\n    - my.Tag: {a: 1}\n"),
                 QStringLiteral("/p/flow.dv:7: task 't': tag 'my.Tag' names no type (declare it under `types:`)"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: t\n    run: x\n    tags:\n    - std.ResourceTag:\n        core: 4\n"),
                 QStringLiteral("/p/flow.dv:8: task 't': std.ResourceTag: unknown key 'core'; did you mean 'cores'? "
                                "(known keys: resource_class, cores, memory, queue, walltime)"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: t\n    run: x\n    tags:\n    - std.ResourceTag: {cores: many}\n"),
                 QStringLiteral("/p/flow.dv:7: task 't': std.ResourceTag.cores: expected a positive integer, got 'many'"));
    }

    void taskNamesMustBePlain()
    {
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - run: x\n"), QStringLiteral("/p/flow.dv:4: task has no 'name' (nor 'root', 'export' or 'local')"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: \"\"\n    run: x\n"),
                 QStringLiteral("/p/flow.dv:4: task name must be a non-empty string"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - name: a b\n    run: x\n"),
                 QStringLiteral("/p/flow.dv:4: task name 'a b' must not contain '/' or whitespace"));
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - run: x\n    name: a/b\n"),
                 QStringLiteral("/p/flow.dv:5: task name 'a/b' must not contain '/' or whitespace"));
    }

    void selectingNothingRunsTheLeavesAndTheirNeeds()
    {
        Flow flow;
        QString err;
        QVERIFY2(loadFlow(regressDir(), &flow, &err), qPrintable(err));
        std::vector<int> order;
        QVERIFY2(selectTasks(flow, {}, &order, &err), qPrintable(err));
        QCOMPARE(namesOf(flow, order), (QStringList{QStringLiteral("build"), QStringLiteral("test_smoke"), QStringLiteral("lint"),
                                                    QStringLiteral("test_full"), QStringLiteral("report"), QStringLiteral("docs")}));
        const std::vector<std::vector<int>> needs = planNeeds(flow, order);
        QCOMPARE(needs, (std::vector<std::vector<int>>{{}, {0}, {}, {0, 2}, {1, 3}, {}}));
    }

    void selectingNamesRunsThemAfterTheirNeeds()
    {
        Flow flow;
        QString err;
        QVERIFY2(loadFlow(regressDir(), &flow, &err), qPrintable(err));
        std::vector<int> order;
        QVERIFY2(selectTasks(flow, {QStringLiteral("test_full")}, &order, &err), qPrintable(err));
        QCOMPARE(namesOf(flow, order), (QStringList{QStringLiteral("build"), QStringLiteral("lint"), QStringLiteral("test_full")}));
        QCOMPARE(planNeeds(flow, order), (std::vector<std::vector<int>>{{}, {}, {0, 1}}));
        QVERIFY2(selectTasks(flow, {QStringLiteral("regress.test_smoke"), QStringLiteral("lint"), QStringLiteral("build")}, &order, &err),
                 qPrintable(err));
        QCOMPARE(namesOf(flow, order), (QStringList{QStringLiteral("build"), QStringLiteral("test_smoke"), QStringLiteral("lint")}));
    }

    void selectingAnUnknownNameSuggestsOrListsTasks()
    {
        Flow flow;
        QString err;
        QCOMPARE(parseError("package:\n  name: p\n  tasks:\n  - {name: build, run: x}\n  - {name: test, run: x}\n", &flow), QString());
        std::vector<int> order;
        QVERIFY(!selectTasks(flow, {QStringLiteral("p.biuld")}, &order, &err));
        QCOMPARE(err, QStringLiteral("no task 'p.biuld' in /p/flow.dv; did you mean 'build'?"));
        QVERIFY(!selectTasks(flow, {QStringLiteral("deploy")}, &order, &err));
        QCOMPARE(err, QStringLiteral("no task 'deploy' in /p/flow.dv (tasks: build, test)"));
    }
};

QTEST_APPLESS_MAIN(TestFlow)
#include "tst_flow.moc"
