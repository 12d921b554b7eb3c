// The "direct" baseline of issue 11: the per-task work of a worker done by
// one lean process with no daemon. For each of N tasks it creates the
// rundir DIR/line-I, opens the log DIR/line-I/line-I.log, and spawns
// `/bin/bash -c true` with stdout and stderr in that log, P at a time.
// No Qt, no event loop: posix_spawn and waitpid. bench/run times the whole
// process, as it times `dfm run`.
//
//   bench_direct N P DIR
//
// Exits 0 when every task exited 0; prints why and exits 1 otherwise.

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

/// Starts task `i`; returns its pid, or -1 with the reason printed.
pid_t startTask(const std::string &dir, int i)
{
    const std::string name = "line-" + std::to_string(i);
    const std::string rundir = dir + "/" + name;
    if (mkdir(rundir.c_str(), 0755) != 0 && errno != EEXIST) {
        std::fprintf(stderr, "bench_direct: mkdir %s: %s\n", rundir.c_str(), std::strerror(errno));
        return -1;
    }
    const std::string log = rundir + "/" + name + ".log";
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        std::fprintf(stderr, "bench_direct: open %s: %s\n", log.c_str(), std::strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    posix_spawn_file_actions_adddup2(&fa, fd, 2);
    posix_spawn_file_actions_addchdir_np(&fa, rundir.c_str());
    char bash[] = "/bin/bash", dashC[] = "-c", body[] = "true";
    char *argv[] = {bash, dashC, body, nullptr};
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, bash, &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd);
    if (rc != 0) {
        std::fprintf(stderr, "bench_direct: spawn /bin/bash: %s\n", std::strerror(rc));
        return -1;
    }
    return pid;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: bench_direct N P DIR\n");
        return 2;
    }
    const int n = std::atoi(argv[1]);
    const int parallel = std::atoi(argv[2]);
    const std::string dir = argv[3];
    if (n <= 0 || parallel <= 0) {
        std::fprintf(stderr, "bench_direct: N and P must be positive\n");
        return 2;
    }
    int started = 0, running = 0, failed = 0;
    while (started < n || running > 0) {
        while (running < parallel && started < n) {
            if (startTask(dir, ++started) < 0)
                return 1;
            ++running;
        }
        int status = 0;
        if (waitpid(-1, &status, 0) < 0) {
            std::fprintf(stderr, "bench_direct: waitpid: %s\n", std::strerror(errno));
            return 1;
        }
        --running;
        failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    if (failed) {
        std::fprintf(stderr, "bench_direct: %d of %d tasks failed\n", failed, n);
        return 1;
    }
    return 0;
}
