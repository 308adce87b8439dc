// A program with a real heap overflow, run by deploy/test-sanitized.sh's
// smoke to prove that a sanitizer report fails the run. It overflows only
// when asked (GRIDBILL_SANITIZE_CANARY), so in a whole-tree sanitized run
// it passes doing nothing:
//   overflow  the test's own process overflows (ASan stops it: the test fails);
//   child     a child process overflows and the test ignores how it ended and
//             passes: only the report folder shows it (what the script's check
//             of that folder is for).
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--overflow") == 0) return Overflow();
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
  std::printf("sanitize_canary: GRIDBILL_SANITIZE_CANARY is overflow or child, not %s\n", mode);
  return 2;
}
