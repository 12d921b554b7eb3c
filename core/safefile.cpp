#include "safefile.h"

#include "format.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dfm {

namespace {

// Writes all of `data`, retrying short writes. False with errno set.
bool writeAll(int fd, const QByteArray &data)
{
    const char *p = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += n;
        left -= n;
    }
    return true;
}

QString modeText(mode_t m) { return QStringLiteral("0%1").arg(m & 07777, 0, 8); }

} // namespace

bool writeFileAtomic(const QString &path, const QByteArray &data, mode_t mode, QString *err)
{
    QByteArray tmp = QFile::encodeName(path) + ".tmp.XXXXXX";
    const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) {
        *err = QStringLiteral("cannot write %1: %2").arg(path, fmt::errnoText(errno));
        return false;
    }
    auto fail = [&](int e) {
        ::close(fd);
        ::unlink(tmp.constData());
        *err = QStringLiteral("cannot write %1: %2").arg(path, fmt::errnoText(e));
        return false;
    };
    if (::fchmod(fd, mode) != 0)
        return fail(errno);
    if (!writeAll(fd, data))
        return fail(errno);
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(tmp.constData());
        *err = QStringLiteral("cannot write %1: %2").arg(path, fmt::errnoText(e));
        return false;
    }
    if (::rename(tmp.constData(), QFile::encodeName(path).constData()) != 0) {
        const int e = errno;
        ::unlink(tmp.constData());
        *err = QStringLiteral("cannot write %1: %2").arg(path, fmt::errnoText(e));
        return false;
    }
    return true;
}

int openPrivateFile(const QString &path, bool append, QString *err)
{
    const int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (append ? O_APPEND : 0);
    const int fd = ::open(QFile::encodeName(path).constData(), flags, 0600);
    if (fd < 0) {
        if (errno == ELOOP)
            *err = QStringLiteral("refusing to write %1: it is a symbolic link; remove it").arg(path);
        else
            *err = QStringLiteral("cannot open %1: %2").arg(path, fmt::errnoText(errno));
        return -1;
    }
    struct stat sb;
    if (::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != ::geteuid()) {
        *err = S_ISREG(sb.st_mode)
                   ? QStringLiteral("refusing to write %1: it belongs to uid %2, not to you (uid %3); remove it")
                         .arg(path).arg(sb.st_uid).arg(::geteuid())
                   : QStringLiteral("refusing to write %1: it is not a regular file; remove it").arg(path);
        ::close(fd);
        return -1;
    }
    if (!append && ::ftruncate(fd, 0) != 0) {
        *err = QStringLiteral("cannot truncate %1: %2").arg(path, fmt::errnoText(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

bool resetPrivateFile(const QString &path, QString *err)
{
    const QByteArray file = QFile::encodeName(path);
    if (::unlink(file.constData()) != 0 && errno != ENOENT) {
        *err = QStringLiteral("cannot replace %1: %2").arg(path, fmt::errnoText(errno));
        return false;
    }
    const int fd = ::open(file.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        *err = QStringLiteral("cannot create %1: %2").arg(path, fmt::errnoText(errno));
        return false;
    }
    ::close(fd); // nothing written: an error here loses no data
    return true;
}

bool checkPrivateDir(const QString &dir, QString *err)
{
    struct stat sb;
    if (::lstat(QFile::encodeName(dir).constData(), &sb) != 0) {
        *err = QStringLiteral("cannot use %1: %2").arg(dir, fmt::errnoText(errno));
        return false;
    }
    if (S_ISLNK(sb.st_mode)) {
        *err = QStringLiteral("refusing to use %1: it is a symbolic link; remove it (`rm %1`) and "
                              "dfm creates a private directory").arg(dir);
        return false;
    }
    if (!S_ISDIR(sb.st_mode)) {
        *err = QStringLiteral("refusing to use %1: it is not a directory; remove it").arg(dir);
        return false;
    }
    if (sb.st_uid != ::geteuid()) {
        *err = QStringLiteral("refusing to use %1: it belongs to uid %2, not to you (uid %3), so its owner "
                              "could plant files in it; remove it (`rm -rf %1`) or ask its owner to")
                   .arg(dir).arg(sb.st_uid).arg(::geteuid());
        return false;
    }
    if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
        *err = QStringLiteral("refusing to use %1: it is writable by %2 (mode %3), so others could plant "
                              "files in it; run `chmod 700 %1`")
                   .arg(dir, (sb.st_mode & S_IWOTH) ? QStringLiteral("others") : QStringLiteral("its group"),
                        modeText(sb.st_mode));
        return false;
    }
    return true;
}

bool checkOwnedFile(const QString &path, bool socket, QString *err)
{
    struct stat sb;
    if (::lstat(QFile::encodeName(path).constData(), &sb) != 0) {
        *err = QStringLiteral("cannot use %1: %2").arg(path, fmt::errnoText(errno));
        return false;
    }
    if (S_ISLNK(sb.st_mode)) {
        *err = QStringLiteral("refusing to use %1: it is a symbolic link").arg(path);
        return false;
    }
    if (socket ? !S_ISSOCK(sb.st_mode) : !S_ISREG(sb.st_mode)) {
        *err = QStringLiteral("refusing to use %1: it is not a %2").arg(path, socket ? QStringLiteral("socket") : QStringLiteral("regular file"));
        return false;
    }
    if (sb.st_uid != ::geteuid()) {
        *err = QStringLiteral("refusing to use %1: it belongs to uid %2, not to you (uid %3)")
                   .arg(path).arg(sb.st_uid).arg(::geteuid());
        return false;
    }
    return true;
}

} // namespace dfm
