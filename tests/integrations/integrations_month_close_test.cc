// The month close through the adapters only, over the real binaries: the
// suite (contracts, metering, balance, invoicing) behind a real gateway,
// gridbill-integrations calling it with an integration client's API key, and
// the ESF, ITSM, ERP and CMIS (archive) stand-ins. A broken CMS file is
// rejected and opens one ITSM incident, the fixed file is imported through
// metering and resolves it; the balance and invoice runs of 2026-10; every
// issued document is received once by the ERP stand-in (its manifest checked),
// and the run's entries file, the run reconciled by the service (match)
// and archived once over CMIS (the integrity check reads every one back
// against invoicing), every ESF is registered once;
// a 1C Client-Bank statement paying an invoice is imported as a payment
// allocated to it. The warehouse export reads the month's facts through the
// gateway with the same key; its rows are counted against balance's totals,
// and a re-export of the same range writes the same bytes.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "documents.h"
#include "dwh.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc_suite.h"
#include "grpcpp/create_channel.h"
#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Struct;

Struct Json(const std::string& text) {
  Struct out;
  INFO(text.substr(0, 2000));
  REQUIRE(google::protobuf::util::JsonStringToMessage(text, &out).ok());
  return out;
}
int64_t Int(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return 0;
  return it->second.has_string_value() ? std::stoll(it->second.string_value())
                                       : static_cast<int64_t>(it->second.number_value());
}
std::string Str(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}
std::vector<Struct> List(const Struct& s, const std::string& name) {
  std::vector<Struct> out;
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return out;
  for (const auto& v : it->second.list_value().values()) out.push_back(v.struct_value());
  return out;
}

struct Cli {
  Env env;
  CommandResult Run(const std::vector<std::string>& args, seconds timeout = seconds(120)) const {
    std::vector<std::string> argv = {GRIDBILL_CTL_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return suite::Run(argv, env, timeout);
  }
  std::string Ok(const std::vector<std::string>& args, seconds timeout = seconds(120)) const {
    CommandResult r = Run(args, timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return r.out;
  }
  Struct Json(std::vector<std::string> args, seconds timeout = seconds(120)) const {
    args.push_back("--output");
    args.push_back("json");
    return suite::Json(Ok(args, timeout));
  }
};

// Waits up to `timeout` for `done`; false when it never held.
bool WaitFor(const std::function<bool()>& done, seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(200));
  }
  return done();
}

int CountFiles(const std::string& dir, const std::string& suffix) {
  int n = 0;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return 0;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    n += absl::EndsWith(e.path().string(), suffix) ? 1 : 0;
  }
  return n;
}

// A SCADA sender: one connection in the line protocol (HELLO, the values,
// then the adapter's answers up to the ACK of the last seq). Returns what
// the adapter answered, one line each.
std::vector<std::string> SendScada(int port, const std::vector<std::string>& lines,
                                   int64_t last_seq) {
  std::vector<std::string> answers;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval tv{};
  tv.tv_sec = 60;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  REQUIRE(send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
  shutdown(fd, SHUT_WR);  // the end of the stream: the adapter stores the rest and closes
  std::string buffer;
  char chunk[4096];
  const std::string done = "ACK " + std::to_string(last_seq);
  while (true) {
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      answers.push_back(buffer.substr(0, nl));
      buffer.erase(0, nl + 1);
    }
    if (!answers.empty() && (answers.back() == done || answers.back().rfind("ERR", 0) == 0)) break;
    const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  return answers;
}

// The ITSM stand-in's incidents of one correlation id: {all, active}.
std::pair<int, int> Incidents(int port, const std::string& correlation_id) {
  httplib::Client client("127.0.0.1", port);
  client.set_basic_auth("gridbill", "standin");
  httplib::Result r =
      client.Get("/api/now/table/incident", {{"sysparm_query", "correlation_id=" + correlation_id}},
                 httplib::Headers{}, httplib::Progress());
  if (!r || r->status != 200) return {-1, -1};
  int all = 0, resolved = 0;
  const std::string mark = "\"correlation_id\":\"" + correlation_id + "\",\"state\":\"";
  for (size_t p = r->body.find(mark); p != std::string::npos; p = r->body.find(mark, p + 1)) {
    ++all;
    resolved += r->body.compare(p + mark.size(), 1, "6") == 0 ? 1 : 0;
  }
  return {all, all - resolved};
}

// A stand-in's counter from its stats page.
int64_t Stat(int port, const std::string& path, const std::string& name) {
  std::string error;
  std::optional<HttpResponse> r = HttpGet("127.0.0.1", port, path, milliseconds(5000), &error);
  if (!r || r->status != 200) return -1;
  const std::string mark = "\"" + name + "\":";
  const size_t p = r->body.find(mark);
  return p == std::string::npos ? -1 : std::stoll(r->body.substr(p + mark.size()));
}

TEST_CASE("month close through the adapters only", "[suite][integrations]") {
  TempDir dir;
  Running contracts(GRIDBILL_CONTRACTS_BIN, CreateDatabase("int_close_contracts"), dir,
                    "contracts");
  Running metering(GRIDBILL_METERING_BIN, CreateDatabase("int_close_metering"), dir, "metering");
  Running balance(GRIDBILL_BALANCE_BIN, CreateDatabase("int_close_balance"), dir, "balance",
                  {{"GRIDBILL_METERING_ADDRESS", metering.address},
                   {"GRIDBILL_CONTRACTS_ADDRESS", contracts.address}});
  Running invoicing(GRIDBILL_INVOICING_BIN, CreateDatabase("int_close_invoicing"), dir, "invoicing",
                    {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                     {"GRIDBILL_BALANCE_ADDRESS", balance.address},
                     {"GRIDBILL_RENDER_PDF_IN_RUN", "false"}});
  WriteFile(dir.File("admin_password"), "admin-password-for-the-integrations-test\n");
  Running gateway(GRIDBILL_GATEWAY_BIN, CreateDatabase("int_close_gateway"), dir, "gateway",
                  {{"GRIDBILL_IDENTITY_SECRET", "integrations-test-identity-secret-0123456789"},
                   {"GRIDBILL_TOKEN_SECRET", "integrations-test-token-secret-0123456789ab"},
                   {"GRIDBILL_WEB_ADDRESS", "127.0.0.1:" + std::to_string(FreePort())},
                   {"GRIDBILL_BACKEND_CONTRACTS", contracts.address},
                   {"GRIDBILL_BACKEND_METERING", metering.address},
                   {"GRIDBILL_BACKEND_BALANCE", balance.address},
                   {"GRIDBILL_BACKEND_INVOICING", invoicing.address},
                   {"GRIDBILL_BOOTSTRAP_ADMIN", "admin"},
                   {"GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE", dir.File("admin_password")},
                   {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
                   {"GRIDBILL_ARGON2_TIME_COST", "1"}});
  for (Running* r : {&contracts, &metering, &balance, &invoicing, &gateway}) {
    r->WaitServing(seconds(90));
  }
  const Cli ctl{{{"GRIDBILL_ADDR", contracts.address},
                 {"GRIDBILL_METERING_ADDR", metering.address},
                 {"GRIDBILL_BALANCE_ADDR", balance.address},
                 {"GRIDBILL_INVOICING_ADDR", invoicing.address}}};
  {
    CommandResult load = ctl.Run({"demo", "load", "--seed", "7", "--points", "40",
                                  "--readings-months", "1", "--streams", "2"},
                                 seconds(900));
    INFO(load.Describe());
    REQUIRE(load.exit_code == 0);
    ctl.Ok({"balance", "demo-schemes", "--seed", "7", "--max-points", "40"}, seconds(300));
  }

  // The integration client's API key, made by the admin through the gateway.
  const std::string token = ctl.Ok({"--gateway", gateway.address, "auth", "sign-in", "--user",
                                    "admin", "--password-file", dir.File("admin_password")});
  const std::string made =
      ctl.Ok({"--gateway", gateway.address, "--token", token.substr(0, token.find('\n')), "auth",
              "create-api-key", "integrations", "--roles", "integration_client", "--request-id",
              "integrations-key-1"});
  const std::string key = made.substr(0, made.find('\n'));
  REQUIRE(key.rfind("gbk_", 0) == 0);

  const int esf_port = FreePort(), itsm_port = FreePort(), scada_port = FreePort();
  auto esf = Process::Start({GRIDBILL_ESF_STANDIN_BIN, "--port", std::to_string(esf_port)}, {},
                            dir.File("esf.log"));
  auto itsm = Process::Start({GRIDBILL_ITSM_STANDIN_BIN, "--port", std::to_string(itsm_port)}, {},
                             dir.File("itsm.log"));
  const std::string root = dir.File("adapters");
  const int erp_port = FreePort(), cmis_port = FreePort();
  std::filesystem::create_directories(root + "/erp-out");
  auto erp = Process::Start(
      {GRIDBILL_ERP_STANDIN_BIN, "--port", std::to_string(erp_port), "--dir", root + "/erp-out"},
      {}, dir.File("erp.log"));
  auto cmis = Process::Start({GRIDBILL_CMIS_STANDIN_BIN, "--port", std::to_string(cmis_port)}, {},
                             dir.File("cmis.log"));
  const std::string cmis_url =
      absl::StrCat("http://127.0.0.1:", cmis_port, "/cmis/browser/gridbill");
  Running integrations(
      GRIDBILL_INTEGRATIONS_BIN, CreateDatabase("int_close_integrations"), dir, "integrations",
      {{"GRIDBILL_GATEWAY_ADDRESS", gateway.address},
       {"GRIDBILL_API_KEY", key},
       {"GRIDBILL_CMS_INBOUND_DIR", root + "/cms-in"},
       {"GRIDBILL_BANK_INBOUND_DIR", root + "/bank-in"},
       {"GRIDBILL_ERP_OUTBOX_DIR", root + "/erp-out"},
       {"GRIDBILL_ECM_CMIS_URL", cmis_url},
       {"GRIDBILL_ECM_CMIS_USER", "gridbill"},
       {"GRIDBILL_ECM_CMIS_PASSWORD", "standin"},
       {"GRIDBILL_ESF_URL", "http://127.0.0.1:" + std::to_string(esf_port)},
       {"GRIDBILL_ESF_BIN", "940740000911"},
       {"GRIDBILL_ESF_USERNAME", "kegoc"},
       {"GRIDBILL_ESF_PASSWORD", "standin"},
       {"GRIDBILL_ITSM_URL", "http://127.0.0.1:" + std::to_string(itsm_port)},
       {"GRIDBILL_ITSM_USER", "gridbill"},
       {"GRIDBILL_ITSM_PASSWORD", "standin"},
       {"GRIDBILL_SCADA_LISTEN_ADDRESS", "127.0.0.1:" + std::to_string(scada_port)},
       {"GRIDBILL_PROBLEM_CHECK_INTERVAL", "1s"},
       {"GRIDBILL_POLL_INTERVAL", "100ms"},
       {"GRIDBILL_RETRY_FIRST_DELAY", "200ms"},
       {"GRIDBILL_RETRY_MAX_DELAY", "2s"}});
  integrations.WaitServing(seconds(60));
  INFO("integrations log:\n" << integrations.process->Log());

  // --- CMS: a broken file opens an incident; the fixed one resolves it. -------
  const Struct schemes = ctl.Json({"balance", "schemes", "list", "--period", "2026-10"});
  std::string point;
  for (const Struct& s : List(schemes, "schemes")) {
    for (const Struct& t : List(s, "terms")) {
      if (Str(t, "channel") == "CHANNEL_ACTIVE_RECEIVED") point = Str(t, "pointCode");
    }
    if (!point.empty()) break;
  }
  REQUIRE(!point.empty());
  fs::create_directories(root + "/cms-in");
  WriteFile(root + "/cms-in/day.csv.tmp",
            "point_code,channel,interval_start,value\nNO-SUCH-POINT,01,2026-10-31 00:00,5\n");
  fs::rename(root + "/cms-in/day.csv.tmp", root + "/cms-in/day.csv");
  REQUIRE(
      WaitFor([&] { return fs::exists(root + "/cms-in/rejected/day.csv.reason"); }, seconds(60)));
  INFO("reason: " << ReadFile(root + "/cms-in/rejected/day.csv.reason"));
  CHECK(WaitFor([&] { return Incidents(itsm_port, "cms/day.csv").second == 1; }, seconds(30)));
  WriteFile(root + "/cms-in/day.csv.tmp", absl::StrCat("point_code,channel,interval_start,value\n",
                                                       point, ",01,2026-10-31 00:00,5\n"));
  fs::rename(root + "/cms-in/day.csv.tmp", root + "/cms-in/day.csv");
  REQUIRE(WaitFor([&] { return fs::exists(root + "/cms-in/done/day.csv"); }, seconds(120)));
  CHECK(WaitFor([&] { return Incidents(itsm_port, "cms/day.csv").second == 0; }, seconds(30)));
  CHECK(Incidents(itsm_port, "cms/day.csv").first == 1);

  // The problem watch reads contracts through the gateway: the demo's
  // applications past their deadline make one incident.
  const int64_t overdue =
      Int(ctl.Json({"applications", "list", "--overdue", "--page-size", "1"}), "totalSize");
  INFO(overdue << " applications overdue");
  CHECK(WaitFor(
      [&] { return Incidents(itsm_port, "applications/overdue").second == (overdue > 0 ? 1 : 0); },
      seconds(60)));

  // --- SCADA: a stream of telemetry for the same point, stored by metering as
  // the check values beside the CMS ones; a resend after a reconnect is
  // skipped (RESUME names the last stored seq).
  std::vector<std::string> values;
  for (int h = 1; h <= 3; ++h) {
    values.push_back(
        absl::StrFormat("%d %s 1 2026-10-31T%02d:00:00+05:00 %d", h, point, h, 1000 + h));
  }
  std::vector<std::string> first = {"HELLO scada-close 1"};
  first.insert(first.end(), values.begin(), values.end());
  const std::vector<std::string> acked = SendScada(scada_port, first, 3);
  INFO(absl::StrJoin(acked, " | "));
  REQUIRE(acked.size() >= 2);
  CHECK(acked.front() == "RESUME 0");
  CHECK(acked.back() == "ACK 3");
  const std::vector<std::string> again = SendScada(scada_port, first, 3);
  INFO(absl::StrJoin(again, " | "));
  CHECK(again.front() == "RESUME 3");
  {
    const Struct readings = ctl.Json({"metering", "readings", point, "--channel", "01", "--period",
                                      "2026-10", "--resolution", "native"});
    int checked = 0;
    for (const Struct& v : List(readings, "values")) {
      const auto it = v.fields().find("scadaValueWh");
      if (it != v.fields().end()) ++checked;
    }
    CHECK(checked == 3);
  }

  // --- The month's runs (the operator's part). --------------------------------
  // An invoice run started before the month's final balance run fails (no
  // volumes to bill): the problem watch opens one incident for it.
  const std::string invoice_problem = "run/invoicing/2026-10/regular";
  {
    const CommandResult early = ctl.Run({"invoicing", "run", "2026-10"}, seconds(600));
    INFO(early.Describe());
    CHECK(early.exit_code != 0);
    CHECK(WaitFor([&] { return Incidents(itsm_port, invoice_problem).second == 1; }, seconds(60)));
  }
  ctl.Ok({"balance", "run", "2026-10", "--type", "final"}, seconds(600));
  ctl.Ok({"invoicing", "run", "2026-10"}, seconds(600));
  // The run that succeeded resolves it; no second incident.
  CHECK(WaitFor([&] { return Incidents(itsm_port, invoice_problem).second == 0; }, seconds(60)));
  CHECK(Incidents(itsm_port, invoice_problem).first == 1);
  const std::vector<Struct> documents =
      List(ctl.Json({"invoicing", "documents", "--period", "2026-10", "--all"}), "documents");
  REQUIRE(!documents.empty());
  int esfs = 0;
  const Struct* invoice = nullptr;
  for (const Struct& d : documents) {
    esfs += Str(d, "type") == "DOCUMENT_TYPE_ESF" ? 1 : 0;
    if (invoice == nullptr && Str(d, "type") == "DOCUMENT_TYPE_INVOICE") invoice = &d;
  }
  REQUIRE(invoice != nullptr);
  const int n = static_cast<int>(documents.size());

  // --- Out: ERP folder, archive, ESF registered, each exactly once. ----------
  const bool all = WaitFor(
      [&] {
        return Stat(erp_port, "/stats", "deliveries") == n &&
               Stat(cmis_port, "/stats", "documents") == n &&
               Stat(esf_port, "/esf/v1/stats", "registrations") == esfs;
      },
      seconds(300));
  INFO(Stat(erp_port, "/stats", "deliveries")
       << " received by ERP, " << Stat(cmis_port, "/stats", "documents") << " archived, "
       << Stat(esf_port, "/esf/v1/stats", "registrations") << " registered, of " << n
       << " documents (" << esfs << " ESF)\n"
       << ctl.Run({"--integrations-addr", integrations.address, "integrations", "status"}).out);
  CHECK(all);
  // ERP: every manifest held (rows, totals, SHA-256), no key twice.
  CHECK(Stat(erp_port, "/stats", "rejected") == 0);
  CHECK(Stat(erp_port, "/stats", "duplicates") == 0);
  CHECK(Stat(erp_port, "/stats", "rows") == n);
  int64_t issued_tiyn = 0;
  for (const Struct& d : documents) issued_tiyn += Int(d, "totalTiyn");
  CHECK(Stat(erp_port, "/stats", "total_tiyn") == issued_tiyn);  // the run's totals reconciled
  // The run's entries (ErpExportService accruals): one file, its manifest
  // checked by the stand-in, summing to the receivable documents.
  int64_t receivable_tiyn = 0, lines = 0;
  for (const Struct& d : documents) {
    const std::string type = Str(d, "type");
    if (type == "DOCUMENT_TYPE_ACT" || type == "DOCUMENT_TYPE_ESF") continue;
    receivable_tiyn += Int(d, "totalTiyn");
    auto it = d.fields().find("lines");
    if (it != d.fields().end()) lines += it->second.list_value().values_size();
  }
  CHECK(WaitFor([&] { return Stat(erp_port, "/stats", "entries") == 1; }, seconds(60)));
  CHECK(Stat(erp_port, "/stats", "entries_total_tiyn") == receivable_tiyn);
  CHECK(Stat(erp_port, "/stats", "entry_rows") == lines);
  CHECK(CountFiles(root + "/erp-out", ".manifest") == n + 1);
  // The service's own reconciliation of the run: everything invoicing
  // reports was received, to the tiyn (exit 0: no mismatch).
  {
    const Cli at_integrations{
        [&] {
          Env e = ctl.env;
          e["GRIDBILL_INTEGRATIONS_ADDR"] = integrations.address;
          return e;
        }(),
    };
    std::vector<Struct> runs;
    CHECK(WaitFor(
        [&] {
          runs = List(at_integrations.Json({"integrations", "reconcile", "--period", "2026-10"}),
                      "reconciliations");
          return runs.size() == 1 && Str(runs[0], "state") == "RECONCILIATION_STATE_MATCH";
        },
        seconds(60)));
    INFO(at_integrations.Run({"integrations", "reconcile", "--period", "2026-10"}).out);
    REQUIRE(runs.size() == 1);
    CHECK(Str(runs[0], "state") == "RECONCILIATION_STATE_MATCH");
    const Struct inv = runs[0].fields().at("invoicing").struct_value();
    const Struct entries = runs[0].fields().at("erpEntries").struct_value();
    CHECK(Int(inv, "documents") == n);
    CHECK(Int(inv, "totalTiyn") == receivable_tiyn);
    CHECK(Int(entries, "totalTiyn") == receivable_tiyn);
    CHECK(Int(entries, "entryRows") == lines);
  }
  CHECK(Stat(cmis_port, "/stats", "bad_hashes") == 0);
  CHECK(Stat(esf_port, "/esf/v1/stats", "duplicate_registrations") == 0);
  CHECK(Stat(esf_port, "/esf/v1/stats", "invoices") == esfs);
  // October's ESF deadline (2026-11-20) may have passed: while ESF were
  // pending the watch may have opened an incident; all registered, none is
  // open, and no final run failed.
  CHECK(WaitFor([&] { return Incidents(itsm_port, "esf-deadline/2026-10").second == 0; },
                seconds(30)));
  CHECK(Incidents(itsm_port, "run/balance/2026-10/final").first == 0);
  CHECK(Stat(itsm_port, "/stats", "duplicate_active") == 0);

  // --- In: a bank statement paying the invoice. ------------------------------
  const int64_t total = Int(*invoice, "totalTiyn");
  const std::string statement = absl::StrCat(
      "1CClientBankExchange\nВерсияФормата=1.03\nКодировка=Windows\nРасчСчет=KZ86125KZT5004100100\n"
      "СекцияДокумент=Платежное поручение\nНомер=77\nДата=05.11.2026\nСумма=",
      absl::StrFormat("%d.%02d", total / 100, total % 100),
      "\nПлательщикСчет=KZ75125KZT2069100100\nПлательщикБИН=", Str(*invoice, "customerBin"),
      "\nПолучательСчет=KZ86125KZT5004100100\nДатаПоступило=05.11.2026\n"
      "НазначениеПлатежа=Оплата по договору № ",
      Str(*invoice, "contractNumber"), " за октябрь 2026\nКонецДокумента\nКонецФайла\n");
  fs::create_directories(root + "/bank-in");
  CommandResult cp1251 = suite::Run({"/usr/bin/iconv", "-f", "UTF-8", "-t", "CP1251", "-o",
                                     root + "/bank-in/statement.txt.tmp", "/dev/stdin"},
                                    {}, seconds(10), [&] {
                                      WriteFile(dir.File("statement.utf8"), statement);
                                      return dir.File("statement.utf8");
                                    }());
  INFO(cp1251.Describe());
  REQUIRE(cp1251.exit_code == 0);
  fs::rename(root + "/bank-in/statement.txt.tmp", root + "/bank-in/statement.txt");
  const bool imported =
      WaitFor([&] { return fs::exists(root + "/bank-in/done/statement.txt"); }, seconds(60));
  INFO((fs::exists(root + "/bank-in/rejected/statement.txt.reason")
            ? ReadFile(root + "/bank-in/rejected/statement.txt.reason")
            : std::string("not rejected")));
  REQUIRE(imported);
  const Struct paid = ctl.Json({"invoicing", "document", Str(*invoice, "id")});
  CHECK(Int(paid, "openTiyn") == 0);

  {
    // --- Warehouse: the month's facts through the gateway with the same key. ---
    integrations::GrpcSuite suite(
        grpc::CreateChannel(gateway.address, grpc::InsecureChannelCredentials()), key,
        absl::Seconds(120));
    // --- Archive: every document read back from CMIS against invoicing, as an
    // operator checks it (the binary, --check_archive), after someone
    // replaced the invoice's PDF in the ECM: the others hold.
    const Env check_env = {{"GRIDBILL_DATABASE_URL", "postgresql://unused/integrations"},
                           {"GRIDBILL_GATEWAY_ADDRESS", gateway.address},
                           {"GRIDBILL_API_KEY", key},
                           {"GRIDBILL_ECM_CMIS_URL", cmis_url},
                           {"GRIDBILL_ECM_CMIS_USER", "gridbill"},
                           {"GRIDBILL_ECM_CMIS_PASSWORD", "standin"}};
    const std::string number = Str(*invoice, "number");
    httplib::Client c("127.0.0.1", cmis_port);
    c.set_basic_auth("gridbill", "standin");
    httplib::Result replaced =
        c.Post(absl::StrCat("/cmis/browser/gridbill/root/2026-10/", number, "/document.pdf"),
               httplib::MultipartFormDataItems{
                   {"cmisaction", "setContent", "", ""},
                   {"content", "%PDF-1.4 not the issued one", "document.pdf", "application/pdf"}});
    REQUIRE(replaced);
    REQUIRE(replaced->status == 200);
    CommandResult tampered =
        Run({GRIDBILL_INTEGRATIONS_BIN, "--check_archive=true"}, check_env, seconds(300));
    INFO(tampered.Describe());
    CHECK(tampered.exit_code != 0);
    CHECK(absl::StrContains(tampered.out,
                            number + ": document.pdf does not hash to its gridbill:sha256"));
    CHECK(
        absl::StrContains(tampered.out, absl::StrCat(n, " archived documents checked, 1 differ")));
    const absl::CivilDay day(2026, 12, 7);
    absl::StatusOr<integrations::DwhFactsExported> exported =
        integrations::DwhFactsExport(suite, root + "/dwh").Export(day, {});
    INFO(exported.status());
    REQUIRE(exported.ok());
    CHECK(exported->runs == 1);
    CHECK(exported->payment_rows == 1);
    const std::vector<Struct> runs =
        List(ctl.Json({"balance", "runs", "--period", "2026-10"}), "runs");
    REQUIRE(runs.size() == 1);
    const std::string run_id = Str(runs[0], "id");
    const std::string part = "/period=2026-10/run=" + run_id;
    const auto csv = [&](const std::string& path) {
      CommandResult r = suite::Run({"/usr/bin/gzip", "-dc", path}, {}, seconds(60));
      INFO(r.Describe());
      REQUIRE(r.exit_code == 0);
      std::vector<std::vector<std::string>> rows;
      for (absl::string_view line : absl::StrSplit(r.out, '\n', absl::SkipEmpty())) {
        rows.push_back(absl::StrSplit(line, ','));
      }
      REQUIRE(!rows.empty());
      rows.erase(rows.begin());  // the header
      return rows;
    };
    // Hourly volumes: per participant x service, the hours and their sum are
    // balance's totals of the run; node balances: one row per node total.
    const Struct totals = ctl.Json({"balance", "show", run_id});
    std::map<std::string, std::pair<int64_t, int64_t>> hours;  // hours, Wh
    const auto hourly = csv(root + "/dwh/hourly_volumes" + part + "/part-00000.csv.gz");
    for (const std::vector<std::string>& row : hourly) {
      REQUIRE(row.size() == 11);
      auto& h = hours[row[1] + "/" + absl::AsciiStrToUpper(row[2])];
      ++h.first;
      h.second += std::stoll(row[4]);
    }
    CHECK(exported->hourly_rows == static_cast<int64_t>(hourly.size()));
    const std::vector<Struct> services = List(totals, "services");
    REQUIRE(!services.empty());
    CHECK(hours.size() == services.size());
    for (const Struct& s : services) {
      const std::string k = Str(s, "participantId") + "/" +
                            Str(s, "serviceType").substr(std::string("SERVICE_TYPE_").size());
      INFO(k);
      CHECK(hours[k].first == Int(s, "hours"));
      CHECK(hours[k].second == Int(s, "actualWh"));
    }
    const auto nodes = csv(root + "/dwh/node_balances" + part + "/part-00000.csv.gz");
    CHECK(nodes.size() == List(totals, "nodes").size());
    CHECK(exported->node_rows == static_cast<int64_t>(nodes.size()));
    // Readings quality by day: the CMS file's point has its 31 October, and
    // every row's intervals are its qualities summed.
    const auto quality = csv(root + "/dwh/readings_quality" + part + "/part-00000.csv.gz");
    CHECK(exported->quality_rows == static_cast<int64_t>(quality.size()));
    bool cms_day = false;
    for (const std::vector<std::string>& row : quality) {
      REQUIRE(row.size() == 11);
      int64_t sum = 0;
      for (int i = 6; i <= 10; ++i) sum += std::stoll(row[i]);
      CHECK(sum == std::stoll(row[5]));
      cms_day |= row[1] == "2026-10-31" && row[2] == point && row[3] == "active_received";
    }
    CHECK(cms_day);
    const auto payments = csv(root + "/dwh/payments/date=2026-12-07/part-00000.csv.gz");
    REQUIRE(payments.size() == 1);
    CHECK(payments[0][5] == Str(*invoice, "contractNumber"));
    CHECK(std::stoll(payments[0][6]) == total);
    CHECK(std::stoll(payments[0][7]) == total);  // allocated whole
    const std::string manifest = ReadFile(root + "/dwh/hourly_volumes" + part + "/manifest.json");
    CHECK(absl::StrContains(manifest, absl::StrCat("\"rows\":", hourly.size())));
    CHECK(absl::StrContains(manifest, "\"schema_version\":1"));

    // The same range again: the same files, byte for byte; after the cursors
    // nothing new.
    absl::StatusOr<integrations::DwhFactsExported> again =
        integrations::DwhFactsExport(suite, root + "/dwh-again").Export(day, {});
    REQUIRE(again.ok());
    int compared = 0;
    for (const auto& e : fs::recursive_directory_iterator(root + "/dwh")) {
      if (!e.is_regular_file()) continue;
      const std::string rel = fs::relative(e.path(), root + "/dwh").string();
      INFO(rel);
      CHECK(ReadFile(root + "/dwh-again/" + rel) == ReadFile(e.path().string()));
      ++compared;
    }
    CHECK(compared == 8);  // 4 tables, data + manifest
    absl::StatusOr<integrations::DwhFactsExported> next =
        integrations::DwhFactsExport(suite, root + "/dwh").Export(day, exported->to);
    REQUIRE(next.ok());
    CHECK(next->runs == 0);
    CHECK(next->payment_rows == 0);
  }
}

}  // namespace
}  // namespace gridbill::suite
