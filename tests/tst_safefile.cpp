// safefile: nothing is written through a link, a directory must be ours
// alone, and a full disk is an error, never an empty file.

#include "projectpaths.h"
#include "safefile.h"
#include "statefile.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace dfm;

namespace {

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

void put(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(data), data.size());
}

// A tiny tmpfs at `dir`, filled to the last byte. False when this process
// may not mount (not root, or in a restricted container).
bool mountFullTmpfs(const QString &dir)
{
    if (::mount("tmpfs", QFile::encodeName(dir).constData(), "tmpfs", 0, "size=64k,mode=0700") != 0)
        return false;
    QFile filler(dir + QStringLiteral("/filler"));
    if (!filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return false;
    const QByteArray block(4096, 'f');
    while (filler.write(block) == block.size()) {
    }
    return true;
}

} // namespace

class TestSafeFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void atomicWriteReplacesASymlinkInsteadOfFollowingIt()
    {
        QTemporaryDir d;
        const QString victim = d.filePath(QStringLiteral("victim"));
        const QString path = d.filePath(QStringLiteral("worker.token"));
        put(victim, "keep");
        QVERIFY(QFile::link(victim, path));
        QString err;
        QVERIFY2(writeFileAtomic(path, "secret", 0600, &err), qPrintable(err));
        QCOMPARE(contents(victim), QByteArray("keep"));
        QCOMPARE(contents(path), QByteArray("secret"));
        QVERIFY(!QFileInfo(path).isSymLink());
        QCOMPARE(QFileInfo(path).permissions() & 0x7777, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
        // Nothing else is left beside it.
        QCOMPARE(QDir(d.path()).entryList(QDir::Files).size(), 2);
    }

    void stateFileIsNotWrittenThroughASymlink()
    {
        QTemporaryDir d;
        const QString victim = d.filePath(QStringLiteral("victim"));
        const QString path = d.filePath(QStringLiteral("daemon.json"));
        put(victim, "keep");
        QVERIFY(QFile::link(victim, path));
        DaemonState s;
        s.pid = 7;
        s.socket = QStringLiteral("/s");
        QString err;
        QVERIFY(writeState(path, s, &err));
        QCOMPARE(contents(victim), QByteArray("keep"));
        DaemonState r;
        QCOMPARE(readState(path, &r, &err), StateRead::Ok);
        QCOMPARE(r.pid, 7);
    }

    void privateFileRefusesASymlink()
    {
        QTemporaryDir d;
        const QString victim = d.filePath(QStringLiteral("victim"));
        const QString path = d.filePath(QStringLiteral("daemon.log"));
        put(victim, "keep");
        QVERIFY(QFile::link(victim, path));
        QString err;
        QCOMPARE(openPrivateFile(path, true, &err), -1);
        QCOMPARE(err, QStringLiteral("refusing to write %1: it is a symbolic link; remove it").arg(path));
        QCOMPARE(contents(victim), QByteArray("keep"));
    }

    void resetReplacesAPlantedLinkWithAFreshFile()
    {
        QTemporaryDir d;
        const QString victim = d.filePath(QStringLiteral("victim"));
        const QString path = d.filePath(QStringLiteral("w1.log"));
        put(victim, "keep");
        QVERIFY(QFile::link(victim, path));
        QString err;
        QVERIFY2(resetPrivateFile(path, &err), qPrintable(err));
        QVERIFY(!QFileInfo(path).isSymLink());
        QCOMPARE(QFileInfo(path).size(), 0);
        QCOMPARE(contents(victim), QByteArray("keep"));
    }

    void dirWritableByOthersIsRefusedWithTheFix()
    {
        QTemporaryDir d;
        const QString dir = d.filePath(QStringLiteral(".dfm"));
        QVERIFY(QDir().mkdir(dir));
        QCOMPARE(::chmod(QFile::encodeName(dir).constData(), 0777), 0);
        QString err;
        QVERIFY(!checkPrivateDir(dir, &err));
        QCOMPARE(err, QStringLiteral("refusing to use %1: it is writable by others (mode 0777), so others could "
                                     "plant files in it; run `chmod 700 %1`").arg(dir));
        QCOMPARE(::chmod(QFile::encodeName(dir).constData(), 0700), 0);
        QVERIFY(checkPrivateDir(dir, &err));
    }

    void symlinkedDirIsRefused()
    {
        QTemporaryDir d;
        QVERIFY(QDir().mkdir(d.filePath(QStringLiteral("elsewhere"))));
        const QString dir = d.filePath(QStringLiteral(".dfm"));
        QVERIFY(QFile::link(d.filePath(QStringLiteral("elsewhere")), dir));
        const ProjectPaths p = ProjectPaths::forRoot(d.path());
        QString err;
        QVERIFY(!ensureDfmDir(p, &err));
        QVERIFY2(err.startsWith(QStringLiteral("refusing to use %1: it is a symbolic link").arg(dir)), qPrintable(err));
    }

    void dirOfAnotherUserIsRefused()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to give a directory to another user");
        QTemporaryDir d;
        const ProjectPaths p = ProjectPaths::forRoot(d.path());
        QVERIFY(QDir().mkdir(p.dfmDir));
        QCOMPARE(::chown(QFile::encodeName(p.dfmDir).constData(), 65534, 65534), 0);
        QString err;
        QVERIFY(!ensureDfmDir(p, &err));
        QCOMPARE(err, QStringLiteral("refusing to use %1: it belongs to uid 65534, not to you (uid 0), so its "
                                     "owner could plant files in it; remove it (`rm -rf %1`) or ask its owner to")
                          .arg(p.dfmDir));
    }

    void fullDiskIsAnErrorAndLeavesNothing()
    {
        QTemporaryDir d;
        const QString dir = d.filePath(QStringLiteral("full"));
        QVERIFY(QDir().mkdir(dir));
        if (!mountFullTmpfs(dir))
            QSKIP("cannot mount a tmpfs here (needs root outside a restricted container)");
        auto unmount = qScopeGuard([&] { ::umount2(QFile::encodeName(dir).constData(), MNT_DETACH); });
        const QString path = dir + QStringLiteral("/worker.token");
        QString err;
        QVERIFY(!writeFileAtomic(path, QByteArray(64, 't'), 0600, &err));
        QCOMPARE(err, QStringLiteral("cannot write %1: No space left on device").arg(path));
        QCOMPARE(QDir(dir).entryList(QDir::Files), QStringList{QStringLiteral("filler")});
        DaemonState s;
        s.pid = 1;
        s.socket = QStringLiteral("/p/.dfm/daemon.sock");
        QVERIFY(!writeState(dir + QStringLiteral("/daemon.json"), s, &err));
        QCOMPARE(err, QStringLiteral("cannot write %1/daemon.json: No space left on device").arg(dir));
        QCOMPARE(QDir(dir).entryList(QDir::Files), QStringList{QStringLiteral("filler")});
    }
};

QTEST_GUILESS_MAIN(TestSafeFile)
#include "tst_safefile.moc"
