// The environment a shell task's execve() gets (core/execenv): the worker's
// own, then std.Env inputs, then `env`, then the task variables, each name
// once; checked on a made-up worker environment, without a process.

#include "execenv.h"
#include "taskenv.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

using namespace dfm;

namespace {

/// The values of each name in `envp`, in order (more than one is a bug).
QMap<QString, QStringList> variables(char *const *envp)
{
    QMap<QString, QStringList> vars;
    for (char *const *e = envp; *e; ++e) {
        const QString entry = QString::fromLocal8Bit(*e);
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        vars[entry.left(eq)].append(entry.mid(eq + 1));
    }
    return vars;
}

/// A worker environment as `environ` holds it.
struct FakeEnviron {
    explicit FakeEnviron(const QList<QByteArray> &entries) : texts(entries)
    {
        for (QByteArray &t : texts)
            pointers.push_back(t.data());
        pointers.push_back(nullptr);
    }
    QList<QByteArray> texts;
    std::vector<char *> pointers;
};

proto::TaskSpec spec()
{
    proto::TaskSpec s;
    s.name = QStringLiteral("pkg.t");
    s.srcdir = QStringLiteral("/src");
    return s;
}

} // namespace

class TstExecEnv : public QObject {
    Q_OBJECT
private slots:
    void taskVariablesFollowTheWorkersEnvironment()
    {
        FakeEnviron sys({"PATH=/bin", "HOME=/h\xc3\xa9"});
        const BaseEnvironment base(sys.pointers.data());
        const proto::TaskSpec s = spec();
        const TaskEnvironment env(base, s, QStringLiteral("/run/t"));
        QCOMPARE(QByteArray(env.envp()[0]), QByteArray("PATH=/bin"));
        QCOMPARE(QByteArray(env.envp()[1]), QByteArray("HOME=/h\xc3\xa9"));
        const QMap<QString, QStringList> vars = variables(env.envp());
        const QHash<QString, QString> expected = taskenv::taskVariables(s, QStringLiteral("/run/t"));
        QCOMPARE(vars.size(), 2 + expected.size());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QCOMPARE(vars.value(it.key()), QStringList{it.value()});
    }

    void theTaskReplacesTheWorkersVariablesOfTheSameName()
    {
        FakeEnviron sys({"PATH=/bin", "DFM_RUNDIR=/old", "E=worker", "DUP=first", "DUP=second",
                         "=nameless", "noequals", "DFM_PARAM_X=kept"});
        const BaseEnvironment base(sys.pointers.data());
        QVERIFY(base.hasTaskVariableNames());
        proto::TaskSpec s = spec();
        s.env = QJsonObject{{"E", "task"}, {"DFM_TASK_NAME", "from env"}, {"NEW", "n"}, {"NUM", 3}};
        s.params = QJsonObject{{"a", 1}, {"A", 2}, {"b", QJsonArray{1, "x"}}};
        const TaskEnvironment env(base, s, QStringLiteral("/r"));
        const QMap<QString, QStringList> vars = variables(env.envp());
        for (auto it = vars.cbegin(); it != vars.cend(); ++it)
            QVERIFY2(it.value().size() == 1, qPrintable(it.key() + QStringLiteral(" is set twice")));
        QCOMPARE(vars.value("PATH"), QStringList{"/bin"});
        QCOMPARE(vars.value("DUP"), QStringList{"first"}); // as getenv() saw it
        QCOMPARE(vars.value("E"), QStringList{"task"});
        QCOMPARE(vars.value("NEW"), QStringList{"n"});
        QCOMPARE(vars.value("NUM"), QStringList{""}); // env values are strings
        QCOMPARE(vars.value("DFM_RUNDIR"), QStringList{"/r"});
        QCOMPARE(vars.value("DFM_TASK_NAME"), QStringList{"pkg.t"}); // the variable wins over env
        QCOMPARE(vars.value("DFM_PARAM_X"), QStringList{"kept"}); // no parameter x
        const QHash<QString, QString> expected = taskenv::taskVariables(s, QStringLiteral("/r"));
        QCOMPARE(vars.value("DFM_PARAM_A"), QStringList{expected.value("DFM_PARAM_A")});
        QCOMPARE(vars.value("DFM_PARAM_B"), QStringList{"[1,\"x\"]"});
        QVERIFY(!vars.contains(QString()));
        QVERIFY(!vars.contains("noequals"));
        QCOMPARE(vars.size(), expected.size() + 6); // and PATH, E, DUP, DFM_PARAM_X, NEW, NUM
    }

    void stdEnvInputsAreMergedUnderEnv()
    {
        FakeEnviron sys({"PATH=/bin", "K=1", "KEEP=k"});
        const BaseEnvironment base(sys.pointers.data());
        QVERIFY(!base.hasTaskVariableNames());
        proto::TaskSpec s = spec();
        s.inputs = QJsonArray{QJsonObject{{"type", "std.Env"},
                                          {"vals", QJsonObject{{"K", "2"}, {"V", "v"}}},
                                          {"append_path", QJsonObject{{"PATH", "/x"}}}}};
        s.env = QJsonObject{{"K", "3"}};
        const TaskEnvironment env(base, s, QStringLiteral("/r"));
        const QMap<QString, QStringList> vars = variables(env.envp());
        QCOMPARE(vars.value("PATH"), QStringList{"/bin:/x"});
        QCOMPARE(vars.value("K"), QStringList{"3"});
        QCOMPARE(vars.value("V"), QStringList{"v"});
        QCOMPARE(vars.value("KEEP"), QStringList{"k"});
        QCOMPARE(vars.value("DFM_RUNDIR"), QStringList{"/r"});
    }
};

QTEST_APPLESS_MAIN(TstExecEnv)
#include "tst_execenv.moc"
