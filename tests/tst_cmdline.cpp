// The command-line layer of every subcommand: parsing, --help text and
// usage errors, checked as exact text.

#include "cmdline.h"

#include <QtTest>

using namespace dfm::cli;

namespace {

CommandSpec leaf()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm run");
    s.synopsis = QStringLiteral("[options] [TASK...]");
    s.maxPositionals = -1;
    s.description = QStringLiteral("Run tasks.");
    s.options = {
        {QStringLiteral("j"), QStringLiteral("jobs"), QStringLiteral("N"), QStringLiteral("Tasks in flight at once.")},
        {QStringLiteral("v"), QStringLiteral("verbose"), QString(), QStringLiteral("A line per task.")},
        {QString(), QStringLiteral("clean"), QString(), QStringLiteral("Remove the run directories first.")},
        {QString(), QStringLiteral("pool-size"), QStringLiteral("N"), QStringLiteral("Workers at most.")},
        {QString(), QStringLiteral("detached"), QString(), QStringLiteral("Internal."), true},
    };
    return s;
}

CommandSpec group()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm daemon");
    s.synopsis = QStringLiteral("COMMAND [options]");
    s.subcommands = {{QStringLiteral("start"), QStringLiteral("Start it.")},
                     {QStringLiteral("stop"), QStringLiteral("Stop it.")},
                     {QStringLiteral("status"), QStringLiteral("Show it.")}};
    return s;
}

const QString kRunTail = QStringLiteral("Usage: dfm run [options] [TASK...]\nRun 'dfm run --help' for details.\n");
const QString kRunOptions = QStringLiteral("  valid options: --clean, -j/--jobs, --pool-size, -v/--verbose, -h/--help\n");

ParseResult parse(const CommandSpec &spec, const QStringList &args, ParsedArgs *p, QString *text)
{
    return parseCommandLine(spec, args, p, text);
}

} // namespace

class TestCmdline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void valuesInEveryForm()
    {
        ParsedArgs p;
        QString text;
        QCOMPARE(parse(leaf(), {QStringLiteral("a"), QStringLiteral("-j"), QStringLiteral("3"), QStringLiteral("--pool-size=4"),
                                QStringLiteral("-vj5"), QStringLiteral("--"), QStringLiteral("-b")},
                       &p, &text),
                 ParseResult::Ok);
        QCOMPARE(p.values(QStringLiteral("jobs")), (QStringList{QStringLiteral("3"), QStringLiteral("5")}));
        QCOMPARE(p.value(QStringLiteral("jobs")), QStringLiteral("5"));
        QCOMPARE(p.value(QStringLiteral("pool-size")), QStringLiteral("4"));
        QVERIFY(p.isSet(QStringLiteral("verbose")));
        QVERIFY(!p.isSet(QStringLiteral("clean")));
        QCOMPARE(p.positionals, (QStringList{QStringLiteral("a"), QStringLiteral("-b")}));
    }

    void helpAnywhereWinsOverEverythingElse()
    {
        for (const QStringList &args : {QStringList{QStringLiteral("--help")}, QStringList{QStringLiteral("x"), QStringLiteral("-h")},
                                        QStringList{QStringLiteral("--bogus"), QStringLiteral("--help")}}) {
            ParsedArgs p;
            QString text;
            QCOMPARE(parse(leaf(), args, &p, &text), ParseResult::Help);
            QCOMPARE(text, helpText(leaf()));
        }
        ParsedArgs p;
        QString text;
        QCOMPARE(parse(leaf(), {QStringLiteral("--"), QStringLiteral("--help")}, &p, &text), ParseResult::Ok);
        QCOMPARE(p.positionals, QStringList{QStringLiteral("--help")});
    }

    void helpTextNamesTheCommandAndDescribesEveryOption()
    {
        QCOMPARE(helpText(leaf()), QStringLiteral("Usage: dfm run [options] [TASK...]\n"
                                                  "\n"
                                                  "Run tasks.\n"
                                                  "\n"
                                                  "Options:\n"
                                                  "  -j, --jobs N       Tasks in flight at once.\n"
                                                  "  -v, --verbose      A line per task.\n"
                                                  "      --clean        Remove the run directories first.\n"
                                                  "      --pool-size N  Workers at most.\n"
                                                  "  -h, --help         Show this help and exit; nothing else is done.\n"));
    }

    void groupHelpListsItsCommands()
    {
        QCOMPARE(helpText(group()), QStringLiteral("Usage: dfm daemon COMMAND [options]\n"
                                                   "\n"
                                                   "Commands:\n"
                                                   "  start   Start it.\n"
                                                   "  stop    Stop it.\n"
                                                   "  status  Show it.\n"
                                                   "\n"
                                                   "Options:\n"
                                                   "  -h, --help  Show this help and exit; nothing else is done.\n"));
    }

    void longHelpWrapsUnderItsColumn()
    {
        CommandSpec s = leaf();
        s.options = {{QString(), QStringLiteral("x"), QString(),
                      QStringLiteral("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen")}};
        QVERIFY2(helpText(s).contains(QStringLiteral("      --x     one two three four five six seven eight nine ten eleven twelve\n"
                                                     "              thirteen fourteen fifteen\n")),
                 qPrintable(helpText(s)));
    }

    void unknownOptionsGetDidYouMeanAndTheChoices_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("first");
        QTest::newRow("typo") << QStringList{QStringLiteral("--claen")}
                              << QStringLiteral("dfm run: unknown option '--claen'; did you mean '--clean'?\n");
        QTest::newRow("prefix") << QStringList{QStringLiteral("--pool")}
                                << QStringLiteral("dfm run: unknown option '--pool'; did you mean '--pool-size'?\n");
        QTest::newRow("extension") << QStringList{QStringLiteral("--help-all")}
                                   << QStringLiteral("dfm run: unknown option '--help-all'; did you mean '--help'?\n");
        QTest::newRow("single dash long name") << QStringList{QStringLiteral("-clean")}
                                               << QStringLiteral("dfm run: unknown option '-clean'; did you mean '--clean'?\n");
        QTest::newRow("with value") << QStringList{QStringLiteral("--jbos=3")}
                                    << QStringLiteral("dfm run: unknown option '--jbos'; did you mean '--jobs'?\n");
        QTest::newRow("short") << QStringList{QStringLiteral("-x")} << QStringLiteral("dfm run: unknown option '-x'\n");
        QTest::newRow("in a cluster") << QStringList{QStringLiteral("-vx")}
                                      << QStringLiteral("dfm run: unknown option '-x' in '-vx'\n");
        QTest::newRow("hidden is not offered") << QStringList{QStringLiteral("--detach")}
                                               << QStringLiteral("dfm run: unknown option '--detach'\n");
    }

    void unknownOptionsGetDidYouMeanAndTheChoices()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, first);
        ParsedArgs p;
        QString text;
        QCOMPARE(parse(leaf(), args, &p, &text), ParseResult::Error);
        QCOMPARE(text, first + kRunOptions + kRunTail);
    }

    void valueMistakesAreNamed()
    {
        ParsedArgs p;
        QString text;
        QCOMPARE(parse(leaf(), {QStringLiteral("-j")}, &p, &text), ParseResult::Error);
        QCOMPARE(text, QStringLiteral("dfm run: option '-j' needs a value (N)\n") + kRunTail);
        QCOMPARE(parse(leaf(), {QStringLiteral("--verbose=yes")}, &p, &text), ParseResult::Error);
        QCOMPARE(text, QStringLiteral("dfm run: option '--verbose' takes no value\n") + kRunTail);
        CommandSpec none = leaf();
        none.maxPositionals = 0;
        QCOMPARE(parse(none, {QStringLiteral("extra")}, &p, &text), ParseResult::Error);
        QCOMPARE(text, QStringLiteral("dfm run: unexpected argument 'extra'\n") + kRunTail);
    }

    void hiddenOptionsAreAcceptedButNotShown()
    {
        ParsedArgs p;
        QString text;
        QCOMPARE(parse(leaf(), {QStringLiteral("--detached")}, &p, &text), ParseResult::Ok);
        QVERIFY(p.isSet(QStringLiteral("detached")));
        QVERIFY(!helpText(leaf()).contains(QStringLiteral("detached")));
    }

    void groupTakesTheFirstWordAsItsCommand()
    {
        ParsedArgs p;
        QString text;
        QCOMPARE(parse(group(), {QStringLiteral("stop"), QStringLiteral("--help-all")}, &p, &text), ParseResult::Ok);
        QCOMPARE(p.positionals, (QStringList{QStringLiteral("stop"), QStringLiteral("--help-all")}));
        QCOMPARE(parse(group(), {QStringLiteral("stpo")}, &p, &text), ParseResult::Error);
        QCOMPARE(text, QStringLiteral("dfm daemon: unknown command 'stpo'; did you mean 'stop'?\n"
                                      "  valid commands: start, stop, status\n"
                                      "Usage: dfm daemon COMMAND [options]\n"
                                      "Run 'dfm daemon --help' for details.\n"));
        QCOMPARE(parse(group(), {QStringLiteral("--help")}, &p, &text), ParseResult::Help);
    }

    void manPageIsTheHelpInManForm()
    {
        CommandSpec top = group();
        top.path = QStringLiteral("dfm");
        top.description = QStringLiteral(".dots and back\\slashes are escaped");
        top.subcommands = {{QStringLiteral("run"), QStringLiteral("Run tasks.")}};
        CommandSpec run = leaf();
        run.options.resize(1);
        run.footer = QStringLiteral("Exit status: 0 ok\n");
        QCOMPARE(manPage(top, {run}, QStringLiteral("a tool"), QStringLiteral("dfm 1.0")),
                 QStringLiteral(".TH DFM 1 \"\" \"dfm 1.0\" \"User Commands\"\n"
                                ".SH NAME\ndfm \\- a tool\n"
                                ".SH SYNOPSIS\n.B dfm\nCOMMAND [options]\n.br\n.B dfm run\n[options] [TASK...]\n"
                                ".SH DESCRIPTION\n.PP\n\\&.dots and back\\eslashes are escaped\n"
                                ".PP\nCommands:\n.TP\n.B run\nRun tasks.\n"
                                ".PP\nOptions:\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nShow this help and exit; nothing else is done.\n"
                                ".SH COMMANDS\n.SS \"dfm run [options] [TASK...]\"\n.PP\nRun tasks.\n"
                                ".PP\nOptions:\n.TP\n\\fB\\-j\\fR, \\fB\\-\\-jobs\\fR \\fIN\\fR\nTasks in flight at once.\n"
                                ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nShow this help and exit; nothing else is done.\n"
                                ".PP\n.nf\nExit status: 0 ok\n.fi\n"));
    }
};

QTEST_APPLESS_MAIN(TestCmdline)
#include "tst_cmdline.moc"
