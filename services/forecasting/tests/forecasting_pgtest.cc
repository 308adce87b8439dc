// The forecasting service on a real PostgreSQL with its gRPC classes
// in-process: every method x role as its access option says; a legacy
// history import (checked whole, idempotent, in pieces); a forecast run as
// a job whose forecasts add up exactly from participants to regions and the
// nation; bad input refused naming the field, nothing written.
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "every_method.h"
#include "forecasting_service.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/testing/fake_clock.h"
#include "gridbill/testing/service_harness.h"
#include "pg_store.h"
#include "runs.h"

namespace gridbill::forecasting {
namespace {

using ::gridbill::testing::Call;
using ::gridbill::testing::FakeClock;
using ::gridbill::testing::ServiceHarness;
using ::gridbill::testing::Who;

class FakeDirectory final : public Directory {
 public:
  absl::StatusOr<std::vector<ParticipantInfo>> Participants() override {
    return std::vector<ParticipantInfo>{{"P-1", "100000000001", "KZ-11"},
                                        {"P-2", "100000000002", "KZ-11"},
                                        {"P-3", "100000000003", "KZ-55"}};
  }
  absl::StatusOr<ContractInfo> Contract(const std::string& id) override {
    if (id != "C-1") return absl::NotFoundError("contract C-1 not found");
    return ContractInfo{"C-1", "P-2", 1, absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 6, 30)};
  }
};

// One billing run, for 2024-11: what the balance service would answer.
class FakeVolumes final : public VolumeSource {
 public:
  absl::StatusOr<std::optional<BilledMonth>> Billed(absl::CivilMonth period) override {
    if (period != absl::CivilMonth(2024, 11)) return std::optional<BilledMonth>();
    BilledMonth m{"run-2024-11", {}};
    for (const char* p : {"P-1", "P-2", "P-3"}) m.volumes.push_back({p, 1, period, 5'000'000});
    return std::optional<BilledMonth>(m);
  }
};

// The monthly volume of participant p (1..3), service s, month t (0 = 2019-01), kWh.
double Kwh(int p, int s, int t) {
  return (1000.0 * p + 300 * s) * (1 + 0.01 * t / 12) * (1 + 0.2 * std::cos(2 * M_PI * t / 12)) +
         7 * ((t * 37 + p * 11 + s * 5) % 13);
}

// 2019-01 .. 2024-10 for three participants, transmission and dispatching.
std::string HistoryCsv() {
  std::string csv = "bin,service,period,volume_kwh\n";
  for (int p = 1; p <= 3; ++p) {
    for (int s = 1; s <= 2; ++s) {
      for (int t = 0; t < 70; ++t) {
        const absl::CivilMonth m = absl::CivilMonth(2019, 1) + t;
        absl::StrAppend(&csv, absl::StrFormat("10000000000%d,%s,%s,%.3f\n", p,
                                              s == 1 ? "transmission" : "dispatching",
                                              absl::FormatCivilTime(m), Kwh(p, s, t)));
      }
    }
  }
  return csv;
}

struct Fixture {
  ServiceHarness base{GRIDBILL_FORECASTING_MIGRATIONS_DIR};
  FakeClock clock{absl::FromCivil(absl::CivilSecond(2024, 12, 5, 0, 0, 0), absl::UTCTimeZone())};
  PgStore store{base.pool()};
  jobs::PgJobs jobs{base.pool()};
  pg::PgIdempotency idempotency{base.pool()};
  FakeDirectory directory;
  FakeVolumes volumes;
  std::unique_ptr<Runs> runs;
  std::unique_ptr<ForecastServiceImpl> forecast_service;
  std::unique_ptr<HistoryServiceImpl> history_service;
  std::unique_ptr<v1::ForecastService::Stub> forecast;
  std::unique_ptr<v1::HistoryService::Stub> history;
  int next_request = 0;

  Fixture() {
    RunsConfig config;
    config.workers = 0;
    config.worker_id = "test";
    config.rows_per_piece = 100;
    config.series_per_piece = 2;
    config.live_from = absl::CivilMonth(2024, 11);
    runs = std::make_unique<Runs>(store, jobs, directory, &volumes, clock, config);
    forecast_service = std::make_unique<ForecastServiceImpl>(*runs, idempotency);
    history_service = std::make_unique<HistoryServiceImpl>(*runs, idempotency);
    base.Start({forecast_service.get(), history_service.get()});
    forecast = v1::ForecastService::NewStub(base.channel());
    history = v1::HistoryService::NewStub(base.channel());
  }
  ~Fixture() { base.Stop(); }

  std::string RequestId() { return absl::StrCat("req-", ++next_request); }

  grpc::Status Import(const std::string& content, v1::HistoryImport* out,
                      const std::string& request_id = "") {
    v1::ImportHistoryRequest req;
    req.set_request_id(request_id.empty() ? RequestId() : request_id);
    req.set_file_name("legacy.csv");
    req.set_content(content);
    v1::ImportHistoryResponse resp;
    grpc::Status st = Call(*history, &v1::HistoryService::Stub::ImportHistory, req, &resp);
    if (st.ok()) *out = resp.import();
    return st;
  }
  v1::HistoryImport FinishImport(const std::string& id) {
    REQUIRE(runs->Drive(id, absl::Seconds(60)).ok());
    v1::GetHistoryImportRequest req;
    req.set_import_id(id);
    v1::GetHistoryImportResponse resp;
    REQUIRE_OK(Call(*history, &v1::HistoryService::Stub::GetHistoryImport, req, &resp));
    return resp.import();
  }
  grpc::Status Start(v1::StartForecastRunRequest req, v1::ForecastRun* out) {
    req.set_request_id(RequestId());
    v1::StartForecastRunResponse resp;
    grpc::Status st = Call(*forecast, &v1::ForecastService::Stub::StartForecastRun, req, &resp);
    if (st.ok()) *out = resp.run();
    return st;
  }
  v1::ForecastRun FinishRun(const std::string& id) {
    auto job = runs->Drive(id, absl::Seconds(120));
    REQUIRE(job.ok());
    v1::GetForecastRunRequest req;
    req.set_run_id(id);
    v1::GetForecastRunResponse resp;
    REQUIRE_OK(Call(*forecast, &v1::ForecastService::Stub::GetForecastRun, req, &resp));
    return resp.run();
  }
  grpc::Status Get(const v1::GetForecastRequest& req, v1::GetForecastResponse* resp,
                   const Who& who = Who()) {
    return Call(*forecast, &v1::ForecastService::Stub::GetForecast, req, resp, who);
  }
};

TEST_CASE("every forecasting RPC admits exactly the roles its access option declares") {
  Fixture f;
  const auto services = access_testing::ServicesOf(*v1::ForecastRun::descriptor());
  REQUIRE(services.size() == 2);
  CHECK(access_testing::CheckEveryMethodAndRole(f.base.channel(), services) == 8 * 8);
  // The empty requests changed nothing.
  CHECK(f.base.CountRows("forecast_runs") == 0);
  CHECK(f.base.CountRows("history_imports") == 0);
}

TEST_CASE("a legacy history file: refused whole on a bad line, imported in pieces, idempotent") {
  Fixture f;
  v1::HistoryImport imp;
  // Bad lines: an unknown BIN, a negative dispatching volume, a month after
  // the system went live, a malformed volume.
  const std::string bad =
      "bin,service,period,volume_kwh\n"
      "100000000001,transmission,2020-01,10\n"
      "999999999999,transmission,2020-01,10\n"
      "100000000002,dispatching,2020-02,-5\n"
      "100000000002,transmission,2024-12,5\n"
      "100000000003,balancing,2020-03,1.2345\n"
      "100000000003,transmission,2020-03,-7.5\n";
  grpc::Status st = f.Import(bad, &imp);
  REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(st.error_message().find("content: 4 bad lines, nothing imported") != std::string::npos);
  CHECK(st.error_message().find("line 3: bin: unknown BIN \"999999999999\"") != std::string::npos);
  CHECK(st.error_message().find("line 4: volume_kwh: negative volume -5 for dispatching") !=
        std::string::npos);
  CHECK(st.error_message().find("line 5: period: 2024-12 is after 2024-10") != std::string::npos);
  CHECK(st.error_message().find("line 6: volume_kwh") != std::string::npos);
  CHECK(f.base.CountRows("history_imports") == 0);
  CHECK(f.base.CountRows("history_months") == 0);

  const std::string csv = HistoryCsv();
  REQUIRE_OK(f.Import(csv, &imp, "import-1"));
  CHECK(imp.rows() == 3 * 2 * 70);
  v1::HistoryImport done = f.FinishImport(imp.id());
  CHECK(done.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(done.job().done() == 420);
  CHECK(done.changed() == 420);
  CHECK(done.job().summary() == "420 rows: 420 new or changed, 0 already present");
  CHECK(f.base.CountRows("history_months") == 420);
  CHECK(f.base.QueryInt("SELECT count(*) FROM job_pieces WHERE job_id = '" + imp.id() + "'") == 5);
  // Volumes are kept exact to the Wh.
  CHECK(f.base.QueryInt("SELECT volume_wh FROM history_months WHERE participant_id = 'P-1' AND "
                        "service_type = 1 AND period = '2019-01-01'") ==
        std::llround(Kwh(1, 1, 0) * 1000));

  // The same request again replays; the same file under a new request changes nothing.
  v1::HistoryImport replay;
  REQUIRE_OK(f.Import(csv, &replay, "import-1"));
  CHECK(replay.id() == imp.id());
  v1::HistoryImport again;
  REQUIRE_OK(f.Import(csv, &again));
  v1::HistoryImport again_done = f.FinishImport(again.id());
  CHECK(again_done.changed() == 0);
  CHECK(again_done.unchanged() == 420);
  CHECK(f.base.CountRows("history_months") == 420);
}

TEST_CASE("a forecast run: inputs recorded, models chosen, sums exact, access and bad input") {
  Fixture f;
  v1::HistoryImport imp;
  REQUIRE_OK(f.Import(HistoryCsv(), &imp));
  f.FinishImport(imp.id());

  // Bad input first: nothing is written.
  v1::ForecastRun run;
  v1::StartForecastRunRequest bad;
  bad.set_horizon_months(61);
  REQUIRE_GRPC(f.Start(bad, &run), grpc::StatusCode::INVALID_ARGUMENT, "horizon_months");
  bad.set_horizon_months(12);
  bad.mutable_history_to()->set_year(2018);
  bad.mutable_history_to()->set_month(6);
  REQUIRE_GRPC(f.Start(bad, &run), grpc::StatusCode::INVALID_ARGUMENT,
               "history_to: 2018-06 is before the history, which starts in 2019-01");
  bad.mutable_history_to()->set_year(2024);
  bad.mutable_history_to()->set_month(12);
  REQUIRE_GRPC(f.Start(bad, &run), grpc::StatusCode::INVALID_ARGUMENT, "history_to");
  bad.mutable_history_to()->set_month(13);
  REQUIRE_GRPC(f.Start(bad, &run), grpc::StatusCode::INVALID_ARGUMENT, "history_to");
  CHECK(f.base.CountRows("forecast_runs") == 0);

  v1::StartForecastRunRequest req;
  req.set_horizon_months(12);
  REQUIRE_OK(f.Start(req, &run));
  CHECK(run.version() == 1);
  CHECK(run.job().state() == common::v1::JOB_STATE_PENDING);
  run = f.FinishRun(run.id());
  INFO(run.job().error());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  // The inputs: the import, and the billing run of 2024-11 after it.
  CHECK(run.inputs().history_import_ids_size() == 1);
  REQUIRE(run.inputs().billing_run_ids_size() == 1);
  CHECK(run.inputs().billing_run_ids(0) == "run-2024-11");
  CHECK(run.inputs().history_to().year() == 2024);
  CHECK(run.inputs().history_to().month() == 11);
  CHECK(run.inputs().series() == 6);
  CHECK(run.inputs().gap_months() == 0);
  CHECK(run.job().done() == 6);
  CHECK(!run.accuracy().median_mase_chosen().value().empty());
  CHECK(run.job().summary().find("6 series; median MASE") == 0);

  // A participant: one forecast per service, December 2024 onwards, with accuracy.
  v1::GetForecastRequest q;
  q.set_level(v1::LEVEL_PARTICIPANT);
  q.set_participant_id("P-1");
  v1::GetForecastResponse p1;
  REQUIRE_OK(f.Get(q, &p1));
  CHECK(p1.run().id() == run.id());
  REQUIRE(p1.series_size() == 2);
  for (const v1::SeriesForecast& s : p1.series()) {
    CHECK(s.history_months() == 71);
    REQUIRE(s.points_size() == 12);
    CHECK(s.points(0).period().year() == 2024);
    CHECK(s.points(0).period().month() == 12);
    CHECK(s.candidates_size() == 4);
    CHECK(s.accuracy().errors() > 0);
    CHECK(s.accuracy().model() == s.model());
    for (const v1::ForecastPoint& p : s.points()) {
      CHECK(p.lower_95_wh() <= p.lower_80_wh());
      CHECK(p.lower_80_wh() <= p.volume_wh());
      CHECK(p.volume_wh() <= p.upper_80_wh());
      CHECK(p.upper_80_wh() <= p.upper_95_wh());
    }
  }

  // Bottom-up: region KZ-11 (P-1, P-2) and the nation add up to the Wh.
  std::map<std::pair<std::string, int>, std::vector<int64_t>> parts;
  for (const char* p : {"P-1", "P-2", "P-3"}) {
    q.set_participant_id(p);
    v1::GetForecastResponse r;
    REQUIRE_OK(f.Get(q, &r));
    for (const auto& s : r.series()) {
      for (const auto& pt : s.points()) parts[{p, s.service_type()}].push_back(pt.volume_wh());
    }
  }
  v1::GetForecastRequest region;
  region.set_level(v1::LEVEL_REGION);
  region.set_region_code("KZ-11");
  region.set_service_type(contracts::v1::SERVICE_TYPE_TRANSMISSION);
  v1::GetForecastResponse kz11;
  REQUIRE_OK(f.Get(region, &kz11));
  REQUIRE(kz11.series_size() == 1);
  v1::GetForecastRequest nation;
  nation.set_level(v1::LEVEL_NATION);
  v1::GetForecastResponse kz;
  REQUIRE_OK(f.Get(nation, &kz));
  REQUIRE(kz.series_size() == 2);
  for (int i = 0; i < 12; ++i) {
    CHECK(kz11.series(0).points(i).volume_wh() == parts[{"P-1", 1}][i] + parts[{"P-2", 1}][i]);
    for (int s = 0; s < 2; ++s) {
      const int service = kz.series(s).service_type();
      CHECK(kz.series(s).points(i).volume_wh() ==
            parts[{"P-1", service}][i] + parts[{"P-2", service}][i] + parts[{"P-3", service}][i]);
    }
  }
  CHECK(kz.series(0).model_spec() == "bottom-up sum of 3 series");

  // A contract: its participant's service within its validity (to 2025-06).
  v1::GetForecastRequest contract;
  contract.set_level(v1::LEVEL_CONTRACT);
  contract.set_contract_id("C-1");
  v1::GetForecastResponse c1;
  REQUIRE_OK(f.Get(contract, &c1));
  REQUIRE(c1.series_size() == 1);
  CHECK(c1.series(0).participant_id() == "P-2");
  CHECK(c1.series(0).points_size() == 6);  // 2025-01 .. 2025-06
  CHECK(c1.series(0).points(0).volume_wh() == parts[{"P-2", 1}][1]);

  // Access: a participant's user reads its own, nothing else.
  Who user{"user@p1", "ROLE_PARTICIPANT_USER", "P-1"};
  q.set_participant_id("P-1");
  v1::GetForecastResponse own;
  REQUIRE_OK(f.Get(q, &own, user));
  q.set_participant_id("P-2");
  REQUIRE_GRPC(f.Get(q, &own, user), grpc::StatusCode::PERMISSION_DENIED, "participant_id");
  REQUIRE_GRPC(f.Get(nation, &own, user), grpc::StatusCode::PERMISSION_DENIED, "level");
  REQUIRE_GRPC(f.Get(contract, &own, user), grpc::StatusCode::PERMISSION_DENIED, "contract_id");

  // Bad input names the field.
  q.set_participant_id("P-404");
  REQUIRE_GRPC(f.Get(q, &own), grpc::StatusCode::INVALID_ARGUMENT, "participant_id");
  contract.set_contract_id("C-404");
  REQUIRE_GRPC(f.Get(contract, &own), grpc::StatusCode::INVALID_ARGUMENT, "contract_id");
  region.set_region_code("KZ-99");
  REQUIRE_GRPC(f.Get(region, &own), grpc::StatusCode::INVALID_ARGUMENT, "region_code");
  v1::GetForecastRequest no_level;
  REQUIRE_GRPC(f.Get(no_level, &own), grpc::StatusCode::INVALID_ARGUMENT, "level");

  // Immutable: a succeeded run cannot be cancelled; a second run is version 2.
  v1::CancelForecastRunRequest cancel;
  cancel.set_request_id(f.RequestId());
  cancel.set_run_id(run.id());
  v1::CancelForecastRunResponse cancelled;
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::CancelForecastRun, cancel, &cancelled),
               grpc::StatusCode::FAILED_PRECONDITION, "immutable");
  v1::ForecastRun second;
  REQUIRE_OK(f.Start(req, &second));
  CHECK(second.version() == 2);
  cancel.set_request_id(f.RequestId());
  cancel.set_run_id(second.id());
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::CancelForecastRun, cancel, &cancelled));
  CHECK(cancelled.run().job().state() == common::v1::JOB_STATE_CANCELLED);
  v1::ListForecastRunsRequest list;
  list.set_page_size(1);
  v1::ListForecastRunsResponse page;
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::ListForecastRuns, list, &page));
  REQUIRE(page.runs_size() == 1);
  CHECK(page.runs(0).version() == 2);
  CHECK(!page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::ListForecastRuns, list, &page));
  REQUIRE(page.runs_size() == 1);
  CHECK(page.runs(0).version() == 1);
  CHECK(page.next_page_token().empty());
}

}  // namespace
}  // namespace gridbill::forecasting
