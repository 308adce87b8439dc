// The README's commands, run as printed: every gridbillctl line of a README
// code block tagged `readme-test` (```sh readme-test) is run against the real
// gridbill-contracts, -metering, -balance and -invoicing binaries started
// here with a reduced demo load of 2026-10 and its schemes. The README's
// placeholders are filled with ids of the demo month (FINAL-ID,
// CORRECTION-ID, P-ID from its balance runs; ID, ESF-ID, PARTICIPANT-ID
// from its documents), files named on a line (FILE.pdf, .xml, .csv,
// .jsonl) live in a temporary directory, and the payments file a line
// imports is written first. A line that fails fails the test, naming it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

constexpr char kContractsBin[] = GRIDBILL_CONTRACTS_BIN;
constexpr char kMeteringBin[] = GRIDBILL_METERING_BIN;
constexpr char kBalanceBin[] = GRIDBILL_BALANCE_BIN;
constexpr char kInvoicingBin[] = GRIDBILL_INVOICING_BIN;
constexpr char kCtlBin[] = GRIDBILL_CTL_BIN;
constexpr char kReadme[] = GRIDBILL_README;

using google::protobuf::Struct;

// A service binary on free ports with its own log file.
struct Service {
  std::string name;
  std::string address;
  std::unique_ptr<Process> process;

  Service(const std::string& binary, const std::string& database_url, const TempDir& dir,
          std::string label, const Env& extra = {})
      : name(std::move(label)), address("127.0.0.1:" + std::to_string(FreePort())) {
    Env env = {
        {"GRIDBILL_DATABASE_URL", database_url},
        {"GRIDBILL_GRPC_ADDRESS", address},
        {"GRIDBILL_METRICS_ADDRESS", "127.0.0.1:" + std::to_string(FreePort())},
        {"GRIDBILL_SHUTDOWN_GRACE", "5s"},
    };
    for (const auto& [k, v] : extra) env[k] = v;
    process = Process::Start({binary}, env, dir.File(name + ".log"));
  }

  void WaitServing(seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string status;
    while (std::chrono::steady_clock::now() < deadline && process->Running()) {
      status = HealthStatus(address, "", milliseconds(1000));
      if (status == "SERVING") return;
      std::this_thread::sleep_for(milliseconds(200));
    }
    INFO("last health answer: " << status << "\nlog:\n" << process->Log());
    FAIL(name << " did not become SERVING within " << timeout.count() << "s");
  }
};

std::vector<Struct> List(const Struct& s, const std::string& name) {
  std::vector<Struct> out;
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return out;
  for (const auto& v : it->second.list_value().values()) out.push_back(v.struct_value());
  return out;
}

Struct Obj(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? Struct() : it->second.struct_value();
}

std::string Str(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

int64_t Int(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return 0;
  return it->second.has_string_value() ? std::stoll(it->second.string_value())
                                       : static_cast<int64_t>(it->second.number_value());
}

// One command of a README block: the line as printed and its words.
struct ReadmeCommand {
  int line_no = 0;  // of the README
  std::string text;
  std::vector<std::string> words;  // after `$ctl`
};

// The gridbillctl lines of the README's blocks tagged `readme-test`: a
// trailing backslash continues a line, " #" starts a comment, the `ctl=`
// line only names the binary. Any other line of such a block is an error
// (the block would not be runnable as printed).
std::vector<ReadmeCommand> ReadmeCommands(const std::string& readme) {
  std::vector<ReadmeCommand> out;
  bool in_block = false;
  std::string pending;
  int pending_line = 0;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(readme, '\n')) {
    ++line_no;
    const std::string line(raw);
    if (!in_block) {
      in_block = line == "```sh readme-test";
      continue;
    }
    if (absl::StartsWith(line, "```")) {
      in_block = false;
      continue;
    }
    std::string code = line.substr(0, line.find(" #"));
    code = std::string(absl::StripAsciiWhitespace(code));
    if (pending.empty()) pending_line = line_no;
    if (absl::EndsWith(code, "\\")) {
      pending += code.substr(0, code.size() - 1) + " ";
      continue;
    }
    code = pending + code;
    pending.clear();
    if (code.empty() || absl::StartsWith(code, "ctl=")) continue;
    INFO("README line " << pending_line << ": " << line);
    REQUIRE(absl::StartsWith(code, "$ctl "));
    ReadmeCommand c;
    c.line_no = pending_line;
    c.text = code;
    for (absl::string_view w : absl::StrSplit(code.substr(5), ' ', absl::SkipEmpty())) {
      c.words.emplace_back(w);
    }
    out.push_back(std::move(c));
  }
  return out;
}

TEST_CASE("the README's tagged commands run as printed", "[suite][readme]") {
  const std::vector<ReadmeCommand> commands = ReadmeCommands(ReadFile(kReadme));
  REQUIRE(!commands.empty());

  TempDir dir;
  Service contracts(kContractsBin, CreateDatabase("suite_r_contracts"), dir, "contracts");
  Service metering(kMeteringBin, CreateDatabase("suite_r_metering"), dir, "metering");
  Service balance(kBalanceBin, CreateDatabase("suite_r_balance"), dir, "balance",
                  {{"GRIDBILL_METERING_ADDRESS", metering.address},
                   {"GRIDBILL_CONTRACTS_ADDRESS", contracts.address}});
  Service invoicing(kInvoicingBin, CreateDatabase("suite_r_invoicing"), dir, "invoicing",
                    {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                     {"GRIDBILL_BALANCE_ADDRESS", balance.address}});
  contracts.WaitServing(seconds(90));
  metering.WaitServing(seconds(90));
  balance.WaitServing(seconds(90));
  invoicing.WaitServing(seconds(90));
  const Env env = {{"GRIDBILL_ADDR", contracts.address},
                   {"GRIDBILL_METERING_ADDR", metering.address},
                   {"GRIDBILL_BALANCE_ADDR", balance.address},
                   {"GRIDBILL_INVOICING_ADDR", invoicing.address}};
  auto ctl = [&](std::vector<std::string> args, seconds timeout = seconds(300)) {
    args.insert(args.begin(), kCtlBin);
    CommandResult r = Run(args, env, timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return r;
  };
  auto json = [&](std::vector<std::string> args) {
    args.push_back("--output");
    args.push_back("json");
    Struct out;
    const std::string text = ctl(std::move(args)).out;
    INFO(text.substr(0, 2000));
    REQUIRE(google::protobuf::util::JsonStringToMessage(text, &out).ok());
    return out;
  };

  // The demo month as `up` leaves it, smaller: 40 points, 2026-10, its schemes
  // and final balance run.
  ctl({"demo", "load", "--seed", "7", "--points", "40", "--readings-months", "1", "--streams", "2"},
      seconds(900));
  ctl({"balance", "demo-schemes", "--seed", "7", "--max-points", "40"});
  // The month's final balance run, unless a README block starts it.
  const std::vector<std::string> final_run = {"balance", "run", "2026-10", "--type", "final"};
  if (std::none_of(commands.begin(), commands.end(),
                   [&](const ReadmeCommand& c) { return c.words == final_run; })) {
    ctl(final_run, seconds(600));
  }

  // Placeholders, filled from the demo month's documents when first needed.
  std::map<std::string, std::string> ids;
  Struct invoice;
  auto fill = [&] {
    if (ids.count("ID") > 0) return;
    const std::vector<Struct> invoices = List(
        json({"invoicing", "documents", "--period", "2026-10", "--type", "invoice"}), "documents");
    const std::vector<Struct> esfs =
        List(json({"invoicing", "documents", "--period", "2026-10", "--type", "esf"}), "documents");
    REQUIRE(!invoices.empty());
    REQUIRE(!esfs.empty());
    invoice = invoices.front();
    ids["ID"] = Str(invoice, "id");
    ids["ESF-ID"] = Str(esfs.front(), "id");
    ids["PARTICIPANT-ID"] = Str(invoice, "participantId");
  };
  // Balance placeholders, from the month's runs once the README started them.
  auto fill_balance = [&] {
    for (const Struct& r : List(json({"balance", "runs", "--period", "2026-10"}), "runs")) {
      if (Str(Obj(r, "job"), "state") != "JOB_STATE_SUCCEEDED") continue;
      if (Str(r, "type") == "RUN_TYPE_FINAL") ids["FINAL-ID"] = Str(r, "id");
      if (Str(r, "type") == "RUN_TYPE_CORRECTION" && ids.count("CORRECTION-ID") == 0) {
        ids["CORRECTION-ID"] = Str(r, "id");  // the latest: runs list newest first
      }
    }
    REQUIRE(ids.count("FINAL-ID") == 1);
    for (const Struct& t : List(json({"balance", "show", ids["FINAL-ID"]}), "services")) {
      if (Str(t, "serviceType") == "SERVICE_TYPE_TRANSMISSION") {
        ids["P-ID"] = Str(t, "participantId");
        break;
      }
    }
    REQUIRE(ids.count("P-ID") == 1);
  };
  const std::regex file_name("[A-Za-z0-9_.-]+\\.(pdf|xml|csv|jsonl)");

  int run = 0;
  bool imported = false;
  for (const ReadmeCommand& c : commands) {
    INFO("README line " << c.line_no << ": " << c.text);
    std::vector<std::string> args;
    for (const std::string& w : c.words) {
      if (w == "ID" || w == "ESF-ID" || w == "PARTICIPANT-ID") {
        fill();
        args.push_back(ids[w]);
      } else if (w == "FINAL-ID" || w == "CORRECTION-ID" || w == "P-ID") {
        if (ids.count(w) == 0) fill_balance();
        INFO("placeholder " << w);
        REQUIRE(ids.count(w) == 1);
        args.push_back(ids[w]);
      } else if (std::regex_match(w, file_name)) {
        args.push_back(dir.File(w));
      } else {
        args.push_back(w);
      }
    }
    const auto import = std::find(c.words.begin(), c.words.end(), "import-payments");
    const bool payments = import != c.words.end() && import + 1 != c.words.end();
    if (payments) {
      // A payment of half the first invoice, by its customer.
      fill();
      const int64_t half = Int(invoice, "totalTiyn") / 2;
      WriteFile(
          dir.File(*(import + 1)),
          absl::StrCat("reference,value_date,payer_bin,contract_number,amount,purpose\n",
                       "README-PAY-1,2026-11-20,", Str(invoice, "customerBin"), ",",
                       Str(invoice, "contractNumber"), ",",
                       absl::StrFormat("%d.%02d", half / 100, half % 100), ",README example\n"));
    }
    args.insert(args.begin(), kCtlBin);
    CommandResult r = Run(args, env, seconds(600));
    INFO(r.Describe());
    CHECK(r.exit_code == 0);
    ++run;
    if (payments && r.exit_code == 0) {
      imported = true;
      // The document and the list show what is still open.
      const int64_t open = Int(invoice, "totalTiyn") - Int(invoice, "totalTiyn") / 2;
      CHECK(Int(json({"invoicing", "document", ids["ID"]}), "openTiyn") == open);
      for (const Struct& d :
           List(json({"invoicing", "documents", "--period", "2026-10", "--type", "invoice"}),
                "documents")) {
        if (Str(d, "id") == ids["ID"]) CHECK(Int(d, "openTiyn") == open);
      }
    }
  }
  CHECK(run == static_cast<int>(commands.size()));
  CHECK(imported);
}

}  // namespace
}  // namespace gridbill::suite
