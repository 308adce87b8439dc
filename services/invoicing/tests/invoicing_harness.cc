#include "invoicing_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/domain/identifiers.h"
#include "gridbill/pg/query.h"
#include "gridbill/server/proto_convert.h"
#include "gridbill/testing/sanitizer_reports.h"
#include "grpcpp/create_channel.h"

extern char** environ;

namespace gridbill::invoicing::testing {

absl::TimeZone Almaty() {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &zone));
  return zone;
}

absl::Time Local(int y, int m, int d, int hh) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), Almaty());
}

std::string NewRequestId() {
  static std::atomic<int> n{0};
  return absl::StrCat("req-", ++n, "-", getpid());
}

common::v1::Date D(int y, int m, int d) { return ToProtoDate(absl::CivilDay(y, m, d)); }
common::v1::BillingPeriod P(int y, int m) { return ToProtoPeriod(Period(y, m)); }
BillingPeriod Period(int y, int m) { return *BillingPeriod::Make(y, m); }

// --- TestVolumes -------------------------------------------------------------

void TestVolumes::AddRun(const BillingPeriod& period, const std::string& id, BalanceRunType type) {
  absl::MutexLock lock(&mu_);
  runs_[period.ToString()].push_back(BalanceRunInfo{id, type});
  volumes_[id];
}

void TestVolumes::Set(const std::string& run_id, const std::string& participant_id, Service service,
                      int64_t wh, Completeness completeness) {
  absl::MutexLock lock(&mu_);
  volumes_[run_id].push_back(VolumeRecord{participant_id, service, wh, completeness});
}

absl::StatusOr<BalanceRunInfo> TestVolumes::BillingRun(const BillingPeriod& period,
                                                       const std::string& requested_id) {
  absl::MutexLock lock(&mu_);
  auto it = runs_.find(period.ToString());
  if (it == runs_.end() || it->second.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("balance_run_id: no final balance run for ", period.ToString()));
  }
  if (requested_id.empty()) return it->second.back();
  for (const BalanceRunInfo& r : it->second) {
    if (r.id == requested_id) return r;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("balance_run_id: not a run of ", period.ToString()));
}

absl::StatusOr<std::vector<VolumeRecord>> TestVolumes::Volumes(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  return volumes_[run_id];
}

void TestVolumes::SetHours(const std::string& run_id, const std::string& participant_id,
                           Service service, std::vector<std::pair<absl::Time, int64_t>> hours) {
  absl::MutexLock lock(&mu_);
  hours_[{run_id, participant_id, service}] = std::move(hours);
}

absl::StatusOr<std::optional<std::vector<int64_t>>> TestVolumes::SplitVolume(
    const std::string& run_id, const std::string& participant_id, Service service,
    const std::vector<TimeRange>& ranges) {
  absl::MutexLock lock(&mu_);
  auto it = hours_.find({run_id, participant_id, service});
  if (it == hours_.end()) return std::optional<std::vector<int64_t>>();
  std::vector<int64_t> out(ranges.size(), 0);
  for (const auto& [start, wh] : it->second) {
    for (size_t i = 0; i < ranges.size(); ++i) {
      if (start >= ranges[i].start && start < ranges[i].end) out[i] += wh;
    }
  }
  return std::optional<std::vector<int64_t>>(std::move(out));
}

// --- ContractsProcess --------------------------------------------------------

namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ContractsProcess::ContractsProcess() {
  // An empty database: the binary applies its own migrations at start.
  db_ = std::make_unique<pgtest::Database>(std::vector<pg::MigrationFile>{}, 1);
  address_ = absl::StrCat("127.0.0.1:", FreePort());
  char dir[] = "/tmp/gridbill-invoicing-test-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  log_path_ = absl::StrCat(dir, "/contracts.log");
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).substr(0, 9) != "GRIDBILL_") env.emplace_back(*e);
  }
  env.push_back(absl::StrCat("GRIDBILL_DATABASE_URL=", db_->conninfo()));
  env.push_back(absl::StrCat("GRIDBILL_GRPC_ADDRESS=", address_));
  env.push_back("GRIDBILL_METRICS_ADDRESS=");
  env.push_back("GRIDBILL_LOG_LEVEL=warn");
  std::vector<char*> envp;
  for (std::string& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string binary = GRIDBILL_CONTRACTS_BINARY;
  std::vector<char*> argv = {binary.data(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  auto channel = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  const bool up =
      channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30));
  INFO("contracts log: " << ReadAll(log_path_));
  REQUIRE(up);
}

ContractsProcess::~ContractsProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  // The log goes with its directory; a UBSan report in it is kept first.
  const std::filesystem::path dir = std::filesystem::path(log_path_).parent_path();
  gridbill::testing::KeepSanitizerReports(dir);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

// --- Harness -----------------------------------------------------------------

namespace {

Seller TestSeller() {
  Seller s;
  s.bin = "970740000838";
  s.name = "АО «KEGOC»";
  s.address = "г. Астана, пр. Тәуелсіздік, 59";
  s.iik = "KZ216010111000012345";
  s.bik = "HSBKKZKX";
  s.kbe = "16";
  s.vat_certificate_series = "62001";
  s.vat_certificate_number = "0012345";
  s.signatory_position = "Главный бухгалтер";
  s.signatory_name = "Әлия Қасымова";
  return s;
}

}  // namespace

Harness::Harness(RunOptions options)
    : contracts(),
      contracts_channel(
          grpc::CreateChannel(contracts.address(), grpc::InsecureChannelCredentials())),
      participant_stub(cv1::ParticipantService::NewStub(contracts_channel)),
      contract_stub(cv1::ContractService::NewStub(contracts_channel)),
      tariff_stub(cv1::TariffService::NewStub(contracts_channel)),
      base(GRIDBILL_INVOICING_MIGRATIONS_DIR,
           {.service_name = "invoicing", .metrics = true, .pool_size = 8}),
      clock(Local(2026, 4, 2)),
      store(db.pool()),
      idempotency(db.pool()),
      directory(contracts_channel, Almaty()),
      runs(store, directory, &volumes, clock, Almaty(), options, TestSeller(),
           "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", &job_metrics),
      documents(store, clock, TestSeller(), "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
      accounts(store, directory, clock),
      period_service(documents, idempotency),
      run_service(runs, idempotency),
      document_service(documents),
      payment_service(accounts, idempotency),
      export_service(documents) {
  runs.StartWorkers(2);
  base.Start({&period_service, &run_service, &document_service, &payment_service, &export_service});
  std::shared_ptr<grpc::Channel> channel = base.channel();
  period_stub = v1::BillingPeriodService::NewStub(channel);
  run_stub = v1::InvoiceRunService::NewStub(channel);
  document_stub = v1::DocumentService::NewStub(channel);
  payment_stub = v1::PaymentService::NewStub(channel);
  export_stub = v1::ErpExportService::NewStub(channel);
}

Harness::~Harness() {
  base.Stop();
  runs.StopWorkers();
}

namespace {

// Fixtures in the contracts service are set up as the operator.
template <typename Stub, typename Req, typename Resp>
grpc::Status Op(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                const Req& req, Resp* resp) {
  return ::gridbill::testing::Call(stub, method, req, resp, Who());
}

}  // namespace

cv1::Participant Harness::CreateParticipant(int n, const std::string& legal_name) {
  cv1::CreateParticipantRequest req;
  req.set_request_id(NewRequestId());
  auto* p = req.mutable_participant();
  p->set_bin(MakeBin(n));
  p->set_short_name(absl::StrCat("P", n));
  p->set_legal_name(legal_name);
  p->set_legal_address("Ақтөбе қ., Абай даңғылы, 1");
  p->add_roles(cv1::PARTICIPANT_ROLE_CONSUMER);
  cv1::CreateParticipantResponse resp;
  REQUIRE_OK(Op(*participant_stub, &cv1::ParticipantService::Stub::CreateParticipant, req, &resp));
  return resp.participant();
}

cv1::Contract Harness::CreateContract(const std::string& participant_id, const std::string& number,
                                      cv1::ServiceType service) {
  return CreateContract(participant_id, number, service, absl::CivilDay(2025, 1, 1), std::nullopt);
}

cv1::Contract Harness::CreateContract(const std::string& participant_id, const std::string& number,
                                      cv1::ServiceType service, absl::CivilDay valid_from,
                                      std::optional<absl::CivilDay> valid_to) {
  cv1::CreateContractRequest req;
  req.set_request_id(NewRequestId());
  auto* c = req.mutable_contract();
  c->set_number(number);
  c->set_participant_id(participant_id);
  c->set_service_type(service);
  *c->mutable_signed_on() = D(2024, 12, 20);
  *c->mutable_valid_from() = ToProtoDate(valid_from);
  if (valid_to) *c->mutable_valid_to() = ToProtoDate(*valid_to);
  c->mutable_payment_terms()->set_due_day(25);
  c->mutable_payment_terms()->set_prepayment_share("0");
  cv1::CreateContractResponse resp;
  REQUIRE_OK(Op(*contract_stub, &cv1::ContractService::Stub::CreateContract, req, &resp));
  cv1::TransitionContractRequest t;
  t.set_request_id(NewRequestId());
  t.set_id(resp.contract().id());
  t.set_target_state(cv1::CONTRACT_STATE_ACTIVE);
  t.set_reason("signed");
  cv1::TransitionContractResponse tr;
  REQUIRE_OK(Op(*contract_stub, &cv1::ContractService::Stub::TransitionContract, t, &tr));
  return tr.contract();
}

void Harness::SplitTariff(cv1::ServiceType service, absl::CivilDay last_day,
                          const std::string& price) {
  cv1::GetTariffInForceRequest g;
  g.set_service_type(service);
  *g.mutable_date() = ToProtoDate(last_day);
  cv1::GetTariffInForceResponse gr;
  REQUIRE_OK(Op(*tariff_stub, &cv1::TariffService::Stub::GetTariffInForce, g, &gr));
  cv1::UpdateTariffRequest u;
  u.set_request_id(NewRequestId());
  *u.mutable_tariff() = gr.tariff();
  *u.mutable_tariff()->mutable_valid_to() = ToProtoDate(last_day);
  u.mutable_update_mask()->add_paths("valid_to");
  u.set_reason("new tariff order");
  cv1::UpdateTariffResponse ur;
  REQUIRE_OK(Op(*tariff_stub, &cv1::TariffService::Stub::UpdateTariff, u, &ur));
  cv1::CreateTariffRequest c;
  c.set_request_id(NewRequestId());
  c.mutable_tariff()->set_service_type(service);
  c.mutable_tariff()->set_price_per_kwh(price);
  *c.mutable_tariff()->mutable_valid_from() = ToProtoDate(last_day + 1);
  c.mutable_tariff()->set_order_reference("test order");
  cv1::CreateTariffResponse cr;
  REQUIRE_OK(Op(*tariff_stub, &cv1::TariffService::Stub::CreateTariff, c, &cr));
}

void Harness::ChangeTariffPrice(cv1::ServiceType service, absl::CivilDay day,
                                const std::string& price) {
  cv1::GetTariffInForceRequest g;
  g.set_service_type(service);
  *g.mutable_date() = ToProtoDate(day);
  cv1::GetTariffInForceResponse gr;
  REQUIRE_OK(Op(*tariff_stub, &cv1::TariffService::Stub::GetTariffInForce, g, &gr));
  cv1::UpdateTariffRequest u;
  u.set_request_id(NewRequestId());
  *u.mutable_tariff() = gr.tariff();
  u.mutable_tariff()->set_price_per_kwh(price);
  u.mutable_update_mask()->add_paths("price_per_kwh");
  u.set_reason("retroactive order of the regulator");
  cv1::UpdateTariffResponse ur;
  REQUIRE_OK(Op(*tariff_stub, &cv1::TariffService::Stub::UpdateTariff, u, &ur));
}

v1::InvoiceRun Harness::RunInvoicing(int y, int m, v1::RunType type,
                                     const std::string& balance_run_id) {
  v1::StartInvoiceRunRequest req;
  req.set_request_id(NewRequestId());
  *req.mutable_period() = P(y, m);
  req.set_run_type(type);
  req.set_balance_run_id(balance_run_id);
  v1::StartInvoiceRunResponse resp;
  REQUIRE_OK(Call(*run_stub, &v1::InvoiceRunService::Stub::StartInvoiceRun, req, &resp));
  auto done = runs.Wait(resp.run().job().id(), absl::Seconds(120));
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  v1::GetInvoiceRunRequest g;
  g.set_id(resp.run().job().id());
  v1::GetInvoiceRunResponse gr;
  REQUIRE_OK(Call(*run_stub, &v1::InvoiceRunService::Stub::GetInvoiceRun, g, &gr));
  return gr.run();
}

std::vector<v1::Document> Harness::Documents(const std::string& contract_id,
                                             v1::DocumentType type) {
  v1::ListDocumentsRequest req;
  req.set_contract_id(contract_id);
  req.set_type(type);
  req.set_page_size(1000);
  v1::ListDocumentsResponse resp;
  REQUIRE_OK(Call(*document_stub, &v1::DocumentService::Stub::ListDocuments, req, &resp));
  return {resp.documents().begin(), resp.documents().end()};
}

int64_t Harness::CountRows(const std::string& table) { return base.CountRows(table); }

}  // namespace gridbill::invoicing::testing
