// Reporting over real binaries: gridbill-contracts, -metering, -balance,
// -invoicing and -reporting on free ports, each with its own database,
// driven by the real gridbillctl over a reduced demo month (2026-10: the
// final balance run and the invoice run). The read model is refreshed
// through the published APIs; each report's figures equal what invoicing
// answers for the same period; a second refresh reads nothing; the CSV
// export parses back to the table.
#include <array>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gridbill/base/csv.h"
#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

constexpr char kContractsBin[] = GRIDBILL_CONTRACTS_BIN;
constexpr char kMeteringBin[] = GRIDBILL_METERING_BIN;
constexpr char kBalanceBin[] = GRIDBILL_BALANCE_BIN;
constexpr char kInvoicingBin[] = GRIDBILL_INVOICING_BIN;
constexpr char kReportingBin[] = GRIDBILL_REPORTING_BIN;
constexpr char kCtlBin[] = GRIDBILL_CTL_BIN;

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

Struct Obj(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? Struct() : it->second.struct_value();
}

std::vector<Struct> List(const Struct& s, const std::string& name) {
  std::vector<Struct> out;
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return out;
  for (const auto& v : it->second.list_value().values()) out.push_back(v.struct_value());
  return out;
}

// A report's rows as cells.
std::vector<std::vector<std::string>> Rows(const Struct& report) {
  std::vector<std::vector<std::string>> out;
  for (const Struct& r : List(report, "rows")) {
    std::vector<std::string> cells;
    auto it = r.fields().find("cells");
    if (it != r.fields().end()) {
      for (const auto& v : it->second.list_value().values()) cells.push_back(v.string_value());
    }
    out.push_back(std::move(cells));
  }
  return out;
}

int64_t Fetched(const Struct& refresh, const std::string& source) {
  for (const Struct& s : List(refresh, "sources")) {
    if (Str(s, "source") == source) return Int(s, "fetched");
  }
  return -1;
}

struct Cli {
  Env env;
  CommandResult Run(const std::vector<std::string>& args, seconds timeout = seconds(120)) const {
    std::vector<std::string> argv = {kCtlBin};
    argv.insert(argv.end(), args.begin(), args.end());
    return suite::Run(argv, env, timeout);
  }
  Struct Json(std::vector<std::string> args, seconds timeout = seconds(120)) const {
    args.push_back("--output");
    args.push_back("json");
    CommandResult r = Run(args, timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return suite::Json(r.out);
  }
};

TEST_CASE("reports equal what the owning services answer", "[suite][reporting]") {
  TempDir dir;
  Running contracts(kContractsBin, CreateDatabase("suite_r_contracts"), dir, "contracts");
  Running metering(kMeteringBin, CreateDatabase("suite_r_metering"), dir, "metering");
  Running balance(kBalanceBin, CreateDatabase("suite_r_balance"), dir, "balance",
                  {{"GRIDBILL_METERING_ADDRESS", metering.address},
                   {"GRIDBILL_CONTRACTS_ADDRESS", contracts.address}});
  Running invoicing(kInvoicingBin, CreateDatabase("suite_r_invoicing"), dir, "invoicing",
                    {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                     {"GRIDBILL_BALANCE_ADDRESS", balance.address},
                     {"GRIDBILL_RENDER_PDF_IN_RUN", "false"}});
  Running reporting(kReportingBin, CreateDatabase("suite_r_reporting"), dir, "reporting",
                    {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                     {"GRIDBILL_INVOICING_ADDRESS", invoicing.address},
                     {"GRIDBILL_BALANCE_ADDRESS", balance.address},
                     {"GRIDBILL_METERING_ADDRESS", metering.address},
                     {"GRIDBILL_EXPORT_TMP_DIR", dir.path()}});
  for (Running* r : {&contracts, &metering, &balance, &invoicing, &reporting}) {
    r->WaitServing(seconds(90));
  }
  const Cli ctl{{{"GRIDBILL_ADDR", contracts.address},
                 {"GRIDBILL_METERING_ADDR", metering.address},
                 {"GRIDBILL_BALANCE_ADDR", balance.address},
                 {"GRIDBILL_INVOICING_ADDR", invoicing.address},
                 {"GRIDBILL_REPORTING_ADDR", reporting.address}}};

  {
    CommandResult load = ctl.Run({"demo", "load", "--seed", "11", "--points", "40",
                                  "--readings-months", "1", "--streams", "2"},
                                 seconds(900));
    INFO(load.Describe());
    REQUIRE(load.exit_code == 0);
    CommandResult schemes =
        ctl.Run({"balance", "demo-schemes", "--seed", "11", "--max-points", "40"}, seconds(300));
    INFO(schemes.Describe());
    REQUIRE(schemes.exit_code == 0);
  }
  const Struct final_run = ctl.Json({"balance", "run", "2026-10", "--type", "final"}, seconds(600));
  REQUIRE(Str(Obj(Obj(final_run, "run"), "job"), "state") == "JOB_STATE_SUCCEEDED");
  const std::string balance_run = Str(Obj(final_run, "run"), "id");
  const Struct run = ctl.Json({"invoicing", "run", "2026-10"}, seconds(600));
  REQUIRE(Str(Obj(run, "job"), "state") == "JOB_STATE_SUCCEEDED");
  REQUIRE(Int(run, "documentsIssued") > 0);

  // What invoicing answers for 2026-10.
  const Struct docs =
      ctl.Json({"invoicing", "documents", "--period", "2026-10", "--all", "--page-size", "1000"});
  std::map<std::string, int64_t> by_type;
  int64_t net = 0, vat = 0, gross = 0, volume = 0;
  std::map<std::string, int64_t> gross_of;  // participant -> invoices' totals
  for (const Struct& d : List(docs, "documents")) {
    ++by_type[Str(d, "type")];
    if (Str(d, "type") != "DOCUMENT_TYPE_INVOICE") continue;
    net += Int(d, "amountTiyn");
    vat += Int(d, "vatTiyn");
    gross += Int(d, "totalTiyn");
    gross_of[Str(d, "participantId")] += Int(d, "totalTiyn");
    for (const Struct& l : List(d, "lines")) volume += Int(l, "volumeWh");
  }
  REQUIRE(by_type["DOCUMENT_TYPE_INVOICE"] > 0);
  const int64_t all_documents = static_cast<int64_t>(List(docs, "documents").size());

  // A refresh reads every document once; the next one reads nothing.
  const Struct first = ctl.Json({"report", "refresh"}, seconds(300));
  REQUIRE(Str(Obj(first, "job"), "state") == "JOB_STATE_SUCCEEDED");
  CHECK(Fetched(first, "invoicing.documents") == all_documents);
  CHECK(Fetched(first, "contracts.participants") > 0);
  const Struct second = ctl.Json({"report", "refresh"}, seconds(300));
  CHECK(Fetched(second, "invoicing.documents") == 0);

  // R2: the invoices' lines of the month.
  const Struct r2 = ctl.Json({"report", "run", "R2", "--from", "2026-10"});
  CHECK(Str(Obj(r2, "freshness"), "refreshId") == Str(second, "id"));
  int64_t r2_volume = 0, r2_net = 0, r2_vat = 0, r2_gross = 0;
  for (const auto& row : Rows(r2)) {
    REQUIRE(row.size() == 12);
    CHECK(row[0] == "2026-10");
    r2_volume += std::stoll(row[5]);
    r2_net += std::stoll(row[6]);
    r2_vat += std::stoll(row[7]);
    r2_gross += std::stoll(row[8]);
  }
  CHECK(r2_volume == volume);
  CHECK(r2_net == net);
  CHECK(r2_vat == vat);
  CHECK(r2_gross == gross);

  // R8: the documents by type, the amounts, the runs.
  const auto r8 = Rows(ctl.Json({"report", "run", "R8", "--from", "2026-10"}));
  REQUIRE(r8.size() == 1);
  CHECK(std::stoll(r8[0][3]) == by_type["DOCUMENT_TYPE_INVOICE"]);
  CHECK(std::stoll(r8[0][4]) == by_type["DOCUMENT_TYPE_ACT"]);
  CHECK(std::stoll(r8[0][5]) == by_type["DOCUMENT_TYPE_ESF"]);
  CHECK(std::stoll(r8[0][8]) == net);
  CHECK(std::stoll(r8[0][10]) == gross);
  CHECK(r8[0][13] == Str(Obj(run, "job"), "id"));
  CHECK(r8[0][14] == balance_run);

  // R3: each participant's accruals; nothing paid, all open.
  const auto r3 = Rows(ctl.Json({"report", "run", "R3", "--from", "2026-10"}));
  CHECK(r3.size() == gross_of.size());
  for (const auto& row : r3) {
    INFO(row[0]);
    CHECK(std::stoll(row[3]) == gross_of[row[0]]);
    CHECK(std::stoll(row[4]) == 0);
    CHECK(std::stoll(row[5]) == gross_of[row[0]]);
  }

  // R1: balance's node results of the month's billing run.
  {
    const Struct totals = ctl.Json({"balance", "show", balance_run});
    const std::vector<Struct> nodes = List(totals, "nodes");
    REQUIRE(!nodes.empty());
    const auto r1 = Rows(ctl.Json({"report", "run", "R1", "--from", "2026-10"}));
    REQUIRE(r1.size() == nodes.size());
    std::map<std::string, std::vector<std::string>> by_code;
    for (const auto& row : r1) by_code[row[1]] = row;
    int64_t consumption = 0, generation = 0;
    for (const Struct& n : nodes) {
      INFO(Str(n, "nodeCode"));
      const auto it = by_code.find(Str(n, "nodeCode"));
      REQUIRE(it != by_code.end());
      CHECK(std::stoll(it->second[3]) == Int(n, "inflowWh"));
      CHECK(std::stoll(it->second[4]) == Int(n, "outflowWh"));
      CHECK(std::stoll(it->second[5]) == Int(n, "consumptionWh"));
      CHECK(std::stoll(it->second[6]) == Int(n, "generationWh"));
      CHECK(std::stoll(it->second[7]) == Int(n, "lossesWh"));
      CHECK(it->second[8] == Str(Obj(n, "lossesPercent"), "value"));
      CHECK(it->second[12] == balance_run);
      consumption += std::stoll(it->second[5]);
      generation += std::stoll(it->second[6]);
    }
    // The demo's nodes have consumers and plants: the columns are not all 0,
    // and over the nodes they are the run's closure (supply and consumption
    // at the points of participant schemes).
    const Struct closure = Obj(Obj(Obj(totals, "run"), "summary"), "closure");
    CHECK(consumption > 0);
    CHECK(generation > 0);
    CHECK(consumption == Int(closure, "consumptionWh"));
    CHECK(generation == Int(closure, "supplyWh"));
  }

  // R4: metering's counts of the billed month, each point's intervals adding up.
  {
    const auto r4 = Rows(ctl.Json({"report", "run", "R4", "--from", "2026-10"}));
    REQUIRE(!r4.empty());
    for (size_t i = 0; i < r4.size(); ++i) {
      const auto& row = r4[i];
      INFO(row[3]);
      CHECK(row[0] == "2026-10");
      CHECK(std::stoll(row[5]) > 0);
      CHECK(std::stoll(row[6]) + std::stoll(row[7]) + std::stoll(row[8]) + std::stoll(row[9]) ==
            std::stoll(row[5]));
      CHECK(row[14] == std::to_string(i + 1));
    }
  }

  // R5: per month, what contracts' CountApplications answers.
  {
    const auto r5 = Rows(ctl.Json({"report", "run", "R5", "--from", "2025-01", "--to", "2026-12"}));
    REQUIRE(!r5.empty());
    std::map<std::string, std::array<int64_t, 4>> by_month;
    for (const auto& row : r5) {
      for (int i = 0; i < 4; ++i) by_month[row[0]][i] += std::stoll(row[2 + i]);
    }
    for (const auto& [month, counts] : by_month) {
      INFO(month);
      const Struct c = ctl.Json({"applications", "count", "--period", month});
      CHECK(counts[0] == Int(c, "received"));
      CHECK(counts[1] == Int(c, "processed"));
      CHECK(counts[2] == Int(c, "closed"));
      CHECK(counts[3] == Int(c, "overdue"));
    }
  }

  // The CSV export parses back to the table.
  const std::string csv = dir.File("r2.csv");
  CommandResult exported =
      ctl.Run({"report", "run", "R2", "--from", "2026-10", "--format", "csv", "--out", csv});
  INFO(exported.Describe());
  REQUIRE(exported.exit_code == 0);
  const CsvParseResult parsed = ParseCsv(ReadFile(csv));
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.records.size() == Rows(r2).size() + 1);
  int64_t csv_net = 0;
  for (size_t i = 1; i < parsed.records.size(); ++i) {
    csv_net += std::stoll(parsed.records[i].fields[6]);
  }
  CHECK(csv_net == net);

  // Bad parameters: named, nothing written.
  CommandResult bad = ctl.Run({"report", "run", "R2", "--from", "2026-10", "--to", "2026-09",
                               "--format", "csv", "--out", dir.File("bad.csv")});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("parameters.period_to") != std::string::npos);
  CHECK(!std::filesystem::exists(dir.File("bad.csv")));

  // One new invoice run (a retroactive tariff billed by a correction run):
  // the refreshes after it fetch exactly its documents, from invoicing's
  // change feed (a feed holds rows back while an older transaction is open,
  // so refreshes are repeated until they have caught up).
  ctl.Json({"tariffs", "change", "--service", "transmission", "--from", "2026-10-16", "--price",
            "4.321", "--order", "Order No. 78-ОД of 2026-11-20 (suite reporting)"});
  const Struct correction = ctl.Json({"invoicing", "run", "2026-10", "--correction"}, seconds(600));
  REQUIRE(Str(Obj(correction, "job"), "state") == "JOB_STATE_SUCCEEDED");
  const int64_t issued = Int(correction, "documentsIssued");
  REQUIRE(issued > 0);
  int64_t fetched = 0;
  for (int i = 0; i < 5 && fetched < issued; ++i) {
    const Struct after = ctl.Json({"report", "refresh"}, seconds(300));
    REQUIRE(Str(Obj(after, "job"), "state") == "JOB_STATE_SUCCEEDED");
    for (const Struct& s : List(after, "sources")) {
      if (Str(s, "source") == "invoicing.documents") CHECK(Str(s, "mode") == "changes");
    }
    fetched += Fetched(after, "invoicing.documents");
  }
  CHECK(fetched == issued);
  CHECK(Fetched(ctl.Json({"report", "refresh"}, seconds(300)), "invoicing.documents") == 0);
}

}  // namespace
}  // namespace gridbill::suite
