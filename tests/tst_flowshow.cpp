// dfm show and dfm graph: the task table, the task detail and the DOT graph
// of a loaded flow (pure functions), and the commands around them.

#include "flow.h"
#include "flow/flowshow.h"
#include "testutil.h"

#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

const QByteArray kFlow = R"(package:
  name: demo
  tasks:
  - name: rtl
    desc: The RTL sources
    uses: std.FileSet
    with: {type: systemVerilogSource, include: "*.sv"}
  - root: build
    doc: |
      Compile the testbench.
      Second line, not shown.
    needs: [rtl]
    run: make
  - name: tests
    needs: [build]
    with:
      seed: {type: int, value: 1}
    body:
    - name: smoke
      run: ./sim +seed=${{ seed }}
    - name: check
      needs: [smoke]
      run: ./check
)";

Flow loaded()
{
    Flow flow;
    QString err;
    FlowOptions o;
    o.rundirRoot = QStringLiteral("/p/rundir");
    if (!parseFlowText(QStringLiteral("/p/flow.dv"), QString::fromUtf8(kFlow), o, &flow, &err))
        qWarning("%s", qPrintable(err));
    return flow;
}

} // namespace

class TestFlowShow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showListsEveryTaskWithItsDescription()
    {
        const Flow flow = loaded();
        QCOMPARE(flow::taskTable(flow, QString()),
                 QStringLiteral("demo.rtl          The RTL sources\n"
                                "demo.build        Compile the testbench.\n"
                                "demo.tests\n"
                                "demo.tests.smoke\n"
                                "demo.tests.check\n"));
        QCOMPARE(flow::taskTable(flow, QStringLiteral("COMPILE")), QStringLiteral("demo.build  Compile the testbench.\n"));
        QCOMPARE(flow::taskTable(flow, QStringLiteral("nothing")), QString());
        const QJsonArray json = flow::taskJson(flow, QStringLiteral("build"));
        QCOMPARE(json.size(), 1);
        QCOMPARE(json[0].toObject().value(QLatin1String("scope")), QJsonValue(QStringLiteral("root")));
        QCOMPARE(json[0].toObject().value(QLatin1String("needs")), QJsonValue(QJsonArray{QStringLiteral("demo.rtl")}));
    }

    void showTaskGivesBaseScopeParametersAndNeeds()
    {
        const Flow flow = loaded();
        QCOMPARE(flow::taskDetail(flow, flow.indexOf(QStringLiteral("tests.smoke"))),
                 QStringLiteral("Task:        demo.tests.smoke\n"
                                "Package:     demo\n"
                                "Base:        -\n"
                                "Scope:       -\n"
                                "\nDirect Needs:\n  - demo.build\n"));
        QCOMPARE(flow::taskDetail(flow, flow.indexOf(QStringLiteral("build"))),
                 QStringLiteral("Task:        demo.build\n"
                                "Package:     demo\n"
                                "Base:        -\n"
                                "Scope:       root\n"
                                "\nDescription:\n  Compile the testbench.\n"
                                "\nDirect Needs:\n  - demo.rtl\n"));
        QCOMPARE(flow::taskDetail(flow, flow.indexOf(QStringLiteral("tests"))),
                 QStringLiteral("Task:        demo.tests\n"
                                "Package:     demo\n"
                                "Base:        -\n"
                                "Scope:       -\n"
                                "\nParameters:\n  seed  1\n"
                                "\nDirect Needs:\n  - demo.tests.check\n"));
    }

    void graphIsDotWithNeedsAsEdgesAndBodiesAsClusters()
    {
        const Flow flow = loaded();
        std::vector<int> order;
        QString err;
        QVERIFY(selectTasks(flow, {}, &order, &err));
        QCOMPARE(flow::flowDot(flow, order),
                 QStringLiteral("digraph \"demo\" {\n"
                                "  node [shape=box];\n"
                                "  \"demo.rtl\";\n"
                                "  \"demo.build\";\n"
                                "  \"demo.tests\";\n"
                                "  subgraph \"cluster_demo.tests\" {\n"
                                "    label=\"demo.tests\";\n"
                                "    \"demo.tests.smoke\";\n"
                                "    \"demo.tests.check\";\n"
                                "  }\n"
                                "  \"demo.rtl\" -> \"demo.build\";\n"
                                "  \"demo.build\" -> \"demo.tests.smoke\";\n"
                                "  \"demo.tests.smoke\" -> \"demo.tests.check\";\n"
                                "  \"demo.tests.check\" -> \"demo.tests\";\n"
                                "}\n"));
        QVERIFY(selectTasks(flow, {QStringLiteral("build")}, &order, &err));
        QCOMPARE(flow::flowDot(flow, order),
                 QStringLiteral("digraph \"demo\" {\n  node [shape=box];\n  \"demo.rtl\";\n  \"demo.build\";\n"
                                "  \"demo.rtl\" -> \"demo.build\";\n}\n"));
    }

    void showAndGraphCommandsPrintTheFlow()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), kFlow);
        Run r = runDfm({QStringLiteral("show")}, p.root(), 30000);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("demo.rtl          The RTL sources\n")), qPrintable(r.out + r.err));
        r = runDfm({QStringLiteral("show"), QStringLiteral("task"), QStringLiteral("demo.build")}, p.root(), 30000);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("Task:        demo.build\n")), qPrintable(r.out + r.err));
        r = runDfm({QStringLiteral("show"), QStringLiteral("task"), QStringLiteral("biuld")}, p.root(), 30000);
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm show task: no task 'biuld' in %1; did you mean 'build'?\n").arg(p.path(QStringLiteral("flow.dv"))));
        r = runDfm({QStringLiteral("graph"), QStringLiteral("-o"), p.path(QStringLiteral("g.dot")), QStringLiteral("build")}, p.root(), 30000);
        QCOMPARE(r.code, 0);
        QFile f(p.path(QStringLiteral("g.dot")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("\"demo.rtl\" -> \"demo.build\";"));
        r = runDfm({QStringLiteral("graph"), QStringLiteral("nope")}, p.root(), 30000);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm graph: no task 'nope'")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestFlowShow)
#include "tst_flowshow.moc"
