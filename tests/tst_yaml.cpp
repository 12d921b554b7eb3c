// The flow YAML reader's two paths: the fast one (fastyaml.cpp) must make
// exactly libyaml's tree for the plain YAML flows are written in, and leave
// everything else to libyaml. fuzz/fuzz_yaml.cpp checks the same on
// generated input.

#include "flow/ynode.h"

#include <QtTest>

using namespace dfm::flow;

namespace {

QString dump(const YNode &n)
{
    static const char *const kinds[] = {"null", "scalar", "seq", "map"};
    QString s = QStringLiteral("%1@%2").arg(QLatin1String(kinds[n.kind])).arg(n.line);
    if (n.kind == YNode::Scalar || n.kind == YNode::Null)
        s += (n.plain ? QStringLiteral("[") : QStringLiteral("'[")) + n.text + QStringLiteral("]");
    if (!n.items.empty()) {
        QStringList items;
        for (const YNode &i : n.items)
            items << dump(i);
        s += QStringLiteral("(") + items.join(QStringLiteral(" ")) + QStringLiteral(")");
    }
    return s;
}

QString viaEvents(const QByteArray &text)
{
    YNode n;
    int line = 0;
    QString err;
    if (!parseYamlEvents(text, &n, &line, &err))
        return QStringLiteral("error %1: %2").arg(line).arg(err);
    return dump(n);
}

} // namespace

class TestYaml : public QObject
{
    Q_OBJECT

private slots:
    void fastPathMakesLibyamlsTree_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("flow") << QByteArray("package:\n  name: p\n  with:\n    seed: {type: int, value: 1}\n"
                                            "  tasks:\n  - name: a\n    run: ./sim +seed=${{ seed }} # comment\n"
                                            "    needs: [b, 'c d', \"e\"]\n  - name: b\n    run: |\n      echo one\n\n"
                                            "        indented # not a comment\n      echo 'two'\n# a comment\n"
                                            "  - name: c d\n    run: |-\n      no newline\n    tags: []\n    with: {}\n");
        QTest::newRow("indentless sequence") << QByteArray("a:\n- x\n- y: 1\n  z: 2\nb: 'it''s'\n");
        QTest::newRow("nested sequences") << QByteArray("- - a\n  - b\n-\n  - c\n- [x, [y, z], {k: v}]\n");
        QTest::newRow("null and plain scalars") << QByteArray("a: ~\nb: null\nc: http://host:80/x\nd: -1\ne: a#b\n"
                                                              "f: echo [a] {b}\n");
        QTest::newRow("literal at the end without a blank line") << QByteArray("run: |\n  echo\n");
        QTest::newRow("root indented, comments first") << QByteArray("# top\n\n  a: 1\n  b:\n    - 2\n");
        QTest::newRow("empty document") << QByteArray("# nothing\n\n");
    }

    void fastPathMakesLibyamlsTree()
    {
        QFETCH(QByteArray, text);
        YNode fast;
        QVERIFY2(parseYamlFast(text, &fast), "the fast path declined");
        QCOMPARE(dump(fast), viaEvents(text));
    }

    void literalBlockKeepsItsLines()
    {
        YNode n;
        QVERIFY(parseYamlFast("run: |\n  a\n\n    b\n  c\nnext: 1\n", &n));
        QCOMPARE(n.value(0).text, QStringLiteral("a\n\n  b\nc\n"));
        QCOMPARE(n.value(0).plain, false);
        QCOMPARE(n.value(0).line, 1);
        QCOMPARE(n.value(1).line, 6);
    }

    void everythingElseIsLeftToLibyaml_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("anchor and alias") << QByteArray("a: &x 1\nb: *x\n");
        QTest::newRow("tag") << QByteArray("a: !!str 1\n");
        QTest::newRow("folded block") << QByteArray("a: >\n  x\n  y\n");
        QTest::newRow("kept block") << QByteArray("a: |+\n  x\n\n");
        QTest::newRow("indentation indicator") << QByteArray("a: |2\n   x\n");
        QTest::newRow("multi-line plain") << QByteArray("a: one\n  two\n");
        QTest::newRow("multi-line quoted") << QByteArray("a: 'one\n  two'\n");
        QTest::newRow("escape") << QByteArray("a: \"x\\ty\"\n");
        QTest::newRow("tab") << QByteArray("a:\t1\n");
        QTest::newRow("non-ASCII") << QByteArray("a: caf\xc3\xa9\n");
        QTest::newRow("carriage return") << QByteArray("a: 1\r\n");
        QTest::newRow("empty value") << QByteArray("a:\nb: 1\n");
        QTest::newRow("document marker") << QByteArray("---\na: 1\n");
        QTest::newRow("flow over two lines") << QByteArray("a: [1,\n  2]\n");
        QTest::newRow("quoted key") << QByteArray("'a': 1\n");
        QTest::newRow("not YAML") << QByteArray("a: [1\n");
        QTest::newRow("bad indentation") << QByteArray("a:\n    b: 1\n  c: 2\n");
        QTest::newRow("two values") << QByteArray("a: b: c\n");
    }

    void everythingElseIsLeftToLibyaml()
    {
        QFETCH(QByteArray, text);
        YNode fast;
        fast.text = QStringLiteral("untouched");
        QVERIFY(!parseYamlFast(text, &fast));
        QCOMPARE(fast.text, QStringLiteral("untouched"));
        YNode n;
        int line = 0;
        QString err;
        const bool ok = parseYaml(text, &n, &line, &err);
        QCOMPARE(ok ? dump(n) : QStringLiteral("error %1: %2").arg(line).arg(err), viaEvents(text));
    }

    void libyamlsErrorsAreKept()
    {
        YNode n;
        int line = 0;
        QString err;
        QVERIFY(!parseYaml("a: b: c\n", &n, &line, &err));
        QCOMPARE(line, 1);
        QCOMPARE(err, QStringLiteral("mapping values are not allowed in this context"));
    }
};

QTEST_APPLESS_MAIN(TestYaml)
#include "tst_yaml.moc"
