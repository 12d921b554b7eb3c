// The dv-flow language as real flows write it: declarations, parameters
// (typed, package-level, -D), `${{ }}` in values and bodies, `uses:`
// inheritance, iff, rundir, timeout, dataflow keys, and deep graphs.

#include "flow.h"
#include "flow/submit.h"

#include <QJsonArray>
#include <QtTest>

using namespace dfm;

namespace {

const QString kFile = QStringLiteral("/p/flow.dv");

/// Loads `yaml` with `options`; returns the errors, or "" when it loaded.
QString load(const QByteArray &yaml, Flow *out, const FlowOptions &options = FlowOptions())
{
    QString err;
    if (!parseFlowText(kFile, QString::fromUtf8(yaml), options, out, &err))
        return err;
    return QString();
}

FlowOptions withDefines(const QStringList &defines)
{
    FlowOptions o;
    o.defines = defines;
    o.rundirRoot = QStringLiteral("/p/rundir");
    o.env.insert(QStringLiteral("USER"), QStringLiteral("alice"));
    return o;
}

const QByteArray kParams = "package:\n"
                           "  name: p\n"
                           "  with:\n"
                           "    top: {type: str, value: tb_top}\n"
                           "    seeds: {type: int, value: 3}\n"
                           "    debug: {type: bool, value: false}\n"
                           "    label: \"${{ top }}_${{ seeds * 2 }}\"\n"
                           "  tasks:\n"
                           "  - name: sim\n"
                           "    with:\n"
                           "      seed: {type: int, value: \"${{ seeds + 1 }}\"}\n"
                           "      opts: [\"-top\", \"${{ top }}\"]\n"
                           "    run: ./sim ${{ top }} +seed=${{ seed }} ${{ 'dbg' if debug else 'opt' }} ${{ p.label }} ${{ env.USER }} ${{ rundir }}\n";

} // namespace

class TestFlowLang : public QObject {
    Q_OBJECT

private slots:
    void packageAndTaskParametersAreTypedAndExpanded()
    {
        Flow flow;
        QCOMPARE(load(kParams, &flow, withDefines({})), QString());
        QCOMPARE(flow.params.value(QLatin1String("label")), QJsonValue(QStringLiteral("tb_top_6")));
        const FlowTask &sim = flow.tasks[0];
        QCOMPARE(sim.with.value(QLatin1String("seed")), QJsonValue(4));
        QCOMPARE(sim.with.value(QLatin1String("opts")), QJsonValue(QJsonArray{QStringLiteral("-top"), QStringLiteral("tb_top")}));
        QCOMPARE(sim.run, QStringLiteral("./sim tb_top +seed=4 opt tb_top_6 alice /p/rundir/p.sim"));
    }

    void definesOverridePackageAndTaskParameters()
    {
        Flow flow;
        QCOMPARE(load(kParams, &flow, withDefines({QStringLiteral("seeds=10"), QStringLiteral("p.debug=true"),
                                                   QStringLiteral("sim.seed=99")})), QString());
        QCOMPARE(flow.params.value(QLatin1String("seeds")), QJsonValue(10));
        QCOMPARE(flow.tasks[0].run, QStringLiteral("./sim tb_top +seed=99 dbg tb_top_20 alice /p/rundir/p.sim"));
        QCOMPARE(load(kParams, &flow, withDefines({QStringLiteral("sedes=1"), QStringLiteral("noequals")})),
                 QStringLiteral("-D sedes: package 'p' has no parameter 'sedes'; did you mean 'seeds'?\n"
                                "-D noequals: expected NAME=VALUE"));
        QCOMPARE(load(kParams, &flow, withDefines({QStringLiteral("seeds=many")})),
                 QStringLiteral("/p/flow.dv:5: package 'p': parameter 'seeds': expected an integer, got 'many'"));
    }

    void expressionErrorsGiveFileAndLine()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  with:\n    count: 1\n  tasks:\n  - name: a\n    run: echo ${{ cout + 1 }}\n"
                      "  - name: b\n    with:\n      x: \"${{ count + }}\"\n    run: echo\n"
                      "  - name: c\n    iff: ${{ count > 'a' }}\n    run: echo\n", &flow),
                 QStringLiteral("/p/flow.dv:7: task 'a': run: in '${{ cout + 1 }}': unknown name 'cout'; did you mean 'count'?\n"
                                "/p/flow.dv:10: task 'b': parameter 'x': in '${{ count + }}': expected a value at the end\n"
                                "/p/flow.dv:13: task 'c': iff: in '${{ count > 'a' }}': cannot compare number with string"));
    }

    void usesInheritsBodyAndParameters()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  tasks:\n"
                      "  - name: SimBase\n    with:\n      seed: {type: int, value: 1}\n      mode: fast\n"
                      "    run: ./sim +seed=${{ seed }} +mode=${{ mode }}\n"
                      "    tags:\n    - std.ResourceTag: {cores: 2}\n"
                      "  - name: sim_7\n    uses: SimBase\n    with: {seed: 7}\n"
                      "  - name: greet\n    uses: p.hello\n"
                      "  - name: hello\n    uses: std.Message\n    with: {msg: hi}\n", &flow), QString());
        QCOMPARE(flow.tasks[1].run, QStringLiteral("./sim +seed=7 +mode=fast"));
        QCOMPARE(flow.tasks[1].resources().cores, 2);
        QCOMPARE(flow.tasks[2].callableSpec(), QStringLiteral("dv_flow.mgr.std.message.Message"));
        QCOMPARE(flow.tasks[2].with.value(QLatin1String("msg")), QJsonValue(QStringLiteral("hi")));
        QCOMPARE(load("package:\n  name: p\n  tasks:\n  - {name: a, uses: b}\n  - {name: b, uses: a}\n  - {name: c, uses: nosuch}\n", &flow),
                 QStringLiteral("/p/flow.dv:5: task 'b' uses 'a', which closes a `uses:` cycle\n"
                                "/p/flow.dv:6: task 'c' uses 'nosuch', which is not a task in package 'p'"));
    }

    void declarationsByRootExportAndLocal()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  tasks:\n  - root: build\n    run: make\n  - export: lib\n    run: x\n"
                      "  - local: helper\n    run: y\n  - name: t\n    scope: [root, export]\n    run: z\n", &flow), QString());
        QCOMPARE(flow.tasks[0].name, QStringLiteral("build"));
        QVERIFY(flow.tasks[0].exported);
        QVERIFY(flow.tasks[1].exported);
        QVERIFY(flow.tasks[2].local);
        QVERIFY(flow.tasks[3].exported);
        QCOMPARE(load("package:\n  name: p\n  tasks:\n  - root: a\n    name: b\n    run: x\n", &flow),
                 QStringLiteral("/p/flow.dv:5: task 'a' is named twice ('name:'); use one of name, root, export, local"));
    }

    void iffFalseLeavesATaskThatRunsNothing()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  with: {debug: false}\n  tasks:\n"
                      "  - name: dbg\n    iff: ${{ debug }}\n    run: ./dump\n"
                      "  - name: always\n    iff: ${{ not debug }}\n    run: ./go\n", &flow), QString());
        QVERIFY(!flow.tasks[0].iff);
        QVERIFY(flow.tasks[0].isNull());
        QVERIFY(flow.tasks[1].iff);
        QCOMPARE(flow.tasks[1].run, QStringLiteral("./go"));
    }

    void rundirTimeoutAndDataflowKeys()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  tasks:\n  - name: a\n    rundir: inherit\n    timeout: 2.5\n"
                      "    consumes: [{type: std.FileSet}]\n    passthrough: none\n    run: x\n", &flow), QString());
        QVERIFY(flow.tasks[0].inheritRundir);
        QCOMPARE(flow.tasks[0].timeout, 2.5);
        QCOMPARE(flow.tasks[0].consumes, QJsonValue(QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")}}}));
        QCOMPARE(flow.tasks[0].passthrough, QJsonValue(QStringLiteral("none")));
        QCOMPARE(load("package:\n  name: p\n  tasks:\n  - name: a\n    rundir: shared\n    timeout: -1\n    passthrough: some\n    run: x\n", &flow),
                 QStringLiteral("/p/flow.dv:5: task 'a': rundir must be 'unique' or 'inherit', got 'shared'\n"
                                "/p/flow.dv:6: task 'a': timeout must be a positive number of seconds\n"
                                "/p/flow.dv:7: task 'a': 'passthrough' must be all, none, unused or a list of patterns"));
    }

    void submitParamsCarryTheExtensions()
    {
        Flow flow;
        QCOMPARE(load("package:\n  name: p\n  tasks:\n  - name: sim\n    timeout: 30\n    run: ./sim\n    tags:\n"
                      "    - std.ResourceTag: {resource_class: large, cores: 4, memory: 8G}\n"
                      "  - name: rtl\n    uses: std.FileSet\n    rundir: inherit\n    with: {include: '*.sv'}\n", &flow), QString());
        flow.dir = QStringLiteral("/p");
        QJsonObject sim = flow::submitParams(flow, flow.tasks[0], QStringLiteral("/p/rundir"), 600);
        QCOMPARE(sim, (QJsonObject{{QStringLiteral("request_id"), QStringLiteral("p.sim")}, {QStringLiteral("name"), QStringLiteral("p.sim")},
                                   {QStringLiteral("shell"), QStringLiteral("bash")}, {QStringLiteral("body"), QStringLiteral("./sim")},
                                   {QStringLiteral("srcdir"), QStringLiteral("/p")}, {QStringLiteral("rundir"), QStringLiteral("/p/rundir/p.sim")},
                                   {QStringLiteral("env"), QJsonObject()}, {QStringLiteral("resource_class"), QStringLiteral("large")},
                                   {QStringLiteral("params"), QJsonObject()}, {QStringLiteral("inputs"), QJsonArray()},
                                   {QStringLiteral("memento"), QJsonValue()}, {QStringLiteral("timeout"), 30},
                                   {QStringLiteral("resources"), QJsonObject{{QStringLiteral("cores"), 4}, {QStringLiteral("memory"), QStringLiteral("8G")}}}}));
        const QJsonObject rtl = flow::submitParams(flow, flow.tasks[1], QStringLiteral("/p/rundir"), 600);
        QCOMPARE(rtl.value(QLatin1String("shell")).toString(), QStringLiteral("pytask"));
        QCOMPARE(rtl.value(QLatin1String("callable_spec")).toString(), QStringLiteral("dv_flow.mgr.std.fileset.FileSet"));
        QCOMPARE(rtl.value(QLatin1String("rundir")).toString(), QStringLiteral("/p/rundir"));
        QCOMPARE(rtl.value(QLatin1String("timeout")).toDouble(), 600.0); // --task-timeout as the default
        QVERIFY(!rtl.contains(QLatin1String("resources")));
        QVERIFY(!flow::submitParams(flow, flow.tasks[1], QStringLiteral("/r"), 0).contains(QLatin1String("timeout")));
    }

    void deepChainsLoadAndSelectWithoutRecursion()
    {
        // Each task needs the next: 30,000 deep.
        const int n = 30000;
        QByteArray yaml = "package:\n  name: p\n  tasks:\n";
        for (int i = 0; i < n; ++i) {
            yaml += "  - name: t" + QByteArray::number(i) + "\n    run: 'true'\n";
            if (i + 1 < n)
                yaml += "    needs: [t" + QByteArray::number(i + 1) + "]\n";
        }
        Flow flow;
        QCOMPARE(load(yaml, &flow), QString());
        std::vector<int> order;
        QString err;
        QVERIFY(selectTasks(flow, {}, &order, &err));
        QCOMPARE(int(order.size()), n);
        QCOMPARE(order.front(), n - 1);
        QCOMPARE(order.back(), 0);
        // Closing the chain into a cycle is found, iteratively too.
        yaml += "    needs: [t0]\n";
        QVERIFY(load(yaml, &flow).endsWith(QStringLiteral("t29999 -> t0")));
    }
};

QTEST_APPLESS_MAIN(TestFlowLang)
#include "tst_flowlang.moc"
