// Data items between tasks: consumes filters inputs, passthrough forwards.

#include "flow/dataflow.h"

#include <QJsonObject>
#include <QtTest>

using namespace dfm::flow;

namespace {

QJsonObject item(const char *type, const char *src)
{
    return QJsonObject{{QStringLiteral("type"), QLatin1String(type)}, {QStringLiteral("src"), QLatin1String(src)}};
}

QStringList srcs(const QJsonArray &a)
{
    QStringList out;
    for (const QJsonValue &v : a)
        out << v.toObject().value(QLatin1String("src")).toString();
    return out;
}

const QJsonValue kAll = QStringLiteral("all"), kNone = QStringLiteral("none"), kUnused = QStringLiteral("unused");
const QJsonValue kFileSets = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")}}};

} // namespace

class TestDataflow : public QObject {
    Q_OBJECT

private slots:
    void inputsAreTheNeedsOutputsInNeedOrder()
    {
        // 0 and 1 produce; 2 needs both and consumes all.
        Dataflow d({kAll, kAll, kAll}, {kUnused, kUnused, kUnused}, {{}, {}, {1, 0}});
        d.finished(0, QJsonArray{item("std.FileSet", "a")}, true);
        d.finished(1, QJsonArray{item("std.Env", "b")}, false);
        QCOMPARE(srcs(d.inputsOf(2)), (QStringList{QStringLiteral("b"), QStringLiteral("a")}));
        QVERIFY(d.needsChanged(2));
    }

    void consumesFiltersAndUnusedPassesTheRestOn()
    {
        Dataflow d({kAll, kFileSets, kAll}, {kUnused, kUnused, kUnused}, {{}, {0}, {1}});
        d.finished(0, QJsonArray{item("std.FileSet", "fs"), item("std.Env", "env")}, true);
        QCOMPARE(srcs(d.inputsOf(1)), QStringList{QStringLiteral("fs")});
        d.finished(1, QJsonArray{item("std.FileSet", "own")}, true);
        // Its own output, then the input it did not consume.
        QCOMPARE(srcs(d.outputOf(1)), (QStringList{QStringLiteral("own"), QStringLiteral("env")}));
    }

    void passthroughAllNoneAndPatterns()
    {
        Dataflow d({kNone, kNone, kNone, kNone}, {kUnused, kAll, kNone, kFileSets}, {{}, {0}, {0}, {0}});
        d.finished(0, QJsonArray{item("std.FileSet", "fs"), item("std.Env", "env")}, false);
        QVERIFY(d.inputsOf(1).isEmpty());
        d.finished(1, {}, false);
        d.finished(2, {}, false);
        d.finished(3, {}, false);
        QCOMPARE(srcs(d.outputOf(1)), (QStringList{QStringLiteral("fs"), QStringLiteral("env")}));
        QVERIFY(d.outputOf(2).isEmpty());
        QCOMPARE(srcs(d.outputOf(3)), QStringList{QStringLiteral("fs")});
        QVERIFY(!d.needsChanged(1));
    }
};

QTEST_APPLESS_MAIN(TestDataflow)
#include "tst_dataflow.moc"
