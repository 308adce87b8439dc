#include "gridbill/testing/sanitizer_reports.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using gridbill::testing::KeepSanitizerReports;

namespace {

fs::path MakeDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / (name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void Write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

int CountFiles(const fs::path& dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) n += entry.is_regular_file() ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("a child's UBSan report in a test's log is copied into the reports folder") {
  const fs::path reports = MakeDir("gridbill-sanitizer-reports");
  const fs::path logs = MakeDir("gridbill-sanitizer-logs");
  Write(logs / "clean.log", "listening on 127.0.0.1:7101\n");
  Write(logs / "nested" / "metering.log",
        "started\nfoo.cc:12:7: runtime error: signed integer overflow: "
        "9223372036854775807 + 1 cannot be represented in type 'long int'\n");
  Write(logs / "stderr", "x.cc:3:1: runtime error: load of misaligned address\n");
  // Not a log: data files are not searched even if the marker is in them.
  Write(logs / "readings.csv", "runtime error: a value someone typed\n");

  SECTION("outside a sanitized run nothing is searched") {
    unsetenv("GRIDBILL_SANITIZER_REPORTS");
    CHECK(KeepSanitizerReports(logs) == 0);
    CHECK(CountFiles(reports) == 0);
  }
  SECTION("under test-sanitized.sh the two logs with a report are kept") {
    setenv("GRIDBILL_SANITIZER_REPORTS", reports.c_str(), 1);
    CHECK(KeepSanitizerReports(logs) == 2);
    CHECK(CountFiles(reports) == 2);
    std::ifstream kept(reports / "ubsan-child.metering.log.0");
    std::string first;
    std::getline(kept, first);
    CHECK(first == "(from " + (logs / "nested" / "metering.log").string() + ")");
    // A second search of the same logs adds copies, never overwrites one.
    CHECK(KeepSanitizerReports(logs / "stderr") == 1);
    CHECK(fs::exists(reports / "ubsan-child.stderr.1"));
    unsetenv("GRIDBILL_SANITIZER_REPORTS");
  }
  fs::remove_all(reports);
  fs::remove_all(logs);
}
