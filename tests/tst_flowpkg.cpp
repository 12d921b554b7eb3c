// Flows of several files: `imports:` (by path, by name, `as:`), `fragments:`
// (named ones too), `needs:`/`uses:` across packages and their visibility,
// `override:` tasks, `overrides:`, package `tags`, `configs:` with `-c`,
// and the Python project's own flows (tests/data/pyflows) run end to end.

#include "flow.h"
#include "flow/submit.h"
#include "flowtestutil.h"
#include "testutil.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

/// A package `sub` (with a parameter), imported by path; it imports
/// `shared` by a path that is relative to the root only; `tools` is a
/// directory whose flow file is further down.
void writeImportProject(const TempProject &p)
{
    p.write(QStringLiteral("flow.dv"), "package:\n"
                                       "  name: top\n"
                                       "  imports:\n"
                                       "  - sub/flow.dv\n"
                                       "  - tools\n"
                                       "  tasks:\n"
                                       "  - root: all\n"
                                       "    needs: [sub.compile, tools.lint]\n"
                                       "    run: echo ${{ sub.WIDTH }} > all.txt\n");
    p.write(QStringLiteral("sub/flow.dv"), "package:\n"
                                           "  name: sub\n"
                                           "  with:\n"
                                           "    WIDTH: {type: int, value: 8}\n"
                                           "  imports: [shared/flow.dv]\n"
                                           "  tasks:\n"
                                           "  - export: compile\n"
                                           "    needs: [shared.gen]\n"
                                           "    run: echo ${{ WIDTH }} ${{ srcdir }} > out.txt\n");
    p.write(QStringLiteral("shared/flow.dv"), "package:\n  name: shared\n  tasks:\n  - export: gen\n    run: echo gen > gen.txt\n");
    p.write(QStringLiteral("tools/x/y/flow.yaml"), "package:\n  name: tools\n  tasks:\n  - export: lint\n    run: echo lint\n");
}

} // namespace

class TestFlowPkg : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    Run run(const TempProject &p, const QStringList &args) const
    {
        return runFlow(p, args, m_home.path());
    }

private slots:
    void initTestCase() { isolateFromUserConfig(m_home.path()); }

    void importedPackagesJoinTheFlowUnderTheirNames()
    {
        TempProject p;
        writeImportProject(p);
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("top.all<-sub.compile,tools.lint"), QStringLiteral("sub.compile<-shared.gen"),
                                           QStringLiteral("shared.gen"), QStringLiteral("tools.lint")}));
        QCOMPARE(task(flow, QStringLiteral("all")).run, QStringLiteral("echo 8 > all.txt"));
        QCOMPARE(task(flow, QStringLiteral("sub.compile")).run, QStringLiteral("echo 8 %1 > out.txt").arg(p.path(QStringLiteral("sub"))));
        QCOMPARE(task(flow, QStringLiteral("sub.compile")).line, 7);
        QCOMPARE(flow::submitParams(flow, task(flow, QStringLiteral("sub.compile")), p.path(QStringLiteral("rundir")), 0)
                     .value(QLatin1String("srcdir")).toString(), p.path(QStringLiteral("sub")));
        QCOMPARE(flow.warnings, QStringList());

        const Run r = run(p, {QStringLiteral("all"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))),
                 (QStringList{QStringLiteral("shared.gen=passed"), QStringLiteral("sub.compile=passed"),
                              QStringLiteral("tools.lint=passed"), QStringLiteral("top.all=passed")}));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/sub.compile/out.txt"))), QStringLiteral("8 %1\n").arg(p.path(QStringLiteral("sub"))));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/top.all/all.txt"))), QStringLiteral("8\n"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/shared.gen/gen.txt"))), QStringLiteral("gen\n"));
    }

    void importedParametersTakeMinusD()
    {
        TempProject p;
        writeImportProject(p);
        Flow flow;
        QCOMPARE(load(p, &flow, QString(), {QStringLiteral("sub.WIDTH=16")}), QString());
        QCOMPARE(task(flow, QStringLiteral("all")).run, QStringLiteral("echo 16 > all.txt"));
        QCOMPARE(task(flow, QStringLiteral("sub.compile")).run.left(8), QStringLiteral("echo 16 "));
    }

    void importErrorsAreReportedAtOnceWithFileAndLine()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  imports:\n"
                                           "  - missing/flow.dv\n"
                                           "  - hdlsim\n"
                                           "  - {name: other, from: sub/flow.dv}\n"
                                           "  tasks:\n"
                                           "  - name: a\n"
                                           "    uses: ghost.Task\n"
                                           "  - name: b\n"
                                           "    needs: [sub.nothere]\n"
                                           "    run: x\n");
        p.write(QStringLiteral("sub/flow.dv"), "package:\n"
                                               "  name: sub\n"
                                               "  tasks:\n"
                                               "  - name: t\n"
                                               "    colour: red\n"
                                               "    needs: [nothre]\n"
                                               "    run: x\n"
                                               "  - name: nothere\n"
                                               "    run: x\n");
        Flow flow;
        QCOMPARE(load(p, &flow),
                 QStringLiteral("%1/flow.dv:4: import 'missing/flow.dv' not found (looked for %1/missing/flow.dv)\n"
                                "%1/flow.dv:5: import 'hdlsim': no package 'hdlsim' is loaded; this dfm imports packages by path "
                                "(give `from: PATH`), and has only `std` built in\n"
                                "%1/flow.dv:6: import 'sub/flow.dv': %1/sub/flow.dv holds package 'sub', not 'other'\n"
                                "%1/flow.dv:9: task 'a' uses 'ghost.Task', but no package 'ghost' is imported\n"
                                "%1/sub/flow.dv:5: task 't': unknown key 'colour' (known keys: name, root, export, local, scope, uses, "
                                "shell, run, needs, with, tags, iff, rundir, consumes, passthrough, produces, timeout, uptodate, desc, "
                                "doc, override, feeds, body, tasks, max_failures, strategy)\n"
                                "%1/sub/flow.dv:6: task 'sub.t' needs 'nothre', which is not a task in package 'sub'; did you mean 'nothere'?")
                     .arg(p.root()));
        // The package loaded despite the name's mismatch: b's need of it resolves, with the visibility warning.
        QCOMPARE(flow.warnings, QStringList{QStringLiteral("%1/flow.dv:11: warning: Task 'top.b' references task 'sub.nothere' "
                                                           "in package 'sub' that is not marked 'export'").arg(p.root())});
    }

    void mutualImportsLoadOnceAndOnePackageNameIsOneFile()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  imports: [a/flow.dv]\n  tasks:\n"
                                           "  - name: t\n    needs: [c.ct]\n    run: x\n");
        p.write(QStringLiteral("a/flow.dv"), "package:\n  name: a\n  imports: [../c/flow.dv]\n  tasks:\n  - export: at\n    run: x\n");
        p.write(QStringLiteral("c/flow.dv"), "package:\n  name: c\n  imports: [../a/flow.dv]\n  tasks:\n"
                                             "  - export: ct\n    needs: [a.at]\n    run: x\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("top.t<-c.ct"), QStringLiteral("a.at"), QStringLiteral("c.ct<-a.at")}));
        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  imports: [a/flow.dv, b/flow.dv]\n  tasks: []\n");
        p.write(QStringLiteral("b/flow.dv"), "package:\n  name: a\n  tasks: []\n");
        QCOMPARE(load(p, &flow), QStringLiteral("%1/flow.dv:3: import 'b/flow.dv': package 'a' is loaded from both %1/a/flow.dv and %1/b/flow.dv")
                                     .arg(p.root()));
    }

    void fragmentsJoinThePackageNamedOnesAsNamespaces()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  fragments: [rtl/flow.yaml, more]\n"
                                           "  tasks:\n"
                                           "  - root: all\n"
                                           "    needs: [top.rtl.files, b, a]\n"
                                           "    run: echo all\n");
        p.write(QStringLiteral("rtl/flow.yaml"), "fragment:\n  name: rtl\n  tasks:\n"
                                                 "  - export: files\n    needs: [prep]\n    run: echo ${{ srcdir }}\n"
                                                 "  - local: prep\n    run: echo prep\n");
        p.write(QStringLiteral("more/x/flow.dv"), "fragment:\n  tasks:\n  - name: a\n    run: echo a\n");
        p.write(QStringLiteral("more/y/flow.yaml"), "fragment:\n  tasks:\n  - name: b\n    needs: [a]\n    run: echo b\n");
        p.write(QStringLiteral("more/z/flow.dv"), "package:\n  name: skipped\n  tasks: []\n"); // another package's: skipped
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("top.all<-rtl.files,b,a"), QStringLiteral("top.rtl.files<-rtl.prep"),
                                           QStringLiteral("top.rtl.prep"), QStringLiteral("top.a"), QStringLiteral("top.b<-a")}));
        QCOMPARE(task(flow, QStringLiteral("rtl.files")).run, QStringLiteral("echo %1").arg(p.path(QStringLiteral("rtl"))));
        QCOMPARE(task(flow, QStringLiteral("b")).line, 3); // in its own file
    }

    void fragmentErrorsNameTheFragment()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  fragments: [nowhere.yaml, pkg/flow.dv, loop/flow.dv, f/flow.dv]\n"
                                           "  tasks:\n"
                                           "  - name: t\n    needs: [helper]\n    run: x\n");
        p.write(QStringLiteral("pkg/flow.dv"), "package:\n  name: p2\n  tasks: []\n");
        p.write(QStringLiteral("loop/flow.dv"), "fragment:\n  fragments: [flow.dv]\n  tasks: []\n");
        p.write(QStringLiteral("f/flow.dv"), "fragment:\n  tasks:\n  - local: helper\n    run: x\n");
        Flow flow;
        const QString root = p.root();
        const QString loop = QFileInfo(p.path(QStringLiteral("loop/flow.dv"))).canonicalFilePath();
        QCOMPARE(load(p, &flow),
                 QStringLiteral("%1/flow.dv:3: fragment 'nowhere.yaml' not found: no file or directory %1/nowhere.yaml\n"
                                "%1/flow.dv:3: %1/pkg/flow.dv holds a package, not a fragment; list it under `imports:`\n"
                                "%1/flow.dv:6: task 't' needs 'helper', which is `local:` to %1/f/flow.dv\n"
                                "%1/loop/flow.dv:2: fragment %2 includes itself: %3 -> %2 -> %2")
                     .arg(root, loop, QFileInfo(p.path(QStringLiteral("flow.dv"))).canonicalFilePath()));
    }

    void needsOfAnotherPackagesTaskFollowItsVisibility()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: main\n"
                                           "  imports: [utils/flow.dv]\n"
                                           "  tasks:\n"
                                           "  - name: build\n"
                                           "    needs:\n"
                                           "    - utils.format\n"
                                           "    - utils.check_syntax\n"
                                           "    run: x\n"
                                           "  - name: deep\n"
                                           "    needs: [utils.helper]\n"
                                           "    uses: utils.check_syntax\n");
        p.write(QStringLiteral("utils/flow.dv"), "package:\n  name: utils\n  tasks:\n"
                                                 "  - export: format\n    run: format.sh\n"
                                                 "  - name: check_syntax\n    run: check.sh\n"
                                                 "  - local: helper\n    run: h\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QStringLiteral("%1/flow.dv:11: task 'deep' needs 'utils.helper', which is `local:` to package 'utils'")
                                     .arg(p.root()));
        QCOMPARE(flow.warnings, QStringList{QStringLiteral("%1/flow.dv:8: warning: Task 'main.build' references task "
                                                           "'utils.check_syntax' in package 'utils' that is not marked 'export'")
                                                .arg(p.root())});
        p.write(QStringLiteral("flow.dv"), "package:\n  name: main\n  imports: [utils/flow.dv]\n  tasks:\n"
                                           "  - name: build\n    needs: [utils.format]\n    uses: utils.check_syntax\n");
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(flow.warnings, QStringList()); // `uses:` of a non-export task is not checked, as in the Python dfm
        QCOMPARE(task(flow, QStringLiteral("build")).run, QStringLiteral("check.sh"));
        // dfm run prints the warning and runs.
        p.write(QStringLiteral("utils/flow.dv"), "package:\n  name: utils\n  tasks:\n"
                                                 "  - export: format\n    run: 'true'\n  - name: check\n    run: 'true'\n");
        p.write(QStringLiteral("flow.dv"), "package:\n  name: main\n  imports: [utils/flow.dv]\n  tasks:\n"
                                           "  - name: build\n    needs: [utils.format, utils.check]\n    run: 'true'\n");
        const Run r = run(p, {QStringLiteral("build")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(r.err, QStringLiteral("%1/flow.dv:6: warning: Task 'main.build' references task 'utils.check' in package 'utils' "
                                       "that is not marked 'export'\n").arg(p.root()));
    }

    void overrideReplacesATaskOfThePackageOrOfAnImportedOne()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  imports: [sub/flow.dv]\n"
                                           "  fragments: [frag.yaml]\n"
                                           "  tasks:\n"
                                           "  - override: setup\n"
                                           "    run: echo mine > setup.txt\n"
                                           "  - export: compile\n"
                                           "    override: sub.compile\n"
                                           "    run: echo ${{ name }} > compile.txt\n"
                                           "  - root: all\n"
                                           "    needs: [setup, sub.test]\n");
        p.write(QStringLiteral("frag.yaml"), "fragment:\n  tasks:\n  - name: setup\n    run: echo theirs > setup.txt\n");
        p.write(QStringLiteral("sub/flow.dv"), "package:\n  name: sub\n  tasks:\n"
                                               "  - export: compile\n    run: echo original > compile.txt\n"
                                               "  - export: test\n    needs: [compile]\n    run: echo test\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("top.setup"), QStringLiteral("top.all<-setup,sub.test"),
                                           QStringLiteral("sub.compile"), QStringLiteral("sub.test<-sub.compile")}));
        QCOMPARE(task(flow, QStringLiteral("setup")).run, QStringLiteral("echo mine > setup.txt"));
        QCOMPARE(task(flow, QStringLiteral("sub.compile")).run, QStringLiteral("echo sub.compile > compile.txt"));
        const Run r = run(p, {QStringLiteral("all"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(statusList(p.path(QStringLiteral("r.json"))),
                 (QStringList{QStringLiteral("sub.compile=passed"), QStringLiteral("sub.test=passed"),
                              QStringLiteral("top.all=passed"), QStringLiteral("top.setup=passed")}));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/top.setup/setup.txt"))), QStringLiteral("mine\n"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/sub.compile/compile.txt"))), QStringLiteral("sub.compile\n"));

        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  imports: [sub/flow.dv]\n  tasks:\n"
                                           "  - override: stup\n    run: x\n"
                                           "  - override: sub.compil\n    run: x\n"
                                           "  - override: nopkg.t\n    run: x\n");
        QCOMPARE(load(p, &flow), QStringLiteral("%1/flow.dv:5: task 'stup' overrides 'stup', which is not a task in package 'top'\n"
                                                "%1/flow.dv:7: task 'compil' overrides 'sub.compil', which is not a task in package 'sub'; "
                                                "did you mean 'compile'?\n"
                                                "%1/flow.dv:9: task 't' overrides 'nopkg.t', but no package 'nopkg' is imported")
                                     .arg(p.root()));
    }

    void packageTagsChangeNothingInARun()
    {
        TempProject p;
        const QByteArray tasks = "  tasks:\n  - name: t\n    run: echo ${{ n }}\n";
        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  with: {n: 1}\n" + tasks);
        Flow plain, tagged;
        QCOMPARE(load(p, &plain), QString());
        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  with: {n: 1}\n"
                                           "  types:\n  - name: Tag\n    uses: std.Tag\n"
                                           "  tags:\n  - top.Tag\n  - std.ResourceTag: {cores: 2}\n" + tasks);
        QCOMPARE(load(p, &tagged), QString());
        QCOMPARE(graph(tagged), graph(plain));
        QCOMPARE(tagged.tasks[0].run, plain.tasks[0].run);
        QCOMPARE(tagged.tasks[0].resources().cores, 0);
    }

    void configsOverlayTheRootPackage()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n"
                                           "  name: top\n"
                                           "  with:\n"
                                           "    debug: {type: bool, value: false}\n"
                                           "    opt: {type: int, value: 2}\n"
                                           "  tasks:\n"
                                           "  - name: build\n"
                                           "    run: echo ${{ 'dbg' if debug else 'rel' }} O${{ opt }}\n"
                                           "  - name: expensive\n"
                                           "    run: sleep 100\n"
                                           "  - root: all\n"
                                           "    needs: [build, expensive]\n"
                                           "  configs:\n"
                                           "  - name: instrumented\n"
                                           "    with:\n"
                                           "      opt: {value: \"0\"}\n"
                                           "    imports: [lib/flow.dv]\n"
                                           "    overrides:\n"
                                           "    - task: top.expensive\n"
                                           "      with: std.Null\n"
                                           "  - name: debug\n"
                                           "    uses: instrumented\n"
                                           "    with:\n"
                                           "      debug: {value: true}\n"
                                           "    tasks:\n"
                                           "    - override: all\n"
                                           "      needs: [build, expensive, lib.cov]\n");
        p.write(QStringLiteral("lib/flow.dv"), "package:\n  name: lib\n  tasks:\n  - export: cov\n    run: echo cov\n");
        Flow flow;
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("top.build"), QStringLiteral("top.expensive"), QStringLiteral("top.all<-build,expensive")}));
        QCOMPARE(flow.tasks[0].run, QStringLiteral("echo rel O2"));

        QCOMPARE(load(p, &flow, QStringLiteral("debug")), QString());
        QCOMPARE(graph(flow), (QStringList{QStringLiteral("top.build"), QStringLiteral("top.all<-build,expensive,lib.cov"),
                                           QStringLiteral("top.expensive"), QStringLiteral("lib.cov")}));
        QCOMPARE(task(flow, QStringLiteral("build")).run, QStringLiteral("echo dbg O0"));
        QCOMPARE(flow.params.value(QLatin1String("opt")), QJsonValue(0)); // the package's type kept
        QVERIFY(task(flow, QStringLiteral("expensive")).isNull());        // replaced by std.Null
        QCOMPARE(load(p, &flow, QStringLiteral("debug"), {QStringLiteral("opt=3")}), QString());
        QCOMPARE(task(flow, QStringLiteral("build")).run, QStringLiteral("echo dbg O3")); // -D over the configuration

        QCOMPARE(load(p, &flow, QStringLiteral("debgu")), QStringLiteral("-c debgu: package 'top' has no configuration 'debgu'; did you mean 'debug'?"));
        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  with: {msg: base}\n  tasks:\n  - name: t\n    run: echo ${{ msg }}\n"
                                           "  configs:\n  - name: default\n    with: {msg: dflt}\n  - name: other\n    uses: nothere\n");
        QCOMPARE(load(p, &flow), QString());
        QCOMPARE(flow.tasks[0].run, QStringLiteral("echo dflt")); // `default` applies without -c
        QCOMPARE(load(p, &flow, QStringLiteral("other")), QStringLiteral("%1/flow.dv:10: config 'other' uses 'nothere', which is not a "
                                                                         "configuration of package 'top'").arg(p.root()));
    }

    void dfmRunMinusCSelectsTheConfiguration()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  with: {mode: rel}\n  tasks:\n"
                                           "  - name: t\n    run: echo ${{ mode }} > mode.txt\n"
                                           "  configs:\n  - name: dbg\n    with: {mode: debug}\n");
        Run r = run(p, {QStringLiteral("t"), QStringLiteral("-c"), QStringLiteral("dbg")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/top.t/mode.txt"))), QStringLiteral("debug\n"));
        r = run(p, {QStringLiteral("t"), QStringLiteral("-c"), QStringLiteral("nope")});
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm run: -c nope: package 'top' has no configuration 'nope' (configurations: dbg)\n"));
    }

    void pythonProjectFlowsRunWithTheirOutcome()
    {
        const QString data = QStringLiteral(DFM_TESTDATA "/pyflows");
        const QStringList lines = readText(data + QStringLiteral("/cases.txt")).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        int cases = 0;
        for (const QString &line : lines) {
            if (line.startsWith(QLatin1Char('#')))
                continue;
            const QStringList f = line.split(QLatin1Char('|'));
            QCOMPARE(f.size(), 5);
            const auto list = [](const QString &s) { return s.trimmed().split(QLatin1Char(';'), Qt::SkipEmptyParts); };
            const QString dir = f[0].trimmed();
            TempProject p;
            QDirIterator it(data + QLatin1Char('/') + dir, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString src = it.next();
                QFile in(src);
                QVERIFY(in.open(QIODevice::ReadOnly));
                p.write(src.mid(data.size() + dir.size() + 2), in.readAll());
            }
            const Run r = run(p, list(f[1]) + QStringList{QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
            QVERIFY2(r.code == 0, qPrintable(dir + QLatin1Char('\n') + r.out + r.err));
            QStringList expected;
            for (const QString &t : list(f[2]))
                expected << t + QStringLiteral("=passed");
            expected.sort();
            QCOMPARE(statusList(p.path(QStringLiteral("r.json"))), expected);
            const QString text = logs(p.path(QStringLiteral("rundir")));
            for (const QString &s : list(f[3]))
                QVERIFY2(text.contains(s), qPrintable(dir + QStringLiteral(": no '") + s + QStringLiteral("' in\n") + text));
            for (const QString &s : list(f[4]))
                QVERIFY2(!text.contains(s), qPrintable(dir + QStringLiteral(": '") + s + QStringLiteral("' in\n") + text));
            ++cases;
        }
        QCOMPARE(cases, 16);
    }
};

QTEST_GUILESS_MAIN(TestFlowPkg)
#include "tst_flowpkg.moc"
