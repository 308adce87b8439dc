// One invoice run on two replicas of gridbill-invoicing against one
// database, one of them killed (SIGKILL) halfway: the other takes over its
// pieces once their lease has expired, and the books are as if nothing had
// happened: every contract billed once, numbering gapless, no duplicate
// document, and the run's counts equal the documents that exist. The
// contracts come from the real gridbill-contracts; the balance service is a
// stand-in in this process serving one final run's volumes (slowly, so that
// the run is still going when a replica is killed).
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/domain/identifiers.h"
#include "gridbill/invoicing/v1/invoicing.grpc.pb.h"
#include "gridbill/pgtest/pgtest.h"
#include "grpcpp/grpcpp.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

namespace bv1 = ::gridbill::balance::v1;
namespace cv1 = ::gridbill::contracts::v1;
namespace iv1 = ::gridbill::invoicing::v1;

constexpr char kContractsBin[] = GRIDBILL_CONTRACTS_BIN;
constexpr char kInvoicingBin[] = GRIDBILL_INVOICING_BIN;
constexpr int kContracts = 120;
constexpr int kBatch = 6;  // contracts per piece: 20 pieces

// A query's rows as text, for the checks on the books.
class Db {
 public:
  explicit Db(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str()), &PQfinish) {
    REQUIRE(PQstatus(conn_.get()) == CONNECTION_OK);
  }
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn_.get(), sql.c_str()), &PQclear);
    INFO(sql << ": " << PQerrorMessage(conn_.get()));
    REQUIRE(PQresultStatus(res.get()) == PGRES_TUPLES_OK);
    std::vector<std::vector<std::string>> out;
    for (int r = 0; r < PQntuples(res.get()); ++r) {
      std::vector<std::string> row;
      for (int c = 0; c < PQnfields(res.get()); ++c) row.emplace_back(PQgetvalue(res.get(), r, c));
      out.push_back(std::move(row));
    }
    return out;
  }
  int64_t Int(const std::string& sql) {
    auto rows = Rows(sql);
    REQUIRE(rows.size() == 1);
    return std::stoll(rows[0][0]);
  }

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

// The balance service as invoicing reads it: one final run of 2026-03 in
// which every participant received 1 000 Wh in every hour of the month.
// Each hourly stream takes a while, as a real one over a month would.
class FakeBalance final : public bv1::BalanceService::Service {
 public:
  explicit FakeBalance(std::vector<std::string> participants)
      : participants_(std::move(participants)) {}

  grpc::Status GetBillingRun(grpc::ServerContext*, const bv1::GetBillingRunRequest*,
                             bv1::GetBillingRunResponse* resp) override {
    Fill(resp->mutable_run());
    return grpc::Status::OK;
  }
  grpc::Status ListRunTotals(grpc::ServerContext*, const bv1::ListRunTotalsRequest*,
                             bv1::ListRunTotalsResponse* resp) override {
    Fill(resp->mutable_run());
    for (const std::string& p : participants_) {
      bv1::ServiceTotal* t = resp->add_services();
      t->set_participant_id(p);
      t->set_service_type(cv1::SERVICE_TYPE_TRANSMISSION);
      t->set_actual_wh(744 * 1000);
      t->set_hours(744);
      t->mutable_quality()->set_intervals(744 * 4);
      t->set_run_id("bal-final");
    }
    return grpc::Status::OK;
  }
  grpc::Status StreamServiceHours(grpc::ServerContext*, const bv1::StreamServiceHoursRequest* req,
                                  grpc::ServerWriter<bv1::StreamServiceHoursResponse>* w) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    bv1::StreamServiceHoursResponse chunk;
    // March 2026 in Asia/Almaty (UTC+5): from 2026-02-28T19:00Z, 744 hours.
    const int64_t start = 1772305200;
    for (int h = 0; h < 744; ++h) {
      bv1::ServiceHour* hour = chunk.add_hours();
      hour->set_participant_id(req->participant_id());
      hour->set_service_type(req->service_type());
      hour->mutable_hour_start()->set_seconds(start + 3600LL * h);
      hour->set_actual_wh(1000);
    }
    w->Write(chunk);
    return grpc::Status::OK;
  }

 private:
  static void Fill(bv1::BalanceRun* run) {
    run->set_id("bal-final");
    run->set_type(bv1::RUN_TYPE_FINAL);
    run->mutable_period()->set_year(2026);
    run->mutable_period()->set_month(3);
    run->mutable_job()->set_state(common::v1::JOB_STATE_SUCCEEDED);
  }
  std::vector<std::string> participants_;
};

template <typename Stub, typename Req, typename Resp>
grpc::Status Op(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                const Req& req, Resp* resp, const std::string& roles = "ROLE_OPERATOR") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ctx.AddMetadata("x-gridbill-principal", "operator@kegoc.kz");
  ctx.AddMetadata("x-gridbill-roles", roles);
  return (stub.*method)(&ctx, req, resp);
}

#define REQUIRE_OK(expr)                                                \
  do {                                                                  \
    const grpc::Status st_ = (expr);                                    \
    INFO("status " << st_.error_code() << ": " << st_.error_message()); \
    REQUIRE(st_.ok());                                                  \
  } while (0)

// A BIN with a valid check digit.
std::string MakeBin(int n) {
  for (int k = n;; k += 1000) {
    std::string first11 = absl::StrCat("9901400", absl::StrFormat("%04d", k % 10000));
    const int check = BinCheckDigit(first11);
    if (check >= 0) return absl::StrCat(first11, check);
  }
}

struct Replica {
  std::string address;
  std::unique_ptr<Process> process;
};

Replica StartInvoicing(const std::string& worker, const std::string& db_url,
                       const std::string& contracts, const std::string& balance,
                       const TempDir& dir) {
  Replica r;
  r.address = "127.0.0.1:" + std::to_string(FreePort());
  Env env = {
      {"GRIDBILL_DATABASE_URL", db_url},     {"GRIDBILL_GRPC_ADDRESS", r.address},
      {"GRIDBILL_METRICS_ADDRESS", ""},      {"GRIDBILL_CONTRACTS_ADDRESS", contracts},
      {"GRIDBILL_BALANCE_ADDRESS", balance}, {"GRIDBILL_ISSUE_BATCH", std::to_string(kBatch)},
      {"GRIDBILL_RUN_WORKERS", "1"},         {"GRIDBILL_RUN_LEASE", "3s"},
      {"GRIDBILL_WORKER_ID", worker},        {"GRIDBILL_RENDER_PDF_IN_RUN", "false"},
      {"GRIDBILL_SHUTDOWN_GRACE", "2s"},
  };
  r.process = Process::Start({kInvoicingBin}, env, dir.File("invoicing-" + worker + ".log"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline && r.process->Running()) {
    if (HealthStatus(r.address, "", milliseconds(1000)) == "SERVING") return r;
    std::this_thread::sleep_for(milliseconds(100));
  }
  FAIL("invoicing " << worker << " did not become SERVING:\n" << r.process->Log());
  return r;
}

TEST_CASE("an invoice run survives one of two replicas killed halfway", "[suite][jobs]") {
  TempDir dir;
  // The contracts service with its fixtures.
  const std::string contracts_address = "127.0.0.1:" + std::to_string(FreePort());
  auto contracts = Process::Start({kContractsBin},
                                  {{"GRIDBILL_DATABASE_URL", CreateDatabase("replicas_contracts")},
                                   {"GRIDBILL_GRPC_ADDRESS", contracts_address},
                                   {"GRIDBILL_METRICS_ADDRESS", ""}},
                                  dir.File("contracts.log"));
  for (int i = 0; i < 300 && HealthStatus(contracts_address, "", milliseconds(1000)) != "SERVING";
       ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  REQUIRE(HealthStatus(contracts_address, "", milliseconds(1000)) == "SERVING");
  auto channel = grpc::CreateChannel(contracts_address, grpc::InsecureChannelCredentials());
  auto participants = cv1::ParticipantService::NewStub(channel);
  auto contract_stub = cv1::ContractService::NewStub(channel);
  std::vector<std::string> participant_ids;
  for (int i = 0; i < kContracts; ++i) {
    const std::string bin = MakeBin(i + 1);
    cv1::CreateParticipantRequest req;
    req.set_request_id(absl::StrCat("p-", i));
    req.mutable_participant()->set_bin(bin);
    req.mutable_participant()->set_short_name(absl::StrCat("P", i));
    req.mutable_participant()->set_legal_name(absl::StrCat("ТОО «Тест ", i, "»"));
    req.mutable_participant()->set_legal_address("Астана, 1");
    req.mutable_participant()->add_roles(cv1::PARTICIPANT_ROLE_CONSUMER);
    cv1::CreateParticipantResponse resp;
    REQUIRE_OK(Op(*participants, &cv1::ParticipantService::Stub::CreateParticipant, req, &resp));
    participant_ids.push_back(resp.participant().id());
    // Valid from the 2nd: billed its part of the month from the hourly volumes.
    cv1::CreateContractRequest c;
    c.set_request_id(absl::StrCat("c-", i));
    c.mutable_contract()->set_number(absl::StrFormat("TR-%04d", i));
    c.mutable_contract()->set_participant_id(resp.participant().id());
    c.mutable_contract()->set_service_type(cv1::SERVICE_TYPE_TRANSMISSION);
    c.mutable_contract()->mutable_signed_on()->set_year(2026);
    c.mutable_contract()->mutable_signed_on()->set_month(2);
    c.mutable_contract()->mutable_signed_on()->set_day(20);
    c.mutable_contract()->mutable_valid_from()->set_year(2026);
    c.mutable_contract()->mutable_valid_from()->set_month(3);
    c.mutable_contract()->mutable_valid_from()->set_day(2);
    c.mutable_contract()->mutable_payment_terms()->set_due_day(25);
    c.mutable_contract()->mutable_payment_terms()->set_prepayment_share("0");
    cv1::CreateContractResponse cr;
    REQUIRE_OK(Op(*contract_stub, &cv1::ContractService::Stub::CreateContract, c, &cr));
    cv1::TransitionContractRequest t;
    t.set_request_id(absl::StrCat("t-", i));
    t.set_id(cr.contract().id());
    t.set_target_state(cv1::CONTRACT_STATE_ACTIVE);
    t.set_reason("signed");
    cv1::TransitionContractResponse tr;
    REQUIRE_OK(Op(*contract_stub, &cv1::ContractService::Stub::TransitionContract, t, &tr));
  }

  // The balance stand-in.
  FakeBalance balance(participant_ids);
  int balance_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &balance_port);
  builder.RegisterService(&balance);
  std::unique_ptr<grpc::Server> balance_server = builder.BuildAndStart();
  REQUIRE(balance_port > 0);
  const std::string balance_address = absl::StrCat("127.0.0.1:", balance_port);

  // Two replicas on one database.
  const std::string db_url = CreateDatabase("replicas_invoicing");
  Replica a = StartInvoicing("replica-a", db_url, contracts_address, balance_address, dir);
  Replica b = StartInvoicing("replica-b", db_url, contracts_address, balance_address, dir);
  Db db(db_url);

  auto runs_a = iv1::InvoiceRunService::NewStub(
      grpc::CreateChannel(a.address, grpc::InsecureChannelCredentials()));
  iv1::StartInvoiceRunRequest start;
  start.set_request_id("month-2026-03");
  start.mutable_period()->set_year(2026);
  start.mutable_period()->set_month(3);
  start.set_run_type(iv1::RUN_TYPE_REGULAR);
  iv1::StartInvoiceRunResponse started;
  REQUIRE_OK(Op(*runs_a, &iv1::InvoiceRunService::Stub::StartInvoiceRun, start, &started,
                "ROLE_ACCOUNTANT"));
  const std::string run_id = started.run().job().id();
  const std::string job = "'" + run_id + "'";

  // Halfway, while replica a has pieces done and holds one: kill it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int64_t done_at_kill = 0;
  int64_t a_pieces = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    done_at_kill = db.Int("SELECT done FROM jobs WHERE id = " + job);
    a_pieces = db.Int("SELECT count(*) FROM job_pieces WHERE job_id = " + job +
                      " AND state = 2 AND claimed_by = 'replica-a'");
    const int64_t a_holds = db.Int("SELECT count(*) FROM job_pieces WHERE job_id = " + job +
                                   " AND state = 1 AND claimed_by = 'replica-a'");
    if (done_at_kill >= kContracts / 3 && a_pieces > 0 && a_holds > 0) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  a.process->Signal(SIGKILL);
  REQUIRE(a.process->WaitExit(std::chrono::seconds(10)) == 128 + SIGKILL);
  INFO("at the kill: " << done_at_kill << " contracts done, " << a_pieces << " pieces by a");
  REQUIRE(done_at_kill >= kContracts / 3);
  REQUIRE(done_at_kill < kContracts);  // the run was still going
  REQUIRE(a_pieces > 0);

  // Replica b finishes the run.
  auto runs_b = iv1::InvoiceRunService::NewStub(
      grpc::CreateChannel(b.address, grpc::InsecureChannelCredentials()));
  iv1::InvoiceRun run;
  for (int i = 0; i < 1200; ++i) {
    iv1::GetInvoiceRunRequest get;
    get.set_id(run_id);
    iv1::GetInvoiceRunResponse got;
    REQUIRE_OK(
        Op(*runs_b, &iv1::InvoiceRunService::Stub::GetInvoiceRun, get, &got, "ROLE_ACCOUNTANT"));
    run = got.run();
    if (run.job().state() != common::v1::JOB_STATE_PENDING &&
        run.job().state() != common::v1::JOB_STATE_RUNNING) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  INFO("run: " << run.ShortDebugString() << "\nlog of b:\n" << b.process->Log());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);

  // Every contract billed once: an invoice, an act and an ESF each.
  CHECK(db.Int("SELECT count(*) FROM documents") == 3 * kContracts);
  CHECK(db.Int("SELECT count(*) FROM billings") == kContracts);
  CHECK(db.Int("SELECT count(*) FROM (SELECT contract_id, doc_type FROM documents "
               "GROUP BY 1, 2 HAVING count(*) > 1) d") == 0);
  CHECK(db.Int("SELECT count(DISTINCT number) FROM documents") == 3 * kContracts);
  // Numbering gapless per type: 1..n.
  for (const auto& row : db.Rows("SELECT doc_type, count(*), min(seq), max(seq), "
                                 "count(DISTINCT contract_id) FROM documents GROUP BY doc_type")) {
    INFO(row[0]);
    CHECK(row[1] == std::to_string(kContracts));
    CHECK(row[2] == "1");
    CHECK(row[3] == std::to_string(kContracts));
    CHECK(row[4] == std::to_string(kContracts));
  }
  // The run's counts are the documents that exist, and it says so.
  CHECK(run.documents_issued() == 3 * kContracts);
  CHECK(run.documents_issued() ==
        db.Int("SELECT count(*) FROM documents WHERE invoice_run_id = " + job));
  CHECK(run.contracts_skipped() == 0);
  CHECK(run.contracts_failed() == 0);
  CHECK(run.job().done() == kContracts);
  CHECK(run.job().total() == kContracts);
  CHECK(run.job().summary().rfind(absl::StrCat(3 * kContracts, " documents issued"), 0) == 0);
  // Both replicas did part of the work; b took over what a held when it died.
  CHECK(db.Int("SELECT count(*) FROM job_pieces WHERE job_id = " + job +
               " AND claimed_by = 'replica-b'") > 0);
  CHECK(db.Int("SELECT count(*) FROM job_pieces WHERE job_id = " + job + " AND state <> 2") == 0);
  CHECK(db.Int("SELECT count(*) FROM job_pieces WHERE job_id = " + job +
               " AND claim_epoch > 1 AND claimed_by = 'replica-b'") >= 1);
  balance_server->Shutdown();
}

}  // namespace
}  // namespace gridbill::suite
