// The bash completion script (cli/completion/dfm.bash), run by a real bash
// against the real binary: commands, options, option values, task names.

#include "testutil.h"

#include <QtTest>

using namespace dfm::test;

namespace {

const QString kScript = QStringLiteral(DFM_TESTDATA "/../../cli/completion/dfm.bash");

// What completing the last of `words` (after "dfm") offers, one a line.
QString complete(const QString &dir, const QStringList &words)
{
    QStringList quoted{QStringLiteral(DFM_BIN)};
    for (const QString &w : words)
        quoted << QLatin1Char('\'') + w + QLatin1Char('\'');
    const QString script = QStringLiteral("source '%1' && COMP_WORDS=(%2) && COMP_CWORD=%3 && _dfm && "
                                          "printf '%s\\n' \"${COMPREPLY[@]}\"")
                               .arg(kScript, quoted.join(QLatin1Char(' ')))
                               .arg(words.size());
    QProcess bash;
    bash.setWorkingDirectory(dir);
    bash.start(QStringLiteral("bash"), {QStringLiteral("--norc"), QStringLiteral("-c"), script});
    if (!bash.waitForFinished(30000))
        return QStringLiteral("<timed out>");
    return QString::fromUtf8(bash.readAllStandardOutput() + bash.readAllStandardError());
}

} // namespace

class TestCompletion : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
        QVERIFY2(QFileInfo::exists(kScript), qPrintable(kScript));
    }

    void commandsAndSubcommands()
    {
        TempProject p;
        QCOMPARE(complete(p.root(), {QString()}), QStringLiteral("run\nshow\ngraph\ndaemon\nworker\nhelp\nversion\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("da")}), QStringLiteral("daemon\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("daemon"), QStringLiteral("st")}), QStringLiteral("start\nstop\nstatus\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("help"), QStringLiteral("daemon"), QStringLiteral("sto")}), QStringLiteral("stop\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("show"), QStringLiteral("t")}), QStringLiteral("tasks\ntask\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("graph"), QStringLiteral("--o")}), QStringLiteral("--output\n"));
    }

    void optionsAndTheirValues()
    {
        TempProject p;
        QCOMPARE(complete(p.root(), {QStringLiteral("run"), QStringLiteral("--co")}), QStringLiteral("--color\n--config\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("run"), QStringLiteral("--color"), QString()}), QStringLiteral("auto\nalways\nnever\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("run"), QStringLiteral("--color=n")}), QStringLiteral("never\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--")}),
                 QStringLiteral("--json\n--root\n--help\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("run"), QStringLiteral("-j"), QString()}), QStringLiteral("\n")); // a number: no guess
        p.write(QStringLiteral("sub/x"), "");
        QCOMPARE(complete(p.root(), {QStringLiteral("run"), QStringLiteral("--rundir"), QStringLiteral("s")}), QStringLiteral("sub\n"));
    }

    void taskNamesFromTheProjectsFlow()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: p\n  tasks:\n  - name: build\n    run: 'true'\n"
                                           "  - name: test_a\n    run: 'true'\n  - name: test_b\n    run: 'true'\n");
        QCOMPARE(complete(p.root(), {QStringLiteral("run"), QStringLiteral("test")}), QStringLiteral("test_a\ntest_b\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("run"), QStringLiteral("-j"), QStringLiteral("2"), QStringLiteral("b")}),
                 QStringLiteral("build\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("graph"), QStringLiteral("test")}), QStringLiteral("test_a\ntest_b\n"));
        QCOMPARE(complete(p.root(), {QStringLiteral("show"), QStringLiteral("task"), QStringLiteral("bu")}), QStringLiteral("build\n"));
        TempProject elsewhere;
        QCOMPARE(complete(elsewhere.root(), {QStringLiteral("run"), QStringLiteral("--root"), p.root(), QStringLiteral("bu")}),
                 QStringLiteral("build\n"));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir"))));
    }
};

QTEST_GUILESS_MAIN(TestCompletion)
#include "tst_completion.moc"
