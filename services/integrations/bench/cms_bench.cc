// The CMS adapter's throughput against a direct import: metering and the
// gateway (real binaries, throwaway PostgreSQL), points made by
// `gridbillctl import points`, then the same number of CSV files of the same
// size imported twice over other days:
//
//   direct   `gridbillctl metering import FILE --format csv --source cms`, one
//            after the other (the client waits for each import job);
//   adapter  dropped into gridbill-integrations' CMS folder (through the
//            gateway with an API key, SHA-256 request ids, done/ when the
//            import job ended).
//
// Prints readings/s and files/s of both and the adapter's overhead. Sizes:
// GRIDBILL_BENCH_POINTS (default 200), GRIDBILL_BENCH_FILES (10); a file
// holds one day of hourly values of every point (24 x points readings).
// ctest runs it small as a smoke test (label bench).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

namespace fs = std::filesystem;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? fallback : std::atoi(v);
}

std::string DayFile(int points, int day) {
  std::string csv = "point_code,channel,interval_start,value\n";
  for (int p = 1; p <= points; ++p) {
    for (int h = 0; h < 24; ++h) {
      absl::StrAppend(&csv, absl::StrFormat("BENCH-%05d,01,2026-10-%02d %02d:00,%d\n", p, day, h,
                                            1000 + p + h));
    }
  }
  return csv;
}

int CountIn(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return 0;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) n += e.is_regular_file(ec) ? 1 : 0;
  return n;
}

TEST_CASE("benchmark: CMS files through the adapter against a direct import", "[benchmark]") {
  const int points = EnvInt("GRIDBILL_BENCH_POINTS", 200);
  const int files = EnvInt("GRIDBILL_BENCH_FILES", 10);
  REQUIRE(files <= 14);  // days 1..14 direct, 15..28 through the adapter
  TempDir dir;
  Running metering(GRIDBILL_METERING_BIN, CreateDatabase("cms_bench_metering"), dir, "metering");
  WriteFile(dir.File("admin_password"), "admin-password-for-the-cms-benchmark\n");
  Running gateway(GRIDBILL_GATEWAY_BIN, CreateDatabase("cms_bench_gateway"), dir, "gateway",
                  {{"GRIDBILL_IDENTITY_SECRET", "cms-bench-identity-secret-0123456789abcdef"},
                   {"GRIDBILL_TOKEN_SECRET", "cms-bench-token-secret-0123456789abcdefgh"},
                   {"GRIDBILL_WEB_ADDRESS", "127.0.0.1:" + std::to_string(FreePort())},
                   {"GRIDBILL_BACKEND_METERING", metering.address},
                   {"GRIDBILL_BOOTSTRAP_ADMIN", "admin"},
                   {"GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE", dir.File("admin_password")},
                   {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
                   {"GRIDBILL_ARGON2_TIME_COST", "1"}});
  metering.WaitServing(seconds(90));
  gateway.WaitServing(seconds(90));
  const Env ctl_env = {{"GRIDBILL_METERING_ADDR", metering.address}};
  auto ctl = [&](std::vector<std::string> args, seconds timeout = seconds(600)) {
    args.insert(args.begin(), GRIDBILL_CTL_BIN);
    CommandResult r = Run(args, ctl_env, timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return r.out;
  };

  std::string csv = "code,name,channels,resolution,valid_from\n";
  for (int p = 1; p <= points; ++p) {
    absl::StrAppend(&csv, absl::StrFormat("BENCH-%05d,Bench point %d,01,pt60m,2026-01-01\n", p, p));
  }
  WriteFile(dir.File("points.csv"), csv);
  ctl({"import", "points", dir.File("points.csv")});

  const std::string token = ctl({"--gateway", gateway.address, "auth", "sign-in", "--user", "admin",
                                 "--password-file", dir.File("admin_password")});
  const std::string made =
      ctl({"--gateway", gateway.address, "--token", token.substr(0, token.find('\n')), "auth",
           "create-api-key", "cms-bench", "--roles", "integration_client", "--request-id",
           "cms-bench-key"});
  const std::string key = made.substr(0, made.find('\n'));
  const std::string in = dir.File("cms-in");
  Running integrations(GRIDBILL_INTEGRATIONS_BIN, CreateDatabase("cms_bench_integrations"), dir,
                       "integrations",
                       {{"GRIDBILL_GATEWAY_ADDRESS", gateway.address},
                        {"GRIDBILL_API_KEY", key},
                        {"GRIDBILL_CMS_INBOUND_DIR", in},
                        {"GRIDBILL_POLL_INTERVAL", "50ms"}});
  integrations.WaitServing(seconds(60));

  // Direct: one import after the other, each waited for.
  for (int f = 1; f <= files; ++f)
    WriteFile(dir.File(absl::StrCat("direct-", f, ".csv")), DayFile(points, f));
  const auto d0 = std::chrono::steady_clock::now();
  for (int f = 1; f <= files; ++f) {
    ctl({"metering", "import", dir.File(absl::StrCat("direct-", f, ".csv")), "--format", "csv",
         "--source", "cms"});
  }
  const double direct_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - d0).count();

  // Through the adapter: the files written aside, then renamed into the folder at once.
  fs::create_directories(in);
  for (int f = 1; f <= files; ++f) {
    WriteFile(dir.File(absl::StrCat("cms-", f, ".csv")), DayFile(points, 14 + f));
  }
  const auto a0 = std::chrono::steady_clock::now();
  for (int f = 1; f <= files; ++f) {
    fs::rename(dir.File(absl::StrCat("cms-", f, ".csv")), in + absl::StrCat("/cms-", f, ".csv"));
  }
  const auto deadline = a0 + std::chrono::minutes(20);
  while (CountIn(in + "/done") + CountIn(in + "/rejected") < files &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double adapter_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - a0).count();
  INFO(integrations.process->Log());
  REQUIRE(CountIn(in + "/rejected") == 0);
  REQUIRE(CountIn(in + "/done") == files);

  const double readings = 24.0 * points * files;
  std::printf(
      "CMS import, %d files x %d points x 24 hourly values (%.0f readings):\n"
      "  direct (gridbillctl metering import, one after the other): %.2f s = %.1f files/s, %.0f "
      "readings/s\n"
      "  through the adapter (folder -> gateway -> metering):       %.2f s = %.1f files/s, %.0f "
      "readings/s\n"
      "  adapter overhead: %+.0f %% of the direct time\n",
      files, points, readings, direct_s, files / direct_s, readings / direct_s, adapter_s,
      files / adapter_s, readings / adapter_s, 100.0 * (adapter_s - direct_s) / direct_s);
}

}  // namespace
}  // namespace gridbill::suite
