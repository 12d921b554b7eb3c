// Loading the rest of the Python dfm's package language: `types:` and the
// tags that use them, package `uses:` (a package extending another, its
// overrides deriving from the tasks they replace), a configuration's
// `extensions:`, inline task definitions in `overrides:`, `${{ }}` in
// import paths, and packages whose names prefix each other (`top`,
// `top.sub`).

#include "flow.h"
#include "flowtestutil.h"
#include "testutil.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

class TestFlowLoad : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    Run run(const TempProject &p, const QStringList &args) const
    {
        return runFlow(p, args, m_home.path());
    }

private slots:
    void initTestCase() { isolateFromUserConfig(m_home.path()); }

    void typesGiveTagsTheirParametersAndTasksTheirFields()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  types:\n"
                                           "  - name: Owner\n"
                                           "    uses: std.Tag\n"
                                           "    with:\n"
                                           "      team: {type: str, value: ''}\n"
                                           "  - name: BigJob\n"
                                           "    uses: std.ResourceTag\n"
                                           "    with:\n"
                                           "      cores: {type: int, value: 8}\n"
                                           "      memory: {type: str, value: 16G}\n"
                                           "  - name: Config\n"
                                           "    with:\n"
                                           "      width: {type: int, value: 8}\n"
                                           "      label: {type: str, value: cfg}\n"
                                           "  - name: WideConfig\n"
                                           "    uses: Config\n"
                                           "    with:\n"
                                           "      width: '32'\n"
                                           "  tags: [Owner]\n"
                                           "  tasks:\n"
                                           "  - name: sim\n"
                                           "    tags:\n"
                                           "    - Owner: {team: dv}\n"
                                           "    - top.BigJob: {queue: long}\n"
                                           "    - std.Experimental\n"
                                           "    run: echo sim\n"
                                           "  - name: cfg\n"
                                           "    uses: WideConfig\n"
                                           "    with:\n"
                                           "      label: wide\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        const FlowTask &sim = task(flow, QStringLiteral("sim"));
        QCOMPARE(sim.resources().cores, 8);
        QCOMPARE(sim.resources().memory, QStringLiteral("16G"));
        QCOMPARE(sim.resources().queue, QStringLiteral("long"));
        const FlowTask &cfg = task(flow, QStringLiteral("cfg"));
        QCOMPARE(cfg.with, (QJsonObject{{QStringLiteral("width"), 32}, {QStringLiteral("label"), QStringLiteral("wide")}}));
        QVERIFY(cfg.run.isEmpty()); // a data type runs nothing

        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  types:\n"
                                           "  - name: Loop1\n"
                                           "    uses: Loop2\n"
                                           "  - name: Loop2\n"
                                           "    uses: Loop1\n"
                                           "  - name: Plain\n"
                                           "  - name: Owner\n"
                                           "    uses: std.Tag\n"
                                           "    with: {team: {type: str}}\n"
                                           "  - name: Bad\n"
                                           "    uses: Nothere\n"
                                           "  tasks:\n"
                                           "  - name: a\n"
                                           "    tags:\n"
                                           "    - Ownr\n"
                                           "    - Plain\n"
                                           "    - Owner: {tem: x}\n");
        QCOMPARE(load(p, &flow), QStringLiteral("%1/flow.dv:5: type 'top.Loop1' uses 'Loop2', which closes a `uses:` cycle\n"
                                                "%1/flow.dv:7: type 'top.Loop2' uses 'Loop1', which closes a `uses:` cycle\n"
                                                "%1/flow.dv:13: type 'top.Bad' uses 'Nothere', which is not a type\n"
                                                "%1/flow.dv:17: task 'a': tag 'Ownr' names no type; did you mean 'Owner'?\n"
                                                "%1/flow.dv:18: task 'a': tag 'Plain': type top.Plain is not derived from std.Tag\n"
                                                "%1/flow.dv:19: task 'a': tag 'Owner': parameter 'tem' not found in tag type top.Owner; did you mean 'team'?")
                                     .arg(p.root()));
    }

    void packageUsesExtendsItsBaseAndOverridesDeriveFromIt()
    {
        TempProject p;
        p.write(QStringLiteral("base/flow.dv"), "package:\n"
                                                "  name: p1\n"
                                                "  with:\n"
                                                "    v1: {type: str, value: val1}\n"
                                                "  tasks:\n"
                                                "  - name: t1\n"
                                                "    run: echo p1.t1 > t1.txt\n"
                                                "  - name: t2\n"
                                                "    needs: [t1]\n"
                                                "    run: echo t2 ${{ v1 }} > t2.txt\n"
                                                "  - name: t3\n"
                                                "    needs: [t2]\n"
                                                "    with:\n"
                                                "      n: {type: int, value: 3}\n"
                                                "    run: echo t3 ${{ n }} > t3.txt\n");
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: p2\n"
                                           "  imports: [base/flow.dv]\n"
                                           "  uses: p1\n"
                                           "  with:\n"
                                           "    v1: val1_2\n"
                                           "    v2: {type: str, value: val2}\n"
                                           "  tasks:\n"
                                           "  - override: t1\n"
                                           "    run: echo p2.t1 ${{ v1 }} ${{ v2 }} > t1.txt\n"
                                           "  - override: t3\n"
                                           "    with:\n"
                                           "      n: '5'\n"
                                           "  - root: all\n"
                                           "    needs: [t3]\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("p2.t1"), QStringLiteral("p2.t3<-t2"), QStringLiteral("p2.all<-t3"),
                                           QStringLiteral("p2.t2<-t1")}));
        QCOMPARE(flow.params, (QJsonObject{{QStringLiteral("v1"), QStringLiteral("val1_2")}, {QStringLiteral("v2"), QStringLiteral("val2")}}));
        QCOMPARE(task(flow, QStringLiteral("t1")).run, QStringLiteral("echo p2.t1 val1_2 val2 > t1.txt"));
        QCOMPARE(task(flow, QStringLiteral("t2")).run, QStringLiteral("echo t2 val1 > t2.txt")); // the base's, as elaborated there
        QCOMPARE(task(flow, QStringLiteral("t3")).run, QStringLiteral("echo t3 5 > t3.txt"));    // derived: the base's body, its own n
        QCOMPARE(task(flow, QStringLiteral("t3")).with, (QJsonObject{{QStringLiteral("n"), 5}}));

        const Run r = run(p, {QStringLiteral("all"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))),
                 (QStringList{QStringLiteral("p2.all=passed"), QStringLiteral("p2.t1=passed"), QStringLiteral("p2.t2=passed"),
                              QStringLiteral("p2.t3=passed")}));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/p2.t1/t1.txt"))), QStringLiteral("p2.t1 val1_2 val2\n"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/p2.t3/t3.txt"))), QStringLiteral("t3 5\n"));

        p.write(QStringLiteral("flow.dv"), "package:\n  name: p2\n  uses: p0\n  tasks:\n  - name: t\n    run: 'true'\n");
        QCOMPARE(load(p, &flow), QStringLiteral("%1/flow.dv:3: package 'p2' uses 'p0', which is not imported; list its flow file under `imports:`")
                                     .arg(p.root()));
    }

    void configExtensionsAddParametersAndNeeds()
    {
        TempProject p;
        p.write(QStringLiteral("lib/flow.dv"), "package:\n"
                                               "  name: lib\n"
                                               "  tasks:\n"
                                               "  - export: compile\n"
                                               "    with:\n"
                                               "      coverage: {type: bool, value: false}\n"
                                               "    run: echo compile ${{ coverage }}\n");
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  imports: [lib/flow.dv]\n"
                                           "  tasks:\n"
                                           "  - name: setup\n"
                                           "    run: echo setup\n"
                                           "  - root: all\n"
                                           "    needs: [lib.compile]\n"
                                           "  configs:\n"
                                           "  - name: coverage\n"
                                           "    extensions:\n"
                                           "    - task: lib.compile\n"
                                           "      with:\n"
                                           "        coverage: {value: true}\n"
                                           "        extra: {type: str, value: +cov}\n"
                                           "      needs: [setup]\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(task(flow, QStringLiteral("lib.compile")).run, QStringLiteral("echo compile False"));
        QVERIFY(task(flow, QStringLiteral("lib.compile")).needs.isEmpty());
        QCOMPARE(load(p, &flow, QStringLiteral("coverage")), QString());
        const FlowTask &c = task(flow, QStringLiteral("lib.compile"));
        QCOMPARE(c.run, QStringLiteral("echo compile True"));
        QCOMPARE(c.needs, QStringList{QStringLiteral("setup")});
        QCOMPARE(c.with.value(QLatin1String("extra")), QJsonValue(QStringLiteral("+cov")));

        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  tasks:\n"
                                           "  - name: setup\n"
                                           "    run: echo setup\n"
                                           "  configs:\n"
                                           "  - name: c\n"
                                           "    extensions:\n"
                                           "    - task: stup\n"
                                           "    - task: setup\n"
                                           "      uses: other.setup\n");
        QCOMPARE(load(p, &flow, QStringLiteral("c")),
                 QStringLiteral("%1/flow.dv:9: extension of 'stup', which is not a task in package 'top'; did you mean 'setup'?\n"
                                "%1/flow.dv:11: config 'c': extension of 'setup': `uses:` (an extension based on another) is not supported yet")
                     .arg(p.root()));
    }

    void inlineOverrideDefinitionsRunInTheirTargetsPlace()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: pkg\n"
                                           "  overrides:\n"
                                           "    pkg.expensive:\n"
                                           "      run: echo inline_replacement\n"
                                           "  tasks:\n"
                                           "  - name: expensive\n"
                                           "    run: echo should_not_appear\n"
                                           "  - name: other\n"
                                           "    run: echo other\n"
                                           "  - root: entry\n"
                                           "    needs: [expensive, other]\n"
                                           "  configs:\n"
                                           "  - name: quick\n"
                                           "    overrides:\n"
                                           "    - task: other\n"
                                           "      with:\n"
                                           "        with: {msg: {type: str, value: hi}}\n"
                                           "        run: echo cfg ${{ msg }}\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(task(flow, QStringLiteral("expensive")).run, QStringLiteral("echo inline_replacement"));
        QCOMPARE(task(flow, QStringLiteral("other")).run, QStringLiteral("echo other"));
        QCOMPARE(load(p, &flow, QStringLiteral("quick")), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("pkg.entry<-expensive,other"), QStringLiteral("pkg.expensive"),
                                           QStringLiteral("pkg.other")}));
        QCOMPARE(task(flow, QStringLiteral("other")).run, QStringLiteral("echo cfg hi"));

        p.write(QStringLiteral("flow.dv"), "package:\n  name: pkg\n  overrides:\n    t:\n      name: x\n      run: 'true'\n"
                                           "  tasks:\n  - name: t\n    run: 'true'\n");
        QCOMPARE(load(p, &flow), QStringLiteral("%1/flow.dv:5: override: an inline task definition takes its target's name; remove 'name:'")
                                     .arg(p.root()));
    }

    void importPathsExpandEnvRootdirSrcdirAndParameters()
    {
        TempProject p;
        p.write(QStringLiteral("ip/a/flow.dv"), "package:\n  name: a\n  imports: ['${{ srcdir }}/../b']\n  tasks:\n  - export: t\n    run: echo a\n");
        p.write(QStringLiteral("ip/b/flow.dv"), "package:\n  name: b\n  tasks:\n  - export: t\n    run: echo b\n");
        p.write(QStringLiteral("lib/c/flow.dv"), "package:\n  name: c\n  tasks:\n  - export: t\n    run: echo c\n");
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  with:\n"
                                           "    libdir: lib\n"
                                           "  imports:\n"
                                           "  - '${{ env.IP_HOME }}/a/flow.dv'\n"
                                           "  - '${{ rootdir }}/${{ libdir }}/c'\n"
                                           "  tasks:\n"
                                           "  - root: all\n"
                                           "    needs: [a.t, b.t, c.t]\n");
        Flow flow;
        QCOMPARE(load(p, &flow, QString(), {}, {{QStringLiteral("IP_HOME"), p.path(QStringLiteral("ip"))}}), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("top.all<-a.t,b.t,c.t"), QStringLiteral("a.t"), QStringLiteral("b.t"),
                                           QStringLiteral("c.t")}));
        const QString errs = load(p, &flow, QString(), {}, {{QStringLiteral("HOME"), QStringLiteral("/h")}});
        QCOMPARE(errs.section(QLatin1Char('\n'), 0, 0),
                 QStringLiteral("%1/flow.dv:6: import '${{ env.IP_HOME }}/a/flow.dv': in '${{ env.IP_HOME }}': no field 'IP_HOME'").arg(p.root()));
        QCOMPARE(errs.section(QLatin1Char('\n'), 1, 1),
                 QStringLiteral("%1/flow.dv:10: task 'all' needs 'a.t', but no package 'a' is imported").arg(p.root()));
    }

    void packagesWhoseNamesPrefixEachOtherStayApart()
    {
        TempProject p;
        p.write(QStringLiteral("sub/flow.dv"), "package:\n"
                                               "  name: top.sub\n"
                                               "  with:\n"
                                               "    W: {type: int, value: 8}\n"
                                               "  tasks:\n"
                                               "  - export: t\n"
                                               "    run: echo ${{ W }}\n");
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  with: {n: 1}\n"
                                           "  imports: [sub/flow.dv]\n"
                                           "  tasks:\n"
                                           "  - root: all\n"
                                           "    needs: [top.sub.t]\n"
                                           "    run: echo ${{ top.sub.W }} ${{ top.n }} ${{ n }}\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("top.all<-top.sub.t"), QStringLiteral("top.sub.t")}));
        QCOMPARE(task(flow, QStringLiteral("all")).run, QStringLiteral("echo 8 1 1"));
        QCOMPARE(load(p, &flow, QString(), {QStringLiteral("top.sub.W=16"), QStringLiteral("top.n=2")}), QString());
        QCOMPARE(task(flow, QStringLiteral("top.sub.t")).run, QStringLiteral("echo 16"));
        QCOMPARE(task(flow, QStringLiteral("all")).run, QStringLiteral("echo 16 2 2"));

        // A named fragment `sub` of `top` with a task `t` is `top.sub.t` too.
        p.write(QStringLiteral("frag.dv"), "fragment:\n  name: sub\n  tasks:\n  - name: t\n    run: 'true'\n");
        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  imports: [sub/flow.dv]\n  fragments: [frag.dv]\n  tasks:\n"
                                           "  - root: all\n    run: 'true'\n");
        QCOMPARE(load(p, &flow), QStringLiteral("%1/frag.dv:4: task 'sub.t' of package 'top' and task 't' of package 'top.sub' are both "
                                                "named 'top.sub.t'; rename one").arg(p.root()));
    }
};

QTEST_GUILESS_MAIN(TestFlowLoad)
#include "tst_flowload.moc"
