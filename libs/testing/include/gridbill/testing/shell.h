// Outside tools over what a test wrote: a shell command's status and output,
// a file in the temp directory, and a zip archive read back by Python's
// zipfile and `unzip -t` (libs/zip's and the XLSX exports' tests). Header
// only and free of gRPC and libpq, so the pure tests use it.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace gridbill::testing {

struct ShellResult {
  int status = -1;  // the exit status; -1 when it did not run or exit
  std::string out;  // its standard output
};

// Runs `cmd` through /bin/sh.
inline ShellResult Shell(const std::string& cmd) {
  ShellResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `bytes` in a file of the temp directory named "gridbill-<pid><suffix>";
// the caller removes it.
inline std::filesystem::path SaveTemp(std::string_view bytes, std::string_view suffix) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("gridbill-" + std::to_string(getpid()) + std::string(suffix));
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// The archive `bytes` read back by Python's zipfile (every entry's CRC
// tested; one line per entry: name, size, date_time) and by `unzip -t`
// ("No errors detected"); status 0 when both accept it.
inline ShellResult CheckZipWithTools(std::string_view bytes) {
  const std::filesystem::path path = SaveTemp(bytes, ".zip");
  ShellResult r = Shell(
      "/usr/bin/python3 -c 'import sys, zipfile\n"
      "z = zipfile.ZipFile(sys.argv[1])\n"
      "bad = z.testzip()\n"
      "for i in z.infolist(): print(i.filename, i.file_size, i.date_time)\n"
      "sys.exit(\"bad CRC: %s\" % bad if bad else 0)' " +
      path.string() + " 2>&1 && unzip -t " + path.string() + " 2>&1");
  std::filesystem::remove(path);
  return r;
}

}  // namespace gridbill::testing
