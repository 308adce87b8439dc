// Under deploy/test-sanitized.sh, every sanitizer report must land in one
// folder that the script counts (GRIDBILL_SANITIZER_REPORTS). AddressSanitizer
// writes there itself (log_path); UndefinedBehaviorSanitizer does not in
// GCC's address,undefined runtimes (README "Sanitizers"): a child process's
// report goes to its stderr, which a test usually sends to a log file in a
// temporary directory and deletes. KeepSanitizerReports searches the logs
// under a path before they are deleted and copies every one that holds a
// UBSan report into the folder. Outside a sanitized run (the variable unset)
// it does nothing.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace gridbill::testing {

// What UBSan prints at the start of each report.
inline constexpr char kUbsanReportMarker[] = "runtime error:";

// The logs under `path` (a file, or a directory searched recursively:
// files named *.log, stdout or stderr, up to 64 MiB) that hold a UBSan
// report, each copied to GRIDBILL_SANITIZER_REPORTS as
// ubsan-child.<file name>.<n>. Returns how many were copied.
inline int KeepSanitizerReports(const std::filesystem::path& path) {
  const char* folder = std::getenv("GRIDBILL_SANITIZER_REPORTS");
  if (folder == nullptr || *folder == '\0') return 0;
  namespace fs = std::filesystem;
  int kept = 0;
  auto check = [&](const fs::path& file) {
    const std::string name = file.filename().string();
    if (name != "stdout" && name != "stderr" && file.extension() != ".log") return;
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec || size == 0 || size > (64u << 20)) return;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().find(kUbsanReportMarker) == std::string::npos) return;
    for (int n = 0;; ++n) {
      const fs::path target = fs::path(folder) / ("ubsan-child." + name + "." + std::to_string(n));
      if (fs::exists(target, ec)) continue;
      std::ofstream out(target, std::ios::binary);
      out << "(from " << file.string() << ")\n" << text.str();
      ++kept;
      return;
    }
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (fs::recursive_directory_iterator
             it(path, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) check(it->path());
    }
  } else if (fs::is_regular_file(path, ec)) {
    check(path);
  }
  return kept;
}

}  // namespace gridbill::testing
