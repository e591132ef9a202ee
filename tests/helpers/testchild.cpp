// SPDX-License-Identifier: MIT
// clustr-test-child: a small program for the supervision tests, without Qt so
// it starts fast. It performs its options in order, then exits with 0:
//
//   --print=TEXT      TEXT and a newline on stdout   --eprint=TEXT  ... on stderr
//   --write=TEXT      TEXT on stdout, "\n" in TEXT becoming a newline, no newline added
//   --ewrite=TEXT     the same on stderr
//   --pause=MS        sleep MS milliseconds (also --sleep=MS)
//   --args            every argument as "arg:<argument>", one per line
//   --pid             "pid:<pid>"
//   --cpus            the Cpus_allowed_list line of /proc/self/status
//   --status          the SigBlk and SigIgn lines of /proc/self/status
//   --env=NAME        "env:NAME=<value>" or "env:NAME unset"
//   --cwd             "cwd:<directory>"
//   --long=N          a line of N 'x' characters
//   --ignore-term     ignore SIGTERM from now on
//   --exit-if-absent=FILE  create FILE and exit with 1 if it did not exist
//                     (so only the first run fails)
//   --spawn-grandchild  start "clustr-test-child --pause=60000" detached from
//                     our output, print "grandchild:<pid>"
//   --exit=N          exit with code N now
//   --signal=N        raise signal N now (without a core dump)
//
// Anything else (e.g. --cluster-master-pid=N) is ignored.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

void writeAll(int fd, const std::string &text)
{
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        done += size_t(n);
    }
}

std::string unescape(const std::string &text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
            out += '\n';
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

void sleepMs(long ms)
{
    timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) { }
}

// Lines of /proc/self/status that start with one of the given keys.
void printStatus(std::initializer_list<const char *> keys)
{
    FILE *file = std::fopen("/proc/self/status", "r");
    if (!file)
        return;
    char line[4096];
    while (std::fgets(line, sizeof line, file)) {
        for (const char *key : keys) {
            if (std::strncmp(line, key, std::strlen(key)) == 0)
                writeAll(1, line);
        }
    }
    std::fclose(file);
}

bool option(const std::string &arg, const char *name, std::string *value)
{
    const std::string prefix = std::string(name) + "=";
    if (arg.compare(0, prefix.size(), prefix) != 0)
        return false;
    *value = arg.substr(prefix.size());
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        std::string value;
        if (option(arg, "--print", &value)) {
            writeAll(1, value + "\n");
        } else if (option(arg, "--eprint", &value)) {
            writeAll(2, value + "\n");
        } else if (option(arg, "--write", &value)) {
            writeAll(1, unescape(value));
        } else if (option(arg, "--ewrite", &value)) {
            writeAll(2, unescape(value));
        } else if (option(arg, "--pause", &value) || option(arg, "--sleep", &value)) {
            sleepMs(std::atol(value.c_str()));
        } else if (arg == "--args") {
            for (int j = 0; j < argc; ++j)
                writeAll(1, std::string("arg:") + argv[j] + "\n");
        } else if (arg == "--pid") {
            writeAll(1, "pid:" + std::to_string(getpid()) + "\n");
        } else if (arg == "--cpus") {
            printStatus({"Cpus_allowed_list:"});
        } else if (arg == "--status") {
            printStatus({"SigBlk:", "SigIgn:"});
        } else if (option(arg, "--env", &value)) {
            const char *env = std::getenv(value.c_str());
            writeAll(1, "env:" + value + (env ? "=" + std::string(env) : std::string(" unset")) + "\n");
        } else if (arg == "--cwd") {
            char buffer[4096];
            if (getcwd(buffer, sizeof buffer))
                writeAll(1, std::string("cwd:") + buffer + "\n");
        } else if (option(arg, "--long", &value)) {
            writeAll(1, std::string(size_t(std::atol(value.c_str())), 'x') + "\n");
        } else if (option(arg, "--exit-if-absent", &value)) {
            const int fd = open(value.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
            if (fd >= 0) {
                close(fd);
                return 1;
            }
        } else if (arg == "--ignore-term") {
            signal(SIGTERM, SIG_IGN);
        } else if (arg == "--spawn-grandchild") {
            const pid_t pid = fork();
            if (pid == 0) {
                // Off our stdout/stderr, so our reader sees the end of our output when we exit.
                const int devNull = open("/dev/null", O_RDWR);
                dup2(devNull, 0);
                dup2(devNull, 1);
                dup2(devNull, 2);
                execl("/proc/self/exe", "clustr-test-child", "--pause=60000", static_cast<char *>(nullptr));
                _exit(127);
            }
            writeAll(1, "grandchild:" + std::to_string(pid) + "\n");
        } else if (option(arg, "--exit", &value)) {
            return std::atoi(value.c_str());
        } else if (option(arg, "--signal", &value)) {
            const rlimit noCore{0, 0};
            setrlimit(RLIMIT_CORE, &noCore);
            const int signum = std::atoi(value.c_str());
            signal(signum, SIG_DFL);
            raise(signum);
            sleepMs(1000);
            return 99;
        }
    }
    return 0;
}
