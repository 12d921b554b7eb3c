// A task's resources: the `resources` extension of task.submit, the pool
// class key it forms with resource_class, and resolution with the
// precedence of dv-flow's resource_tags.rst (class, then tag, then defaults).

#include "protocol.h"
#include "resources.h"

#include <QtTest>

using namespace dfm;

class TestResources : public QObject {
    Q_OBJECT

    static RunnerConfig config()
    {
        RunnerConfig c; // defaults: memory 1G, cores 1, walltime 1:00
        QString err;
        const bool ok = mergeRunnerConfigText(QStringLiteral("c.yaml"),
                                              QStringLiteral("runner:\n  resource_classes:\n"
                                                             "    large: { cores: 8, memory: 32G, resource_select: [\"mem>64000\"] }\n"),
                                              &c, &err);
        Q_ASSERT(ok);
        return c;
    }

private Q_SLOTS:
    void classKeyHoldsOnlyWhatTheTaskAsksFor()
    {
        ResourceRequest r;
        QCOMPARE(poolClassKey(QStringLiteral("large"), r), QStringLiteral("large"));
        r.cores = 4;
        r.walltime = QStringLiteral("4:00");
        QCOMPARE(poolClassKey(QString(), r), QStringLiteral("{cores=4,walltime=4:00}"));
        QString cls;
        ResourceRequest back;
        QVERIFY(splitPoolClassKey(QStringLiteral("large{cores=4,walltime=4:00}"), &cls, &back));
        QCOMPARE(cls, QStringLiteral("large"));
        QCOMPARE(back.cores, 4);
        QCOMPARE(back.walltime, QStringLiteral("4:00"));
    }

    void classWinsOverTheTagAndTheTagOverDefaults()
    {
        const RunnerConfig c = config();
        // Tag alone: its values, the rest from defaults.
        ResourceSpec r = resolveResources(c, QStringLiteral("{cores=4,queue=fast}"));
        QCOMPARE(r.cores, 4);
        QCOMPARE(r.memory, QStringLiteral("1G"));
        QCOMPARE(r.queue, QStringLiteral("fast"));
        QCOMPARE(r.walltime, QStringLiteral("1:00"));
        // Class with a tag: the class's cores and memory; the tag's walltime.
        r = resolveResources(c, QStringLiteral("large{cores=2,walltime=4:00}"));
        QCOMPARE(r.cores, 8);
        QCOMPARE(r.memory, QStringLiteral("32G"));
        QCOMPARE(r.walltime, QStringLiteral("4:00"));
        QCOMPARE(r.resourceSelect, QStringList{QStringLiteral("mem>64000")});
        QCOMPARE(resolveResources(c, QString()).cores, 1);
    }

    void submitCarriesResourcesIntoThePoolClass()
    {
        proto::TaskSpec s;
        QString err;
        QVERIFY(proto::parseTaskSpec({{QStringLiteral("request_id"), QStringLiteral("a")},
                                      {QStringLiteral("resource_class"), QStringLiteral("large")},
                                      {QStringLiteral("resources"), QJsonObject{{QStringLiteral("cores"), 8},
                                                                                {QStringLiteral("memory"), QStringLiteral("4G")}}}},
                                     &s, &err));
        QCOMPARE(s.resourceClass, QStringLiteral("large"));
        QCOMPARE(s.poolClass, QStringLiteral("large{cores=8,memory=4G}"));
        QVERIFY(proto::parseTaskSpec({{QStringLiteral("request_id"), QStringLiteral("a")}}, &s, &err));
        QCOMPARE(s.poolClass, QString());
    }

    void badResourcesAreRefusedNamingTheField()
    {
        auto error = [](const QJsonValue &res) {
            proto::TaskSpec s;
            QString err;
            return proto::parseTaskSpec({{QStringLiteral("request_id"), QStringLiteral("a")}, {QStringLiteral("resources"), res}},
                                        &s, &err)
                       ? QString()
                       : err;
        };
        QCOMPARE(error(QStringLiteral("big")),
                 QStringLiteral("task: field 'resources' must be an object {cores, memory, queue, walltime}"));
        QCOMPARE(error(QJsonObject{{QStringLiteral("cores"), 0}}), QStringLiteral("task: resources.cores must be a positive integer"));
        QCOMPARE(error(QJsonObject{{QStringLiteral("memory"), QStringLiteral("lots")}}),
                 QStringLiteral("task: resources.memory: expected a size such as 512M or 4G, got 'lots'"));
        QCOMPARE(error(QJsonObject{{QStringLiteral("gpus"), 1}}),
                 QStringLiteral("task: resources: unknown field 'gpus' (known: cores, memory, queue, walltime)"));
        QCOMPARE(error(QJsonObject{{QStringLiteral("queue"), QStringLiteral("a,b")}}),
                 QStringLiteral("task: resources.queue: 'a,b' may not contain spaces, braces, commas or '='"));
    }
};

QTEST_APPLESS_MAIN(TestResources)
#include "tst_resources.moc"
