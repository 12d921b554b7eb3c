// `dfm run --tasks-from`: one task per line, named or numbered, with
// file:line errors for duplicate names.

#include "tasklist.h"

#include <QtTest>

using namespace dfm;

namespace {

const QString kFile = QStringLiteral("jobs.txt");
const QString kDir = QStringLiteral("/p");

QStringList describe(const Flow &f)
{
    QStringList out;
    for (const FlowTask &t : f.tasks)
        out << QStringLiteral("%1@%2=%3").arg(t.name).arg(t.line).arg(t.run);
    return out;
}

} // namespace

class TestTaskList : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void linesBecomeNumberedOrNamedTasks()
    {
        Flow f;
        QString err;
        QVERIFY2(parseTaskList(kFile,
                               QStringLiteral("echo one\n"
                                              "\n"
                                              "# a comment\n"
                                              "   # an indented comment\n"
                                              "sim_1: ./sim +seed=1 > out.txt\n"
                                              "a.b-c_2: true\r\n"
                                              "echo a: b\n"
                                              "not an id: x\n"
                                              "noSpace:x\n"),
                               kDir, &f, &err),
                 qPrintable(err));
        QCOMPARE(describe(f), (QStringList{QStringLiteral("line-1@1=echo one"),
                                           QStringLiteral("sim_1@5=./sim +seed=1 > out.txt"),
                                           QStringLiteral("a.b-c_2@6=true"),
                                           QStringLiteral("line-7@7=echo a: b"),
                                           QStringLiteral("line-8@8=not an id: x"),
                                           QStringLiteral("line-9@9=noSpace:x")}));
        QCOMPARE(f.file, kFile);
        QCOMPARE(f.dir, kDir);
        for (const FlowTask &t : f.tasks) {
            QCOMPARE(t.shell, QStringLiteral("bash"));
            QVERIFY(t.needs.isEmpty());
        }
    }

    void emptyListHasNoTasks()
    {
        Flow f;
        QString err;
        QVERIFY(parseTaskList(kFile, QStringLiteral("\n# nothing\n\n"), kDir, &f, &err));
        QCOMPARE(f.tasks.size(), size_t(0));
    }

    void duplicateNameNamesBothLines()
    {
        Flow f;
        QString err;
        QVERIFY(!parseTaskList(kFile, QStringLiteral("a: true\nb: true\n\na: false\n"), kDir, &f, &err));
        QCOMPARE(err, QStringLiteral("jobs.txt:4: duplicate task name 'a' (also on line 1)"));
    }

    void explicitNameCollidingWithALineNumberIsADuplicate()
    {
        Flow f;
        QString err;
        QVERIFY(!parseTaskList(kFile, QStringLiteral("echo x\nline-1: echo y\n"), kDir, &f, &err));
        QCOMPARE(err, QStringLiteral("jobs.txt:2: duplicate task name 'line-1' (also on line 1)"));
    }
};

QTEST_APPLESS_MAIN(TestTaskList)
#include "tst_tasklist.moc"
