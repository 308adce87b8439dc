// gridbill-integrations SIGKILLed at random points while it delivers 300
// facts to the ERP outbox folder, and restarted each time: afterwards every
// fact is in the folder exactly once (one CSV and one manifest holding its
// key, no key written twice, nothing half-written), every delivery is
// delivered and none is a dead letter.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/pg/pool.h"
#include "harness.h"
#include "pg_store.h"
#include "running.h"
#include "suite.h"

namespace gridbill::integrations {
namespace {

namespace fs = std::filesystem;

DocumentFact Document(int i) {
  DocumentFact d;
  d.id = absl::StrCat("doc-", i);
  d.type = 1 + i % 2;
  d.number = absl::StrCat(i % 2 ? "INV" : "ACT", "-2026-", i);
  d.issue_date = "2026-11-01";
  d.period = "2026-10";
  d.participant_id = absl::StrCat("P-", i % 17);
  d.lines = 1;
  d.amount_tiyn = 1000 * i;
  d.vat_tiyn = 160 * i;
  d.total_tiyn = 1160 * i;
  return d;
}

TEST_CASE("SIGKILL during 300 ERP deliveries: each fact delivered exactly once", "[suite]") {
  suite::TempDir dir;
  const std::string url = suite::CreateDatabase("integrations_kill");
  const std::string erp = dir.File("erp-out");
  const suite::Env env = {
      {"GRIDBILL_GATEWAY_ADDRESS", "127.0.0.1:1"},  // no suite: the feed fails, deliveries go on
      {"GRIDBILL_API_KEY", "gbk_test"},
      {"GRIDBILL_ERP_OUTBOX_DIR", erp},
      {"GRIDBILL_POLL_INTERVAL", "20ms"},
      {"GRIDBILL_DELIVERY_LEASE", "1s"},
      {"GRIDBILL_RETRY_FIRST_DELAY", "50ms"},
  };
  auto start = [&] {
    auto s =
        std::make_unique<suite::Running>(GRIDBILL_INTEGRATIONS_BIN, url, dir, "integrations", env);
    s->WaitServing(std::chrono::seconds(60));
    return s;
  };
  std::unique_ptr<suite::Running> service = start();

  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create({url, 2});
  REQUIRE(pool.ok());
  PgStore store(**pool);
  std::vector<Fact> facts;
  const int n = 300;
  for (int i = 1; i <= n; ++i) {
    facts.push_back({"erp", "document.issued", absl::StrCat("doc-", i), "1", Document(i).Encode()});
  }
  const absl::Time now = absl::Now();
  // In three parts, as feed pages arrive.
  REQUIRE(*store.AppendFacts("test", "1", {facts.begin(), facts.begin() + 100}, now) == 100);

  std::mt19937 rng(20261207);
  int kills = 0;
  auto delivered = [&] {
    DeliveryFilter f;
    f.state = DeliveryState::kDelivered;
    paging::Page page;
    page.size = 1000;
    return static_cast<int>(store.List(f, page)->items.size());
  };
  for (int round = 0; round < 60 && delivered() < n; ++round) {
    if (round == 2)
      REQUIRE(*store.AppendFacts("test", "2", {facts.begin() + 100, facts.begin() + 200}, now) ==
              100);
    if (round == 4)
      REQUIRE(*store.AppendFacts("test", "3", {facts.begin() + 200, facts.end()}, now) == 100);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 120)(rng)));
    if (delivered() < n) {
      service->process->Signal(SIGKILL);
      service->process->WaitExit(std::chrono::seconds(10));
      ++kills;
      service = start();
    }
  }
  for (int i = 0; i < 300 && delivered() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO("kills: " << kills << "\n" << service->process->Log());
  CHECK(kills >= 3);
  REQUIRE(delivered() == n);
  DeliveryFilter dead;
  dead.state = DeliveryState::kDead;
  CHECK(store.List(dead, paging::Page())->items.empty());

  // The folder: one manifest per fact with its key, no key written twice.
  std::map<std::string, int> manifests;
  for (const auto& e : fs::recursive_directory_iterator(erp)) {
    const std::string p = e.path().string();
    if (absl::EndsWith(p, ".manifest")) {
      const std::string text = suite::ReadFile(p);
      for (absl::string_view line : absl::StrSplit(text, '\n')) {
        if (absl::StartsWith(line, "idempotency_key=")) ++manifests[std::string(line.substr(16))];
      }
      CHECK(fs::exists(p.substr(0, p.size() - 9) + ".csv"));
    }
  }
  CHECK(manifests.size() == static_cast<size_t>(n));
  std::map<std::string, int> written;
  for (absl::string_view line :
       absl::StrSplit(suite::ReadFile(erp + "/received.log"), '\n', absl::SkipEmpty())) {
    ++written[std::string(line)];
  }
  for (const auto& [key, times] : written) {
    INFO(key);
    CHECK(times == 1);
  }
  std::printf(
      "integrations kill test: %d SIGKILLs during %d ERP deliveries; %zu manifests, %zu keys "
      "written (a kill between the manifest and the log line leaves a key unlogged)\n",
      kills, n, manifests.size(), written.size());
}

}  // namespace
}  // namespace gridbill::integrations
