// A program with a real heap overflow, run by deploy/test-sanitized.sh's
// smoke to prove that a sanitizer report fails the run. It overflows only
// when asked (GRIDBILL_SANITIZE_CANARY), so in a whole-tree sanitized run
// it passes doing nothing:
//   overflow  the test's own process overflows (ASan stops it: the test fails);
//   child     a child process overflows and the test ignores how it ended and
//             passes: only the report folder shows it (what the script's check
//             of that folder is for).
//   child-ub  a child process overflows a signed integer (UndefinedBehavior-
//             Sanitizer) writing to the test's stderr; the test passes: the
//             script finds the report in ctest's log.
//   child-ub-log  the same child writing to a log file in a temporary folder,
//             which the test deletes as the suite harness does, after
//             KeepSanitizerReports (libs/testing) copied the report out.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "gridbill/testing/sanitizer_reports.h"

namespace {

// Through memset, so that AddressSanitizer reports it (UBSan's object-size
// check would stop a direct store first, and its reports do not honour
// log_path in this build: see the README's "Sanitizers").
int Overflow() {
  char* block = new char[8];
  volatile std::size_t length = 9;
  std::memset(block, 'x', length);  // one byte past the block: heap-buffer-overflow
  std::printf("sanitize_canary: wrote past the end and was not stopped (%c)\n", block[0]);
  delete[] block;
  return 0;
}

// A signed overflow, which UndefinedBehaviorSanitizer reports (and stops:
// -fno-sanitize-recover) as "runtime error: signed integer overflow".
int SignedOverflow() {
  volatile int big = 2147483647;
  volatile int one = 1;
  const int sum = big + one;
  std::printf("sanitize_canary: overflowed to %d and was not stopped\n", sum);
  return 0;
}

// Runs this program again with `flag`, its stdout and stderr to `log` when
// given (else inherited), and waits.
int Child(const char* self, const char* flag, const char* log) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (log != nullptr) {
      const int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) _exit(126);
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execl("/proc/self/exe", self, flag, static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--overflow") == 0) return Overflow();
  if (argc > 1 && std::strcmp(argv[1], "--signed-overflow") == 0) return SignedOverflow();
  const char* mode = std::getenv("GRIDBILL_SANITIZE_CANARY");
  if (mode == nullptr || *mode == '\0') {
    std::printf("sanitize_canary: nothing planted\n");
    return 0;
  }
  if (std::strcmp(mode, "overflow") == 0) return Overflow();
  if (std::strcmp(mode, "child") == 0) {
    const pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
      execl("/proc/self/exe", argv[0], "--overflow", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    std::printf("sanitize_canary: the child ended (status %d); passing anyway\n", status);
    return 0;
  }
  if (std::strcmp(mode, "child-ub") == 0) {
    const int status = Child(argv[0], "--signed-overflow", nullptr);
    std::printf("sanitize_canary: the child ended (status %d); passing anyway\n", status);
    return 0;
  }
  if (std::strcmp(mode, "child-ub-log") == 0) {
    char dir[] = "/tmp/gridbill-sanitize-canary-XXXXXX";
    if (mkdtemp(dir) == nullptr) return 2;
    const std::string log = std::string(dir) + "/child.log";
    const int status = Child(argv[0], "--signed-overflow", log.c_str());
    const int kept = gridbill::testing::KeepSanitizerReports(dir);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    std::printf("sanitize_canary: the child ended (status %d), %d log kept; passing anyway\n",
                status, kept);
    return 0;
  }
  std::printf(
      "sanitize_canary: GRIDBILL_SANITIZE_CANARY is overflow, child, child-ub or "
      "child-ub-log, not %s\n",
      mode);
  return 2;
}
