// The engine's table of outstanding tasks (daemon/tasktable.h): keys that
// go stale when a slot is reused, the (owner, request_id) index under
// churn, owners that go away, and what each task gives back.

#include "tasktable.h"
#include "wirelines.h"

#include <QRandomGenerator>
#include <QtTest>

#include <map>

using namespace dfm;

namespace {

QByteArray paramsOf(const QString &body)
{
    return proto::encodeTaskExecuteParams({{QStringLiteral("body"), body}});
}

TaskKey add(TaskTable &t, quint64 owner, const QString &rid, const QJsonValue &tag = {})
{
    return t.add(owner, rid, rid, QString(), paramsOf(QStringLiteral("true")), tag, false);
}

} // namespace

class TestTaskTable : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aTaskGivesBackWhatItWasGiven()
    {
        TaskTable t;
        const QJsonObject raw{{QStringLiteral("body"), QStringLiteral("echo \u00e9")},
                              {QStringLiteral("request_id"), QStringLiteral("r\u00e9")}};
        const TaskKey k = t.add(7, QStringLiteral("r\u00e9"), QStringLiteral("my name"), QStringLiteral("gpu"),
                                proto::encodeTaskExecuteParams(raw), QJsonValue(QStringLiteral("s-1")), true);
        QVERIFY(k);
        QCOMPARE(t.size(), size_t(1));
        QCOMPARE(t.requestId(k), QStringLiteral("r\u00e9"));
        QCOMPARE(t.name(k), QStringLiteral("my name"));
        QCOMPARE(t.resourceClass(k), QStringLiteral("gpu"));
        QCOMPARE(t.tag(k), QJsonValue(QStringLiteral("s-1")));
        QVERIFY(t.hasRequestId(k, QStringLiteral("r\u00e9").toUtf8()));
        QVERIFY(!t.hasRequestId(k, "r"));
        QCOMPARE(t.executeLine(k), proto::encodeTaskExecute(raw, QStringLiteral("r\u00e9"), QStringLiteral("my name")));
        QCOMPARE(t.find(k)->owner, quint64(7));
        QVERIFY(t.find(k)->notifyStarted);
        QCOMPARE(t.find(7, QStringLiteral("r\u00e9")), k);
    }

    void tagsComeBackAsTheyWere()
    {
        TaskTable t;
        const QList<QJsonValue> tags{QJsonValue(), QJsonValue(QJsonValue::Null), QJsonValue(42),
                                     QJsonValue(qint64(1) << 60), QJsonValue(-3), QJsonValue(1.5),
                                     QJsonValue(true), QJsonValue(QStringLiteral("x"))};
        for (int i = 0; i < tags.size(); ++i) {
            const TaskKey k = add(t, 1, QString::number(i), tags[i]);
            QCOMPARE(t.tag(k), tags[i]);
            QCOMPARE(t.tag(k).type(), tags[i].type());
        }
    }

    void aDuplicateRequestIdIsRefusedPerOwner()
    {
        TaskTable t;
        QVERIFY(add(t, 1, QStringLiteral("a")));
        QCOMPARE(add(t, 1, QStringLiteral("a")), TaskKey(0));
        QVERIFY(add(t, 2, QStringLiteral("a"))); // another owner's is another task
        QCOMPARE(t.size(), size_t(2));
    }

    void aRemovedTasksKeyFindsNothingEvenWhenItsSlotIsReused()
    {
        TaskTable t;
        const TaskKey a = add(t, 1, QStringLiteral("a"));
        t.remove(a);
        QVERIFY(!t.find(a));
        QCOMPARE(t.find(1, QStringLiteral("a")), TaskKey(0));
        const TaskKey b = add(t, 1, QStringLiteral("b"));
        QVERIFY(b != a);
        QVERIFY(!t.find(a));
        QCOMPARE(t.requestId(a), QString());
        QCOMPARE(t.requestId(b), QStringLiteral("b"));
        t.remove(a); // stale: nothing happens
        QCOMPARE(t.size(), size_t(1));
        // Nor after the table has given its memory back.
        t.releaseMemory(); // not while a task is left
        QVERIFY(t.slotCapacity() > 0);
        t.remove(b);
        t.releaseMemory();
        QCOMPARE(t.slotCapacity(), size_t(0));
        const TaskKey c = add(t, 1, QStringLiteral("c"));
        QVERIFY(c != a && c != b);
        QVERIFY(!t.find(a) && !t.find(b));
    }

    void disownReturnsTheOwnersTasksInSubmitOrderAndUnindexesThem()
    {
        TaskTable t;
        const TaskKey a = add(t, 1, QStringLiteral("a"));
        const TaskKey x = add(t, 2, QStringLiteral("x"));
        const TaskKey b = add(t, 1, QStringLiteral("b"));
        const TaskKey c = add(t, 1, QStringLiteral("c"));
        t.remove(b);
        QCOMPARE(t.disown(1), (std::vector<TaskKey>{a, c}));
        QCOMPARE(t.find(a)->owner, quint64(0));
        QCOMPARE(t.find(1, QStringLiteral("a")), TaskKey(0));
        QCOMPARE(t.find(2, QStringLiteral("x")), x);
        QVERIFY(t.disown(1).empty());
        t.remove(a);
        t.remove(c);
        QCOMPARE(t.size(), size_t(1));
        QCOMPARE(t.disown(2), std::vector<TaskKey>{x});
    }

    // Against a std::map model: adds, removes and disowns at random, with
    // request ids that collide across owners.
    void randomChurnMatchesAModel()
    {
        TaskTable t;
        std::map<std::pair<quint64, QString>, TaskKey> model;
        QRandomGenerator rng(11);
        for (int step = 0; step < 40000; ++step) {
            const int op = rng.bounded(10);
            const quint64 owner = 1 + rng.bounded(4);
            const QString rid = QStringLiteral("r%1").arg(rng.bounded(3000));
            if (op < 6) {
                const TaskKey k = add(t, owner, rid);
                const bool had = model.count({owner, rid}) > 0;
                QCOMPARE(k == 0, had);
                if (k)
                    model[{owner, rid}] = k;
            } else if (op < 9) {
                const auto it = model.find({owner, rid});
                if (it != model.end()) {
                    t.remove(it->second);
                    model.erase(it);
                }
            } else if (rng.bounded(50) == 0) {
                for (const TaskKey k : t.disown(owner))
                    t.remove(k);
                for (auto it = model.begin(); it != model.end();)
                    it = it->first.first == owner ? model.erase(it) : std::next(it);
            }
            if (step % 997 == 0) {
                QCOMPARE(t.size(), model.size());
                for (const auto &[id, key] : model) {
                    QCOMPARE(t.find(id.first, id.second), key);
                    QCOMPARE(t.requestId(key), id.second);
                }
            }
        }
        for (const auto &[id, key] : model)
            t.remove(key);
        QVERIFY(t.empty());
    }
};

QTEST_APPLESS_MAIN(TestTaskTable)
#include "tst_tasktable.moc"
