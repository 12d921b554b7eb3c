// `dfm run` without a task: the Python dfm's listing of the entry points
// (flow::runListing(), a pure function), printed without running anything;
// and `--all`, which runs every task no other task needs.

#include "flow.h"
#include "flow/runlisting.h"
#include "testutil.h"

#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

QString listing(const QByteArray &yaml)
{
    Flow flow;
    FlowOptions o;
    o.rundirRoot = QStringLiteral("/p/rundir");
    QString err;
    if (!parseFlowText(QStringLiteral("/p/flow.dv"), QString::fromUtf8(yaml), o, &flow, &err))
        return err;
    return flow::runListing(flow);
}

const QByteArray kRoots = R"(package:
  name: proj
  tasks:
  - root: sim
    desc: Run the simulation
    needs: [build]
    run: ./sim
  - name: build
    desc: Compile
    run: make
  - name: all_tests
    scope: [root, export]
    body:
    - root: inner
      run: 'true'
  - export: lib
    run: 'true'
)";

} // namespace

class TestRunListing : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void onlyRootTasksAreListedSortedAndPaddedAsThePythonDfmDoes()
    {
        // A compound's body task is not listed, even marked root: the Python
        // dfm lists its package's task map, which holds top-level tasks only.
        QCOMPARE(listing(kRoots), QStringLiteral("No task specified. Available Tasks:\n"
                                                 "proj.all_tests - <no description>\n"
                                                 "proj.sim       - Run the simulation\n"));
    }

    void withoutRootTasksEveryTaskIsListedAfterAWarning()
    {
        QCOMPARE(listing("package:\n  name: p\n  tasks:\n"
                         "  - name: zeta\n    run: 'true'\n"
                         "  - name: alpha\n    desc: First\n    run: 'true'\n"
                         "  - export: mid\n    needs: [alpha]\n    run: 'true'\n"),
                 QStringLiteral("Warning: No 'root' tasks found in the current package. Runnable tasks must be marked "
                                "'scope: root'.\n\n"
                                "No task specified. Available Tasks:\n"
                                "p.alpha - First\n"
                                "p.mid   - <no description>\n"
                                "p.zeta  - <no description>\n"));
    }

    void importedPackagesTasksAreNotListed()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: top\n  imports:\n  - sub/flow.dv\n  tasks:\n"
                                           "  - root: go\n    needs: [lib.t]\n    run: 'true'\n");
        p.write(QStringLiteral("sub/flow.dv"), "package:\n  name: lib\n  tasks:\n  - root: t\n    run: 'true'\n");
        Flow flow;
        QString err;
        QVERIFY2(loadFlow(p.root(), &flow, &err), qPrintable(err));
        QCOMPARE(flow::runListing(flow), QStringLiteral("No task specified. Available Tasks:\ntop.go - <no description>\n"));
    }

    void runWithoutATaskListsAndRunsNothing()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), kRoots);
        const Run r = runDfm({QStringLiteral("run")}, p.root(), 60000);
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, listing(kRoots));
        QCOMPARE(r.err, QString());
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir"))));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral(".dfm"))));
    }

    void aLoadErrorWithoutATaskIsStillReported()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: p\n  tasks:\n  - name: t\n    needs: [nope]\n    run: 'true'\n");
        const Run r = runDfm({QStringLiteral("run")}, p.root(), 60000);
        QCOMPARE(r.code, 2);
        QCOMPARE(r.out, QString());
        QCOMPARE(r.err, QStringLiteral("dfm run: %1/flow.dv:5: task 't' needs 'nope', which is not a task in package 'p'\n")
                            .arg(p.root()));
    }

    void allRunsEveryTaskNoOtherTaskNeeds()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: p\n  tasks:\n"
                                           "  - name: a\n    run: touch a.txt\n"
                                           "  - name: b\n    needs: [a]\n    run: touch b.txt\n"
                                           "  - name: c\n    run: touch c.txt\n");
        Run r = runDfm({QStringLiteral("run"), QStringLiteral("--all")}, p.root(), 120000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/p.a/a.txt"))));
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/p.b/b.txt"))));
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/p.c/c.txt"))));
        QVERIFY2(r.out.contains(QStringLiteral("dfm run: 3 passed, 0 failed, 0 skipped, 0 cancelled")), qPrintable(r.out));
        r = runDfm({QStringLiteral("run"), QStringLiteral("--all"), QStringLiteral("b")}, p.root(), 60000);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--all runs every task; name no TASK with it")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestRunListing)
#include "tst_runlisting.moc"
