// std.RunTasks: the TaskRunSpec items it reads (parseTaskRunSpecs), the
// tasks they become (makeDynamicTask), a run plan and a data flow that grow
// while they run, and real runs through `dfm run`: which tasks run, in what
// order, with what parameters, what a second run skips, and the exact
// errors for items that cannot be run.

#include "flow.h"
#include "flow/dataflow.h"
#include "flow/dyntask.h"
#include "flow/runtasks.h"
#include "flow/submit.h"
#include "flowtestutil.h"
#include "runplan.h"
#include "runplantestutil.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

QJsonObject spec(const QString &type, const QString &name = QString(), const QJsonObject &params = {},
                 const QJsonValue &needs = QJsonValue(QJsonValue::Undefined))
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("std.TaskRunSpec")}};
    if (!type.isNull())
        o.insert(QStringLiteral("task_type"), type);
    if (!name.isNull())
        o.insert(QStringLiteral("task_name"), name);
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    if (!needs.isUndefined())
        o.insert(QStringLiteral("needs"), needs);
    return o;
}

QString parseError(const QJsonArray &items)
{
    std::vector<flow::TaskRunRequest> reqs;
    QString e;
    return flow::parseTaskRunSpecs(items, &reqs, &e) ? QStringLiteral("<ok>") : e;
}

const QString kFile = QStringLiteral("/p/flow.dv");

QString load(const QByteArray &yaml, Flow *out)
{
    FlowOptions o;
    o.rundirRoot = QStringLiteral("/p/rundir");
    QString err;
    return parseFlowText(kFile, QString::fromUtf8(yaml), o, out, &err) ? QString() : err;
}

/// A project whose task `gen` emits `items` (one JSON object a line) and
/// whose task `exec` runs them; `more` adds tasks.
QByteArray project(const QList<QJsonObject> &items, const QByteArray &more = QByteArray(),
                   const QByteArray &execExtra = QByteArray())
{
    QByteArray lines;
    for (const QJsonObject &o : items)
        lines += "      " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n";
    return "package:\n  name: rt\n  tasks:\n"
           "  - name: gen\n    run: |\n      cat >> \"$DFM_OUTPUT\" <<'EOF'\n" + lines + "      EOF\n"
           "  - name: exec\n    needs: [gen]\n    uses: std.RunTasks\n" + execExtra + more;
}

/// A task that appends its name to <project>/order.txt.
const QByteArray kStep = "  - name: step\n    with:\n      word: {type: str, value: none}\n"
                         "    run: echo \"${{ name }} ${{ word }}\" >> ${{ rootdir }}/order.txt\n";

} // namespace

class TestRunTasks : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    Run run(const TempProject &p, const QStringList &args) const
    {
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("TERM"), QStringLiteral("dumb"));
        e.insert(QStringLiteral("HOME"), m_home.path());
        return runDfm(QStringList{QStringLiteral("run")} + args, p.root(), 120000, e);
    }

    QString order(const TempProject &p) const { return readText(p.path(QStringLiteral("order.txt"))); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    // ---- the items (pure) ----

    void itemsAreReadInOrderAndOtherItemsIgnored()
    {
        std::vector<flow::TaskRunRequest> reqs;
        QString e;
        const QJsonArray items{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")}},
                               spec(QStringLiteral("std.Message"), QStringLiteral("a"), {{QStringLiteral("msg"), QStringLiteral("hi")}}),
                               spec(QStringLiteral("rt.step"), QString(), {}, QStringLiteral("a"))};
        QVERIFY(flow::parseTaskRunSpecs(items, &reqs, &e));
        QCOMPARE(reqs.size(), size_t(2));
        QCOMPARE(reqs[0].item, 1);
        QCOMPARE(reqs[0].leaf, QStringLiteral("a"));
        QCOMPARE(reqs[0].taskType, QStringLiteral("std.Message"));
        QCOMPARE(reqs[0].params, (QJsonObject{{QStringLiteral("msg"), QStringLiteral("hi")}}));
        QCOMPARE(reqs[1].leaf, QStringLiteral("dyn_1")); // unnamed: dyn_<index>
        QCOMPARE(reqs[1].needs, QStringList{QStringLiteral("a")}); // a single name is a list of one
        QCOMPARE(flow::describeRequest(reqs[1]), QStringLiteral("TaskRunSpec item 2 (task 'dyn_1')"));
    }

    void noItemsIsNoTasks()
    {
        std::vector<flow::TaskRunRequest> reqs{flow::TaskRunRequest()};
        QString e;
        QVERIFY(flow::parseTaskRunSpecs(QJsonArray(), &reqs, &e));
        QVERIFY(reqs.empty());
    }

    void badItemsAreNamedInTheError_data()
    {
        QTest::addColumn<QJsonArray>("items");
        QTest::addColumn<QString>("error");
        QTest::newRow("no task_type") << QJsonArray{spec(QString(), QStringLiteral("a"))}
                                      << QStringLiteral("TaskRunSpec item 1 (task 'a'): 'task_type' is missing; it names the task to run (e.g. std.Message)");
        QTest::newRow("python callable") << QJsonArray{spec(QStringLiteral("mymod.tasks:Gen"))}
                                         << QStringLiteral("TaskRunSpec item 1 (task 'dyn_0'): task_type 'mymod.tasks:Gen' names a Python callable; "
                                                           "this dfm cannot run Python task bodies (name a task of the flow or of std)");
        QTest::newRow("task_name a path") << QJsonArray{spec(QStringLiteral("std.Message"), QStringLiteral("../x"))}
                                          << QStringLiteral("TaskRunSpec item 1: 'task_name' '../x' cannot name a run directory "
                                                            "(use letters, digits, '_', '-', '.' and '+')");
        QJsonObject numName = spec(QStringLiteral("std.Message"));
        numName.insert(QStringLiteral("task_name"), 3);
        QTest::newRow("task_name a number") << QJsonArray{numName} << QStringLiteral("TaskRunSpec item 1: 'task_name' must be a string");
        QJsonObject listParams = spec(QStringLiteral("std.Message"), QStringLiteral("a"));
        listParams.insert(QStringLiteral("params"), QJsonArray{1});
        QTest::newRow("params a list") << QJsonArray{listParams}
                                       << QStringLiteral("TaskRunSpec item 1 (task 'a'): 'params' must be a map of parameter names to values");
        QTest::newRow("need a number") << QJsonArray{spec(QStringLiteral("std.Message"), QStringLiteral("a"), {}, QJsonArray{7})}
                                       << QStringLiteral("TaskRunSpec item 1 (task 'a'): 'needs' must be a list of task names, not '7'");
        QTest::newRow("name twice") << QJsonArray{spec(QStringLiteral("std.Message"), QStringLiteral("a")),
                                                  spec(QStringLiteral("std.Null"), QStringLiteral("a"))}
                                    << QStringLiteral("TaskRunSpec item 2: task_name 'a' is already used by TaskRunSpec item 1");
        QTest::newRow("cycle") << QJsonArray{spec(QStringLiteral("std.Null"), QStringLiteral("a"), {}, QJsonArray{QStringLiteral("b")}),
                                             spec(QStringLiteral("std.Null"), QStringLiteral("b"), {}, QJsonArray{QStringLiteral("a")})}
                               << QStringLiteral("TaskRunSpec items need each other in a cycle: a -> b -> a");
    }

    void badItemsAreNamedInTheError()
    {
        QFETCH(QJsonArray, items);
        QFETCH(QString, error);
        QCOMPARE(parseError(items), error);
    }

    // ---- the plan and the data flow grow (pure) ----

    void addedTasksWaitForOldAndNewNeeds()
    {
        RunPlan plan({{}, {0}}); // 0 runs; 1 waits for it
        QCOMPARE(drainReady(&plan), std::vector<int>{0});
        plan.add({{0}, {2}, {}}); // 2 needs running 0; 3 needs new 2; 4 needs nothing
        QCOMPARE(plan.size(), 5);
        QCOMPARE(statuses(plan), QStringLiteral("running waiting waiting waiting ready"));
        QCOMPARE(drainReady(&plan), std::vector<int>{4});
        plan.finished(0, true);
        QCOMPARE(drainReady(&plan), (std::vector<int>{1, 2}));
        plan.finished(2, true);
        QCOMPARE(drainReady(&plan), std::vector<int>{3});
        QCOMPARE(plan.count(TaskStatus::Running), 3); // 4, 1 and 3
        QVERIFY(plan.moreToDo());
    }

    void addedTaskNeedingAPassedTaskIsReady()
    {
        RunPlan plan(std::vector<std::vector<int>>(1));
        drainReady(&plan);
        plan.finished(0, true);
        plan.add({{0, 0}});
        QCOMPARE(statuses(plan), QStringLiteral("passed ready"));
        QCOMPARE(plan.count(TaskStatus::Ready), 1);
    }

    void addedTaskNeedingAFailedTaskIsSkippedWithItsDependents()
    {
        RunPlan plan(std::vector<std::vector<int>>(1));
        drainReady(&plan);
        plan.finished(0, false);
        plan.add({{2}, {0}, {}}); // 1 needs 2, which needs failed 0
        QCOMPARE(statuses(plan), QStringLiteral("failed skipped skipped ready"));
        QCOMPARE(plan.count(TaskStatus::Skipped), 2);
    }

    void addedCycleIsSkipped()
    {
        RunPlan plan(std::vector<std::vector<int>>(1));
        plan.add({{2}, {1}, {}});
        QCOMPARE(statuses(plan), QStringLiteral("ready skipped skipped ready"));
    }

    void addedTasksGetTheirNeedsOutputs()
    {
        flow::Dataflow df({QStringLiteral("all")}, {QStringLiteral("none")}, std::vector<std::vector<int>>(1));
        const QJsonObject item{{QStringLiteral("type"), QStringLiteral("x")}};
        df.finished(0, QJsonArray{item}, false);
        df.add({QStringLiteral("all")}, {QStringLiteral("all")}, {{0}});
        QCOMPARE(df.inputsOf(1), QJsonArray{item});
        QVERIFY(!df.changed(0));
        df.finished(1, QJsonArray(), true);
        QCOMPARE(df.outputOf(1), QJsonArray{item});
        QVERIFY(df.changed(1));
    }

    // ---- the tasks items become (pure) ----

    void aStdTypeBecomesATaskUnderRunTasks()
    {
        Flow flow;
        QCOMPARE(load(project({}), &flow), QString());
        const FlowTask &exec = task(flow, QStringLiteral("exec"));
        QCOMPARE(exec.callableSpec(), QStringLiteral("dv_flow.mgr.std.run_tasks.RunTasks"));
        QCOMPARE(exec.consumes, QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.TaskRunSpec")}}}));
        QCOMPARE(exec.passthrough, QJsonValue(QStringLiteral("all")));
        flow::TaskRunRequest r;
        r.item = 1;
        r.taskType = QStringLiteral("std.Message");
        r.leaf = QStringLiteral("hello");
        r.params = QJsonObject{{QStringLiteral("msg"), 42}};
        FlowTask t;
        QString e;
        QVERIFY2(flow::makeDynamicTask(flow, exec, r, &t, &e), qPrintable(e));
        QCOMPARE(flow.qualified(t), QStringLiteral("rt.exec.hello"));
        QCOMPARE(t.callableSpec(), QStringLiteral("dv_flow.mgr.std.message.Message"));
        QCOMPARE(t.shell, QStringLiteral("pytask"));
        QCOMPARE(t.with, (QJsonObject{{QStringLiteral("msg"), QStringLiteral("42")}})); // a str parameter takes the text
        QCOMPARE(flow::taskRundir(flow, t, QStringLiteral("/p/rundir")), QStringLiteral("/p/rundir/rt.exec/hello"));
    }

    void aFlowTypeIsExpandedAgainWithItsNewParameters()
    {
        Flow flow;
        QCOMPARE(load(project({}, kStep, "    with: {timeout: 30}\n"), &flow), QString());
        flow::TaskRunRequest r;
        r.item = 2;
        r.taskType = QStringLiteral("rt.step");
        r.leaf = QStringLiteral("s1");
        r.params = QJsonObject{{QStringLiteral("word"), QStringLiteral("one")}};
        FlowTask t;
        QString e;
        QVERIFY2(flow::makeDynamicTask(flow, task(flow, QStringLiteral("exec")), r, &t, &e), qPrintable(e));
        QCOMPARE(t.run, QStringLiteral("echo \"rt.exec.s1 one\" >> /p/order.txt"));
        QCOMPARE(t.timeout, 30.0); // std.RunTasks' timeout, as the task has none of its own
        QVERIFY(!t.more().raw);
        // The task as loaded is unchanged.
        QCOMPARE(task(flow, QStringLiteral("step")).run, QStringLiteral("echo \"rt.step none\" >> /p/order.txt"));
    }

    void onlyRunTasksSubmitsSayWeAddItsTasks()
    {
        Flow flow;
        QCOMPARE(load(project({}, "  - name: hi\n    uses: std.Message\n"), &flow), QString());
        const QJsonObject exec = flow::submitParams(flow, task(flow, QStringLiteral("exec")), QStringLiteral("/p/rundir"), 0);
        QCOMPARE(exec.value(QLatin1String("adds_run_tasks")), QJsonValue(true));
        QCOMPARE(exec.value(QLatin1String("callable_spec")).toString(), QStringLiteral("dv_flow.mgr.std.run_tasks.RunTasks"));
        const QJsonObject hi = flow::submitParams(flow, task(flow, QStringLiteral("hi")), QStringLiteral("/p/rundir"), 0);
        QVERIFY(!hi.contains(QLatin1String("adds_run_tasks")));
    }

    void onlyAFlowUsingRunTasksKeepsRawBodies()
    {
        Flow with, without;
        QCOMPARE(load(project({}, kStep), &with), QString());
        QVERIFY(task(with, QStringLiteral("step")).more().raw);
        QCOMPARE(load("package:\n  name: rt\n  tasks:\n" + kStep, &without), QString());
        QVERIFY(!task(without, QStringLiteral("step")).more().raw);
    }

    void typesThatCannotBeAddedAreRefused_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QJsonObject>("params");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown") << QStringLiteral("rt.stpe") << QJsonObject()
                                 << QStringLiteral("TaskRunSpec item 1 (task 'x'): task_type 'rt.stpe' is not a task of the flow or of std; did you mean 'rt.step'?");
        QTest::newRow("unknown std") << QStringLiteral("std.Mesage") << QJsonObject()
                                     << QStringLiteral("TaskRunSpec item 1 (task 'x'): task_type 'std.Mesage' is not a task of the standard library; did you mean 'std.Message'?");
        QTest::newRow("python std") << QStringLiteral("std.Agent") << QJsonObject()
                                    << QStringLiteral("TaskRunSpec item 1 (task 'x'): task_type 'std.Agent' is a Python task body (an AI assistant); "
                                                      "this dfm cannot run it. The Python `dfm run` runs it through our daemon");
        QTest::newRow("compound") << QStringLiteral("comp") << QJsonObject()
                                  << QStringLiteral("TaskRunSpec item 1 (task 'x'): task_type 'comp' is a compound task (`body:` or strategy.matrix); "
                                                    "std.RunTasks adds leaf tasks only");
        QTest::newRow("no such parameter") << QStringLiteral("step") << QJsonObject{{QStringLiteral("wrod"), 1}}
                                           << QStringLiteral("TaskRunSpec item 1 (task 'x'): task_type 'step' has no parameter 'wrod' (its parameters: word)");
        QTest::newRow("no parameters") << QStringLiteral("std.Null") << QJsonObject{{QStringLiteral("a"), 1}}
                                       << QStringLiteral("TaskRunSpec item 1 (task 'x'): task_type 'std.Null' has no parameter 'a' (it has none)");
    }

    void typesThatCannotBeAddedAreRefused()
    {
        QFETCH(QString, type);
        QFETCH(QJsonObject, params);
        QFETCH(QString, error);
        Flow flow;
        QCOMPARE(load(project({}, kStep + "  - name: comp\n    body:\n    - name: a\n      run: echo a\n"), &flow), QString());
        flow::TaskRunRequest r;
        r.item = 1;
        r.taskType = type;
        r.leaf = QStringLiteral("x");
        r.params = params;
        FlowTask t;
        QString e;
        QVERIFY(!flow::makeDynamicTask(flow, task(flow, QStringLiteral("exec")), r, &t, &e));
        QCOMPARE(e, error);
    }

    // ---- real runs ----

    void eachItemRunsAsATaskWithItsParameters()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("std.Message"), QStringLiteral("msg_0"), {{QStringLiteral("msg"), QStringLiteral("Message 0")}}),
                         spec(QStringLiteral("std.Message"), QStringLiteral("msg_1"), {{QStringLiteral("msg"), QStringLiteral("Message 1")}}),
                         spec(QStringLiteral("std.Message"), QString(), {{QStringLiteral("msg"), QStringLiteral("unnamed")}})}));
        const Run r = run(p, {QStringLiteral("exec"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))),
                 (QStringList{QStringLiteral("rt.exec.dyn_2=passed"), QStringLiteral("rt.exec.msg_0=passed"),
                              QStringLiteral("rt.exec.msg_1=passed"), QStringLiteral("rt.exec=passed"), QStringLiteral("rt.gen=passed")}));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/rt.exec/msg_0/rt.exec.msg_0.log"))), QStringLiteral("rt.exec.msg_0: Message 0\n"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/rt.exec/msg_1/rt.exec.msg_1.log"))), QStringLiteral("rt.exec.msg_1: Message 1\n"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/rt.exec/dyn_2/rt.exec.dyn_2.log"))), QStringLiteral("rt.exec.dyn_2: unnamed\n"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/rt.exec/rt.exec.log"))),
                 QStringLiteral("rt.exec: 3 task(s) to run:\n  msg_0 (std.Message)\n  msg_1 (std.Message)\n  dyn_2 (std.Message)\n"));
        // The std.RunTasks task is reported after the tasks it added.
        QVERIFY2(r.out.contains(QStringLiteral("[5/5] passed rt.exec (")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("dfm run: 5 passed, 0 failed, 0 skipped, 0 cancelled in ")), qPrintable(r.out));
    }

    void aFlowTaskTypeRunsItsBodyWithTheNewParameters()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("step"), QStringLiteral("first"), {{QStringLiteral("word"), QStringLiteral("one")}}),
                         spec(QStringLiteral("rt.step"), QStringLiteral("second"), {{QStringLiteral("word"), QStringLiteral("two")}},
                              QJsonArray{QStringLiteral("first")})},
                        kStep));
        const Run r = run(p, {QStringLiteral("exec")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("rt.exec.first one\nrt.exec.second two\n"));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir/rt.step")))); // the type itself did not run
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/rt.exec/second/rt.exec.second.log"))));
    }

    void batchNeedsOrderTheTasks()
    {
        TempProject p;
        QList<QJsonObject> items;
        // Listed last-first: each needs the one listed after it.
        for (int i = 5; i >= 1; --i)
            items << spec(QStringLiteral("step"), QStringLiteral("s%1").arg(i), {{QStringLiteral("word"), QString::number(i)}},
                          i > 1 ? QJsonValue(QJsonArray{QStringLiteral("s%1").arg(i - 1)}) : QJsonValue(QJsonValue::Undefined));
        p.write(QStringLiteral("flow.dv"), project(items, kStep));
        const Run r = run(p, {QStringLiteral("exec"), QStringLiteral("-j"), QStringLiteral("4")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("rt.exec.s1 1\nrt.exec.s2 2\nrt.exec.s3 3\nrt.exec.s4 4\nrt.exec.s5 5\n"));
    }

    void aNeedOnATaskOfTheRunWaitsForIt()
    {
        TempProject p;
        // `slow` runs beside gen and exec; the added task needs it by its bare and its qualified name.
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("step"), QStringLiteral("after"), {{QStringLiteral("word"), QStringLiteral("late")}},
                              QJsonArray{QStringLiteral("slow"), QStringLiteral("rt.slow")})},
                        kStep + "  - name: slow\n    run: sleep 1; echo slow >> ${{ rootdir }}/order.txt\n"
                                "  - name: all\n    needs: [exec, slow]\n"));
        const Run r = run(p, {QStringLiteral("all")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("slow\nrt.exec.after late\n"));
    }

    void aNeedOutsideTheRunJoinsIt()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("step"), QStringLiteral("after"), {}, QJsonArray{QStringLiteral("prep")})},
                        kStep + "  - name: base\n    run: echo base >> ${{ rootdir }}/order.txt\n"
                                "  - name: prep\n    needs: [base]\n    run: echo prep >> ${{ rootdir }}/order.txt\n"));
        const Run r = run(p, {QStringLiteral("exec"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("base\nprep\nrt.exec.after none\n"));
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))),
                 (QStringList{QStringLiteral("rt.base=passed"), QStringLiteral("rt.exec.after=passed"), QStringLiteral("rt.exec=passed"),
                              QStringLiteral("rt.gen=passed"), QStringLiteral("rt.prep=passed")}));
    }

    void aTypesOwnNeedsComeWithIt()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("use"), QStringLiteral("u1")), spec(QStringLiteral("use"), QStringLiteral("u2"))},
                        "  - name: lib\n    run: echo lib >> ${{ rootdir }}/order.txt\n"
                        "  - name: use\n    needs: [lib]\n    run: echo ${{ name }} >> ${{ rootdir }}/order.txt\n"));
        const Run r = run(p, {QStringLiteral("exec"), QStringLiteral("-j"), QStringLiteral("1")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("lib\nrt.exec.u1\nrt.exec.u2\n")); // lib once, before both
    }

    void whatNeedsRunTasksWaitsForItsTasksAndGetsTheirOutput()
    {
        TempProject p;
        QJsonObject item = spec(QStringLiteral("mk"), QStringLiteral("m1"), {{QStringLiteral("file"), QStringLiteral("a.sv")}});
        p.write(QStringLiteral("flow.dv"),
                project({item, spec(QStringLiteral("mk"), QStringLiteral("m2"), {{QStringLiteral("file"), QStringLiteral("b.sv")}})},
                        "  - name: mk\n    with:\n      file: {type: str, value: x}\n"
                        "    run: |\n      sleep 0.3\n      echo '{\"type\":\"std.FileSet\",\"filetype\":\"v\",\"basedir\":\".\",\"files\":[\"${{ file }}\"]}' >> \"$DFM_OUTPUT\"\n"
                        "  - name: report\n    needs: [exec]\n    consumes: [{type: std.FileSet}]\n"
                        "    run: cp \"$DFM_INPUTS\" ${{ rootdir }}/inputs.json\n"));
        const Run r = run(p, {QStringLiteral("report")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const QJsonArray inputs = QJsonDocument::fromJson(readText(p.path(QStringLiteral("inputs.json"))).toUtf8()).array();
        QStringList files;
        for (const QJsonValue &v : inputs)
            files << v.toObject().value(QLatin1String("files")).toArray().first().toString();
        QCOMPARE(files, (QStringList{QStringLiteral("a.sv"), QStringLiteral("b.sv")})); // in item order
        QVERIFY2(r.out.endsWith(QStringLiteral("\n")) && r.out.contains(QStringLiteral("[5/5] passed rt.report (")), qPrintable(r.out));
    }

    void noItemsPassesWithNothingAdded()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), project({}));
        const Run r = run(p, {QStringLiteral("exec")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("[2/2] passed rt.exec (")), qPrintable(r.out));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/rt.exec/rt.exec.log"))),
                 QStringLiteral("rt.exec: no TaskRunSpec items in its inputs; no task to run\n"));
    }

    void aFailingTaskFailsRunTasksAndSkipsWhatNeedsIt()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("bad"), QStringLiteral("b")), spec(QStringLiteral("std.Null"), QStringLiteral("n"), {}, QStringLiteral("b")),
                         spec(QStringLiteral("std.Message"), QStringLiteral("ok"))},
                        "  - name: bad\n    run: exit 3\n  - name: after\n    needs: [exec]\n    run: echo after\n"));
        const Run r = run(p, {QStringLiteral("after"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QCOMPARE(r.code, 1);
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))),
                 (QStringList{QStringLiteral("rt.after=skipped"), QStringLiteral("rt.exec.b=failed"), QStringLiteral("rt.exec.n=skipped"),
                              QStringLiteral("rt.exec.ok=passed"), QStringLiteral("rt.exec=failed"), QStringLiteral("rt.gen=passed")}));
        const qsizetype exec = r.out.indexOf(QStringLiteral("] FAILED rt.exec (of the 3 task(s) it added, 1 failed, 1 skipped) log: "));
        QVERIFY2(exec > 0, qPrintable(r.out));
        for (const char *added : {"] FAILED rt.exec.b (", "] skipped rt.exec.n (", "] passed rt.exec.ok ("}) // reported before it
            QVERIFY2(r.out.indexOf(QLatin1String(added)) < exec, added);
        QVERIFY2(r.out.indexOf(QStringLiteral("] skipped rt.after (")) > exec, qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("] skipped rt.after (needs rt.exec failed)\n")), qPrintable(r.out));
    }

    void anItemThatCannotRunFailsTheTaskWithItsReason_data()
    {
        QTest::addColumn<QJsonObject>("item");
        QTest::addColumn<QString>("reason");
        QTest::newRow("unknown type") << spec(QStringLiteral("rt.nope"), QStringLiteral("x"))
                                      << QStringLiteral("TaskRunSpec item 1 (task 'x'): task_type 'rt.nope' is not a task of the flow or of std");
        QTest::newRow("unknown need") << spec(QStringLiteral("std.Null"), QStringLiteral("x"), {}, QStringLiteral("ghost"))
                                      << QStringLiteral("TaskRunSpec item 1 (task 'x'): need 'ghost' is neither a task of its batch nor of the flow");
        QTest::newRow("need on itself") << spec(QStringLiteral("std.Null"), QStringLiteral("x"), {}, QStringLiteral("exec"))
                                        << QStringLiteral("TaskRunSpec item 1 (task 'x'): need 'rt.exec' cannot start before rt.exec ends, "
                                                          "which waits for this task");
        QTest::newRow("need on a dependent") << spec(QStringLiteral("std.Null"), QStringLiteral("x"), {}, QStringLiteral("after"))
                                             << QStringLiteral("TaskRunSpec item 1 (task 'x'): need 'rt.after' cannot start before rt.exec ends, "
                                                               "which waits for this task");
    }

    void anItemThatCannotRunFailsTheTaskWithItsReason()
    {
        QFETCH(QJsonObject, item);
        QFETCH(QString, reason);
        TempProject p;
        p.write(QStringLiteral("flow.dv"), project({item}, "  - name: after\n    needs: [exec]\n    run: echo after\n"));
        const Run r = run(p, {QStringLiteral("after"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("] FAILED rt.exec (%1) log: ").arg(reason)), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("] skipped rt.after (needs rt.exec failed)\n")), qPrintable(r.out));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir/rt.exec/x"))));
    }

    void aMalformedItemFailsInTheWorkerWithItsError()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), project({spec(QString(), QStringLiteral("x"))}));
        const Run r = run(p, {QStringLiteral("exec")});
        QCOMPARE(r.code, 1);
        const QString e = QStringLiteral("TaskRunSpec item 1 (task 'x'): 'task_type' is missing; it names the task to run (e.g. std.Message)");
        QVERIFY2(r.out.contains(QStringLiteral("] FAILED rt.exec (exit 1)")), qPrintable(r.out));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/rt.exec/rt.exec.log"))), QStringLiteral("rt.exec: error: %1\n").arg(e));
    }

    void aSecondRunFindsTheAddedTasksUpToDate()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("step"), QStringLiteral("s1"), {{QStringLiteral("word"), QStringLiteral("one")}})}, kStep));
        Run r = run(p, {QStringLiteral("exec")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("rt.exec.s1 one\n"));
        r = run(p, {QStringLiteral("exec")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("rt.exec.s1 one\n")); // nothing ran again
        QVERIFY2(r.out.contains(QStringLiteral("passed rt.exec.s1 (up-to-date)\n")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("passed rt.exec (up-to-date)\n")), qPrintable(r.out));
        r = run(p, {QStringLiteral("exec"), QStringLiteral("-f")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("rt.exec.s1 one\nrt.exec.s1 one\n"));
    }

    void aChangedItemRunsItsTaskAgain()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("step"), QStringLiteral("s1"), {{QStringLiteral("word"), QStringLiteral("one")}})}, kStep));
        Run r = run(p, {QStringLiteral("exec")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("step"), QStringLiteral("s1"), {{QStringLiteral("word"), QStringLiteral("two")}})}, kStep));
        r = run(p, {QStringLiteral("exec")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("rt.exec.s1 one\nrt.exec.s1 two\n"));
    }

    void runTasksCanAddRunTasks()
    {
        TempProject p;
        // The inner std.RunTasks needs `gen2`, a task of the flow outside the run, which adds it.
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("std.RunTasks"), QStringLiteral("inner"), {}, QStringLiteral("gen2"))},
                        kStep + "  - name: gen2\n    run: |\n      echo '{\"type\":\"std.TaskRunSpec\",\"task_type\":\"step\",\"task_name\":\"deep\"}' >> \"$DFM_OUTPUT\"\n"
                                "  - name: all\n    needs: [exec]\n    run: echo all >> ${{ rootdir }}/order.txt\n"));
        const Run r = run(p, {QStringLiteral("all"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(order(p), QStringLiteral("rt.exec.inner.deep none\nall\n"));
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/rt.exec/inner/deep/rt.exec.inner.deep.log"))));
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))).size(), 6);
    }

    void anAddedTaskRunsInItsOwnDirectoryUnderRunTasks()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("where"), QStringLiteral("w"))},
                        "  - name: where\n    run: echo \"${{ rundir }} $(pwd)\" > ${{ rootdir }}/where.txt\n"));
        const Run r = run(p, {QStringLiteral("exec")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const QString dir = p.path(QStringLiteral("rundir/rt.exec/w"));
        QCOMPARE(readText(p.path(QStringLiteral("where.txt"))), QStringLiteral("%1 %1\n").arg(dir));
    }

    void throughADaemonTooAndItsWorkerRunsRunTasksNatively()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("step"), QStringLiteral("d"), {{QStringLiteral("word"), QStringLiteral("daemon")}})}, kStep));
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("HOME"), m_home.path());
        const Run d = runDfm({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--pool-size"), QStringLiteral("2")},
                             p.root(), 30000, e);
        QVERIFY2(d.code == 0, qPrintable(d.out + d.err));
        const Run r = run(p, {QStringLiteral("exec")});
        runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 30000, e);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("(through daemon pid ")), qPrintable(r.out));
        QCOMPARE(order(p), QStringLiteral("rt.exec.d daemon\n"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/rt.exec/rt.exec.log"))),
                 QStringLiteral("rt.exec: 1 task(s) to run:\n  d (step)\n"));
    }

    void timeoutLimitsEachAddedTask()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("slow"), QStringLiteral("s"))}, "  - name: slow\n    run: sleep 30\n",
                        "    with: {timeout: 1}\n"));
        QElapsedTimer clock;
        clock.start();
        const Run r = run(p, {QStringLiteral("exec"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QCOMPARE(r.code, 1);
        QVERIFY(clock.elapsed() < 20000);
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))),
                 (QStringList{QStringLiteral("rt.exec.s=failed"), QStringLiteral("rt.exec=failed"), QStringLiteral("rt.gen=passed")}));
    }

    void interruptCancelsTheAddedTasksAndRunTasks()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"),
                project({spec(QStringLiteral("slow"), QStringLiteral("s"))},
                        "  - name: slow\n    run: touch ${{ rootdir }}/started; sleep 30\n"));
        QProcess dfm;
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("TERM"), QStringLiteral("dumb"));
        e.insert(QStringLiteral("HOME"), m_home.path());
        dfm.setProcessEnvironment(e);
        dfm.setWorkingDirectory(p.root());
        dfm.start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("exec"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(p.path(QStringLiteral("started"))), 30000);
        ::kill(pid_t(dfm.processId()), SIGINT);
        QVERIFY(dfm.waitForFinished(30000));
        QCOMPARE(dfm.exitCode(), 130);
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))),
                 (QStringList{QStringLiteral("rt.exec.s=cancelled"), QStringLiteral("rt.exec=cancelled"), QStringLiteral("rt.gen=passed")}));
    }
};

QTEST_GUILESS_MAIN(TestRunTasks)
#include "tst_runtasks.moc"
