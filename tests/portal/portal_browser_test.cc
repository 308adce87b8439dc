// The portal in a real browser against the real suite: contracts, metering,
// balance, invoicing, forecasting and the gateway (serving portal/dist) as
// their binaries on free ports against a throwaway PostgreSQL, loaded with
// the demo data set (two months of readings, the first month balanced and
// invoiced; the demo's legacy history and one forecast run), then
// portal/tests/run.mjs drives Debian's Chromium with playwright-core through
// the checks of the list, in its order, and the benchmark.
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

constexpr char kSecret[] = "portal-identity-secret-0123456789abcdef";
constexpr char kAdminPassword[] = "admin-password-for-the-portal";

struct Suite {
  TempDir dir;
  int web_port = FreePort();
  std::unique_ptr<Running> contracts, metering, balance, invoicing, forecasting, gateway;

  Suite() {
    WriteFile(dir.File("admin_password"), std::string(kAdminPassword) + "\n");
    const Env id = {{"GRIDBILL_IDENTITY_SECRET", kSecret}};
    contracts = std::make_unique<Running>(GRIDBILL_CONTRACTS_BIN, CreateDatabase("contracts"), dir,
                                          "contracts", id);
    metering = std::make_unique<Running>(GRIDBILL_METERING_BIN, CreateDatabase("metering"), dir,
                                         "metering", id);
    balance =
        std::make_unique<Running>(GRIDBILL_BALANCE_BIN, CreateDatabase("balance"), dir, "balance",
                                  Env{{"GRIDBILL_IDENTITY_SECRET", kSecret},
                                      {"GRIDBILL_METERING_ADDRESS", metering->address},
                                      {"GRIDBILL_CONTRACTS_ADDRESS", contracts->address}});
    invoicing = std::make_unique<Running>(GRIDBILL_INVOICING_BIN, CreateDatabase("invoicing"), dir,
                                          "invoicing",
                                          Env{{"GRIDBILL_IDENTITY_SECRET", kSecret},
                                              {"GRIDBILL_CONTRACTS_ADDRESS", contracts->address},
                                              {"GRIDBILL_BALANCE_ADDRESS", balance->address}});
    forecasting = std::make_unique<Running>(
        GRIDBILL_FORECASTING_BIN, CreateDatabase("forecasting"), dir, "forecasting",
        Env{{"GRIDBILL_IDENTITY_SECRET", kSecret},
            {"GRIDBILL_CONTRACTS_ADDRESS", contracts->address},
            {"GRIDBILL_BALANCE_ADDRESS", balance->address},
            {"GRIDBILL_INVOICING_ADDRESS", invoicing->address}});
    gateway = std::make_unique<Running>(
        GRIDBILL_GATEWAY_BIN, CreateDatabase("gateway"), dir, "gateway",
        Env{{"GRIDBILL_IDENTITY_SECRET", kSecret},
            {"GRIDBILL_TOKEN_SECRET", "portal-token-secret-0123456789abcdefgh"},
            {"GRIDBILL_BACKEND_CONTRACTS", contracts->address},
            {"GRIDBILL_BACKEND_METERING", metering->address},
            {"GRIDBILL_BACKEND_BALANCE", balance->address},
            {"GRIDBILL_BACKEND_INVOICING", invoicing->address},
            {"GRIDBILL_BACKEND_FORECASTING", forecasting->address},
            {"GRIDBILL_WEB_ADDRESS", "127.0.0.1:" + std::to_string(web_port)},
            {"GRIDBILL_PORTAL_DIR", GRIDBILL_PORTAL_DIST},
            {"GRIDBILL_BOOTSTRAP_ADMIN", "admin"},
            {"GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE", dir.File("admin_password")},
            {"GRIDBILL_RATE_LIMIT_PRINCIPAL", "0"},
            {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
            {"GRIDBILL_ARGON2_TIME_COST", "1"}});
    for (Running* r : {contracts.get(), metering.get(), balance.get(), invoicing.get(),
                       forecasting.get(), gateway.get()}) {
      r->WaitServing(seconds(120));
    }
    LoadDemo();
  }

  // gridbillctl straight to the services, signing as a trusted tool.
  CommandResult Ctl(std::vector<std::string> args, seconds timeout = seconds(600)) {
    std::vector<std::string> argv = {GRIDBILL_CTL_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, {{"GRIDBILL_IDENTITY_SECRET", kSecret}}, timeout);
  }

  void Must(std::vector<std::string> args) {
    CommandResult r = Ctl(std::move(args));
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
  }

  // The demo year's participants, contracts and points, readings of
  // 2026-09 and 2026-10; 2026-09 balanced (final) and invoiced, 2026-10 with
  // a preliminary run only: the browser starts its final run and its
  // invoice run.
  void LoadDemo() {
    // A sample of 80 points (every kind) keeps the load, the runs and the
    // invoice run short; the participants, contracts and applications are
    // the demo year's.
    Must({"demo", "load", "--seed", "42", "--addr", contracts->address, "--metering-addr",
          metering->address, "--readings-months", "2", "--points", "80"});
    const std::vector<std::string> b = {"--addr", contracts->address, "--balance-addr",
                                        balance->address};
    auto with = [](std::vector<std::string> a, const std::vector<std::string>& more) {
      a.insert(a.end(), more.begin(), more.end());
      return a;
    };
    Must(with({"balance", "demo-schemes", "--seed", "42", "--max-points", "80"}, b));
    Must(with({"balance", "run", "2026-09", "--type", "final", "--request-id", "portal-final-09"},
              b));
    Must(with(
        {"balance", "run", "2026-10", "--type", "preliminary", "--request-id", "portal-prelim-10"},
        b));
    Must({"invoicing", "run", "2026-09", "--request-id", "portal-invoicing-09", "--invoicing-addr",
          invoicing->address});
    // The dashboard's estimate card: the demo's legacy history (2019-01 ..
    // 2025-10, as `up` imports it) and one forecast run over it and the
    // final run of 2026-09.
    const std::string history = dir.File("demo-history.csv");
    Must({"forecast", "demo-history", "--seed", "42", "--out", history});
    const std::vector<std::string> f = {"--forecasting-addr", forecasting->address};
    Must(with({"forecast", "import-history", history, "--request-id", "portal-history"}, f));
    Must(with({"forecast", "run", "--request-id", "portal-forecast"}, f));
  }

  static Suite& Get() {
    static Suite suite;
    return suite;
  }
};

std::string Tail(const std::string& s, size_t n = 4000) {
  return s.size() > n ? s.substr(s.size() - n) : s;
}

TEST_CASE("the portal in Chromium: the issue's checks, in order, and the benchmark") {
  if (!std::filesystem::exists(GRIDBILL_CHROMIUM)) {
    WARN("skipped: " GRIDBILL_CHROMIUM " is missing (apt-get install chromium)");
    return;
  }
  Suite& suite = Suite::Get();
  const std::string shots = std::string(GRIDBILL_PORTAL_SHOTS);
  std::filesystem::create_directories(shots);
  CommandResult r = Run({GRIDBILL_NODE, GRIDBILL_PORTAL_SRC "/tests/run.mjs"},
                        {{"GRIDBILL_WEB_URL", "http://127.0.0.1:" + std::to_string(suite.web_port)},
                         {"GRIDBILL_ADMIN_PASSWORD", kAdminPassword},
                         {"GRIDBILL_CHROMIUM", GRIDBILL_CHROMIUM},
                         {"GRIDBILL_SCREENSHOTS", shots},
                         {"GRIDBILL_PORTAL_DIST", GRIDBILL_PORTAL_DIST},
                         {"PATH", "/usr/local/bin:/usr/bin:/bin"},
                         {"HOME", suite.dir.path()}},
                        seconds(1500));
  INFO(r.Describe());
  INFO("gateway log (tail):\n" << Tail(suite.gateway->process->Log()));
  INFO("invoicing log (tail):\n" << Tail(suite.invoicing->process->Log(), 2000));
  INFO("balance log (tail):\n" << Tail(suite.balance->process->Log(), 2000));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("all portal checks passed"));
  // The benchmark's figures, for the log.
  std::printf("%s\n", r.out.c_str());
}

}  // namespace
}  // namespace gridbill::suite
