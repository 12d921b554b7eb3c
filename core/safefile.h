#pragma once
// Files in directories we own, never written through a link: the daemon's
// state, its secret and its logs live in <project>/.dfm, which another user
// on the machine may have prepared. Every write is checked (a full disk is an
// error, never an empty file), and the directory itself must be ours.

#include <QByteArray>
#include <QString>

#include <sys/types.h>

namespace dfm {

/// Replaces `path` with `data` atomically: a fresh temporary file beside it
/// (O_EXCL), every write and the close checked, mode `mode`, then rename()
/// over `path`. A symlink at `path` is replaced, never followed. On failure
/// nothing is left behind and *err says why ("cannot write /p/x: No space
/// left on device").
///
/// No fsync(): everything written this way describes a live daemon (its
/// state file, its worker token) or is a cache (execution records), so it
/// is worth nothing after a crash of the machine, and its readers take an
/// unreadable file for a stale one. Waiting for the disk cost `dfm daemon
/// start` 1 ms per file on a quiet machine and 8 to 30 ms under I/O load.
bool writeFileAtomic(const QString &path, const QByteArray &data, mode_t mode, QString *err);

/// Opens (creating, mode 0600) a file for writing without following a
/// symlink, and checks that it is a regular file owned by us. `append`
/// keeps its contents, else they are truncated. Returns the descriptor
/// (close-on-exec), or -1 with *err ("refusing to write /p/x: it is a
/// symbolic link; remove it").
int openPrivateFile(const QString &path, bool append, QString *err);

/// Creates (if needed) a fresh regular file at `path` for another program
/// to write by name (a worker's log): whatever was there, a symlink
/// included, is removed first, so the name then refers to our new file.
/// Only for paths inside a directory checkPrivateDir() accepted.
bool resetPrivateFile(const QString &path, QString *err);

/// Accepts a directory only if it is a real directory (not a symlink) owned
/// by us and not writable by group or others. *err says what is wrong and
/// how to fix it ("... is writable by others (mode 0777); run `chmod 700
/// /p/.dfm`").
bool checkPrivateDir(const QString &dir, QString *err);

/// Accepts an existing file only if it is not a symlink, is owned by us and,
/// when `socket` is set, is a Unix socket (else a regular file).
bool checkOwnedFile(const QString &path, bool socket, QString *err);

} // namespace dfm
