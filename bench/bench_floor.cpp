// What this machine itself charges for the steps every dispatched task needs,
// measured with no dfm, no Qt and no event loop: the floor under issue 11's
// per-task rows, run in the same invocation as the rows (docs/performance.md,
// "What the machine allows"). One JSON line per mode on stdout.
//
//   bench_floor wake N        two processes pass one byte back and forth
//                             over a Unix socket, each blocking in ppoll()
//                             as an event loop does, idle 1 ms between
//                             rounds (as while a task runs): CPU per wake-up
//                             (write + ppoll + read) and the latency of one
//                             hop, p50 and p99
//   bench_floor files N DIR   the files a worker must make and read per
//                             task, as the Python dfm stages them: mkdir,
//                             two small JSON files, four empty files, the
//                             log, then five lstat()s; CPU per task
//   bench_floor spawn N       posix_spawn of /bin/bash -c true and
//                             waitpid(): the parent's CPU per task, and the
//                             child's
//   bench_floor fault N       CPU per page fault (fresh anonymous pages)
//   bench_floor syscall N     CPU per system call (getppid)

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

double nowUs()
{
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return double(t.tv_sec) * 1e6 + double(t.tv_nsec) / 1e3;
}

double cpuUs(int who)
{
    rusage r{};
    getrusage(who, &r);
    return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + double(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

[[noreturn]] void die(const char *what)
{
    std::fprintf(stderr, "bench_floor: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

bool waitReadable(int fd)
{
    pollfd p{fd, POLLIN, 0};
    return ppoll(&p, 1, nullptr, nullptr) == 1;
}

int wake(int n)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        die("socketpair");
    const pid_t pid = fork();
    if (pid < 0)
        die("fork");
    char c = 'x';
    if (pid == 0) {
        const double c0 = cpuUs(RUSAGE_SELF);
        for (int i = 0; i < n; ++i) {
            if (!waitReadable(sv[1]) || read(sv[1], &c, 1) != 1 || write(sv[1], &c, 1) != 1)
                _exit(1);
        }
        const double per = (cpuUs(RUSAGE_SELF) - c0) / n; // the echoing side: one wake-up per round
        _exit(write(sv[1], &per, sizeof per) == sizeof per ? 0 : 1);
    }
    std::vector<double> hop;
    hop.reserve(size_t(n));
    for (int i = 0; i < n; ++i) {
        usleep(1000); // both sides idle, as while a task runs
        const double t0 = nowUs();
        if (write(sv[0], &c, 1) != 1 || !waitReadable(sv[0]) || read(sv[0], &c, 1) != 1)
            die("ping-pong");
        hop.push_back((nowUs() - t0) / 2);
    }
    double perWake = 0;
    if (!waitReadable(sv[0]) || read(sv[0], &perWake, sizeof perWake) != sizeof perWake)
        die("the echoing side's figure");
    int status = 0;
    waitpid(pid, &status, 0);
    std::printf("{\"mode\":\"wake\",\"rounds\":%d,\"cpu_us_per_wake\":%.2f,\"hop_p50_us\":%.1f,\"hop_p99_us\":%.1f}\n", n,
                perWake, percentile(hop, 0.5), percentile(hop, 0.99));
    return 0;
}

void writeFile(const std::string &path, const char *text)
{
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        die(path.c_str());
    const size_t len = std::strlen(text);
    if (len && write(fd, text, len) != ssize_t(len))
        die(path.c_str());
    close(fd);
}

int files(int n, const std::string &dir)
{
    static const char *const empty[] = {"dfm.output.jsonl", "dfm.env", "dfm.path", "dfm.markers.jsonl"};
    static const char *const harvested[] = {"dfm.output.jsonl", "dfm.env", "dfm.path", "dfm.markers.jsonl",
                                            "dfm.memento.out.json"};
    const double c0 = cpuUs(RUSAGE_SELF);
    for (int i = 0; i < n; ++i) {
        const std::string rundir = dir + "/line-" + std::to_string(i);
        if (mkdir(rundir.c_str(), 0777) != 0)
            die(rundir.c_str());
        writeFile(rundir + "/dfm.params.json", "{\n}\n");
        writeFile(rundir + "/dfm.inputs.json", "[\n]\n");
        for (const char *f : empty) {
            if (mknod((rundir + "/" + f).c_str(), S_IFREG | 0644, 0) != 0)
                die(f);
        }
        const int log = open((rundir + "/line.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (log < 0)
            die("log");
        close(log);
        struct stat st;
        for (const char *f : harvested)
            lstat((rundir + "/" + f).c_str(), &st);
    }
    std::printf("{\"mode\":\"files\",\"tasks\":%d,\"cpu_us_per_task\":%.2f}\n", n, (cpuUs(RUSAGE_SELF) - c0) / n);
    return 0;
}

int spawn(int n)
{
    char bash[] = "/bin/bash", dashC[] = "-c", body[] = "true";
    char *argv[] = {bash, dashC, body, nullptr};
    const double self0 = cpuUs(RUSAGE_SELF), child0 = cpuUs(RUSAGE_CHILDREN);
    for (int i = 0; i < n; ++i) {
        pid_t pid = 0;
        if (posix_spawn(&pid, bash, nullptr, nullptr, argv, environ) != 0)
            die("posix_spawn");
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    std::printf("{\"mode\":\"spawn\",\"tasks\":%d,\"parent_cpu_us_per_task\":%.2f,\"child_cpu_us_per_task\":%.1f}\n", n,
                (cpuUs(RUSAGE_SELF) - self0) / n, (cpuUs(RUSAGE_CHILDREN) - child0) / n);
    return 0;
}

int fault(int n)
{
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    auto *p = static_cast<char *>(mmap(nullptr, page * size_t(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p == MAP_FAILED)
        die("mmap");
    madvise(p, page * size_t(n), MADV_NOHUGEPAGE); // one fault per page, as a fresh heap page takes
    const double c0 = cpuUs(RUSAGE_SELF);
    for (int i = 0; i < n; ++i)
        p[size_t(i) * page] = 1;
    std::printf("{\"mode\":\"fault\",\"pages\":%d,\"cpu_us_per_fault\":%.3f}\n", n, (cpuUs(RUSAGE_SELF) - c0) / n);
    return 0;
}

int sysc(int n)
{
    const double c0 = cpuUs(RUSAGE_SELF);
    for (int i = 0; i < n; ++i)
        syscall(SYS_getppid);
    std::printf("{\"mode\":\"syscall\",\"calls\":%d,\"cpu_us_per_call\":%.3f}\n", n, (cpuUs(RUSAGE_SELF) - c0) / n);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string mode = argc > 1 ? argv[1] : "";
    const int n = argc > 2 ? std::atoi(argv[2]) : 0;
    if (n > 0 && mode == "wake" && argc == 3)
        return wake(n);
    if (n > 0 && mode == "files" && argc == 4)
        return files(n, argv[3]);
    if (n > 0 && mode == "spawn" && argc == 3)
        return spawn(n);
    if (n > 0 && mode == "fault" && argc == 3)
        return fault(n);
    if (n > 0 && mode == "syscall" && argc == 3)
        return sysc(n);
    std::fprintf(stderr, "usage: bench_floor wake N | files N DIR | spawn N | fault N | syscall N\n");
    return 2;
}
