// The README's commands, run as printed. Every ```sh block of README.md is
// either tagged `readme-test` (```sh readme-test) and run here, or names
// the tests that run what it shows (```sh covered-by=NAME[,NAME]: each a
// test ctest lists, not disabled), or is the command CI runs (```sh
// ci-command: every command of the block is a line of .ci/run, as run from
// the checkout's root; running it is CI's job, not a test's), or says that
// no test runs it (```sh untested: the local cluster's own scripts,
// machine-wide runs);
// the "[lint]" case fails on any other block, and on a plain block that
// starts with a command.
//
// Every line of a `readme-test` block is run, in README order, with bash in
// a temporary directory against the real gridbill-contracts, -metering,
// -balance, -invoicing, -forecasting, -reporting, -gateway and
// -integrations binaries started here on fresh databases (integrations
// through the gateway with its own API key, as `up` starts it, its ESF
// adapter pointed at nothing so that the month leaves dead letters): the
// README's own lines load the small demo, define its schemes and start its
// runs. `$ctl` and `gridbillctl`
// are the CLI; `up`'s addresses in a line (127.0.0.1:7100, :8100, :9101)
// are the test's. A variable a block sets (`export X=$(...)`) lasts until
// the block ends; a lower-case one (`key=...`) for the rest of the README.
// Placeholders in capitals (ID, FINAL-ID, POINT-CODE, ...) are filled with
// ids the listing commands show when first needed; the payments, points,
// readings and 80020 files a line imports are written first (the 80020 file
// is the README's own example). A line that fails fails the test, naming
// it, and so does a time of day printed without its offset.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
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
constexpr char kForecastingBin[] = GRIDBILL_FORECASTING_BIN;
constexpr char kGatewayBin[] = GRIDBILL_GATEWAY_BIN;
constexpr char kCtlBin[] = GRIDBILL_CTL_BIN;
constexpr char kReadme[] = GRIDBILL_README;
constexpr char kReportingBin[] = GRIDBILL_REPORTING_BIN;
constexpr char kIntegrationsBin[] = GRIDBILL_INTEGRATIONS_BIN;
constexpr char kBuildDir[] = GRIDBILL_BUILD_DIR;
constexpr char kCtest[] = GRIDBILL_CTEST;
constexpr char kSourceDir[] = GRIDBILL_SOURCE_DIR;

using google::protobuf::Struct;

// A service binary on free ports with its own log file.
struct Service {
  std::string name;
  std::string address;
  std::string metrics_address = "127.0.0.1:" + std::to_string(FreePort());
  std::unique_ptr<Process> process;

  Service(const std::string& binary, const std::string& database_url, const TempDir& dir,
          std::string label, const Env& extra = {})
      : name(std::move(label)), address("127.0.0.1:" + std::to_string(FreePort())) {
    Env env = {
        {"GRIDBILL_DATABASE_URL", database_url},
        {"GRIDBILL_GRPC_ADDRESS", address},
        {"GRIDBILL_METRICS_ADDRESS", metrics_address},
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

// A fenced block of the README: the line of its opening fence, the words
// after the fence (`sh readme-test`) and its lines.
struct ReadmeBlock {
  int line_no = 0;
  std::string info;
  std::vector<std::string> lines;
};

std::vector<ReadmeBlock> ReadmeBlocks(const std::string& readme) {
  std::vector<ReadmeBlock> out;
  bool in_block = false;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(readme, '\n')) {
    ++line_no;
    const std::string line(raw);
    if (!absl::StartsWith(line, "```")) {
      if (in_block) out.back().lines.push_back(line);
      continue;
    }
    if (in_block) {
      in_block = false;
      continue;
    }
    in_block = true;
    out.push_back({line_no, std::string(absl::StripAsciiWhitespace(line.substr(3))), {}});
  }
  return out;
}

// One command of a README block: the line as run (continuations joined,
// comment dropped), its words, and the variable it sets, if any.
struct ReadmeCommand {
  int line_no = 0;  // of the README
  int block = 0;    // which tagged block, from 1
  std::string text;
  std::vector<std::string> words;
  std::string assign;  // `[export ]NAME=VALUE`: NAME
  std::string value;   // the literal VALUE, or the command inside `$(...)`
  bool substitute = false;
};

// The lines of the README's blocks tagged `readme-test`: a trailing
// backslash continues a line, " #" starts a comment, `ctl=` only names the
// binary. A line sets a variable (`[export ]NAME=VALUE`, VALUE a literal or
// `$(command)`) or is a command.
std::vector<ReadmeCommand> ReadmeCommands(const std::string& readme) {
  std::vector<ReadmeCommand> out;
  int block = 0;
  const std::regex assignment("(export +)?([A-Za-z_][A-Za-z0-9_]*)=(.*)");
  for (const ReadmeBlock& b : ReadmeBlocks(readme)) {
    if (b.info != "sh readme-test") continue;
    ++block;
    std::string pending;
    int pending_line = 0;
    for (size_t i = 0; i < b.lines.size(); ++i) {
      const int line_no = b.line_no + 1 + static_cast<int>(i);
      std::string code = b.lines[i].substr(0, b.lines[i].find(" #"));
      code = std::string(absl::StripAsciiWhitespace(code));
      if (pending.empty()) pending_line = line_no;
      if (absl::EndsWith(code, "\\")) {
        pending += code.substr(0, code.size() - 1) + " ";
        continue;
      }
      code = pending + code;
      pending.clear();
      if (code.empty() || absl::StartsWith(code, "ctl=")) continue;
      ReadmeCommand c;
      c.line_no = pending_line;
      c.block = block;
      c.text = code;
      std::smatch m;
      if (std::regex_match(code, m, assignment)) {
        c.assign = m[2];
        c.value = m[3];
        if (absl::StartsWith(c.value, "$(") && absl::EndsWith(c.value, ")")) {
          c.substitute = true;
          c.value = c.value.substr(2, c.value.size() - 3);
        }
      }
      for (absl::string_view w :
           absl::StrSplit(c.substitute ? c.value : code, ' ', absl::SkipEmpty())) {
        c.words.emplace_back(w);
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

// The tests ctest knows in this build, and whether each is disabled.
std::map<std::string, bool> CtestTests() {
  CommandResult r = Run({kCtest, "--test-dir", kBuildDir, "--show-only=json-v1"}, {}, seconds(120));
  INFO(r.Describe());
  REQUIRE(r.exit_code == 0);
  Struct listing;
  REQUIRE(google::protobuf::util::JsonStringToMessage(r.out, &listing).ok());
  std::map<std::string, bool> out;
  for (const Struct& t : List(listing, "tests")) {
    bool disabled = false;
    for (const Struct& p : List(t, "properties")) {
      if (Str(p, "name") == "DISABLED") {
        disabled = p.fields().at("value").bool_value();
      }
    }
    out[Str(t, "name")] = disabled;
  }
  return out;
}

// The first ```xml block of the README (its 80020 example file).
std::string ReadmeXml(const std::string& readme) {
  const size_t start = readme.find("\n```xml\n");
  REQUIRE(start != std::string::npos);
  const size_t body = start + 8;
  const size_t end = readme.find("\n```", body);
  REQUIRE(end != std::string::npos);
  return readme.substr(body, end - body + 1);
}

bool HasChannel(const Struct& point, const std::string& channel) {
  for (const Struct& c : List(point, "channels")) {
    if (Str(c, "channel") == channel) return true;
  }
  return false;
}

// Whether a CMake file of the source tree names `test` as a word: a test
// this build did not register (it needs a tool the machine lacks) but a
// complete one does.
bool DeclaredInCmake(const std::string& test) {
  const std::regex word("(^|[^A-Za-z0-9_])" + test + "($|[^A-Za-z0-9_])");
  namespace fs = std::filesystem;
  for (auto it = fs::recursive_directory_iterator(kSourceDir); it != fs::end(it); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name[0] == '.' || absl::StartsWith(name, "build") ||
                               name == "node_modules" || name == "gen")) {
      it.disable_recursion_pending();
      continue;
    }
    if (name != "CMakeLists.txt" && !absl::EndsWith(name, ".cmake")) continue;
    if (std::regex_search(ReadFile(it->path().string()), word)) return true;
  }
  return false;
}

// A command as written, without its comment, a leading `exec`, `bash` or
// `./`, and extra blanks: `./deploy/test.sh  # all` and `exec bash
// deploy/test.sh` are the same command run from the checkout's root.
std::string PlainCommand(std::string line) {
  if (const size_t hash = line.find(" #"); hash != std::string::npos) line.resize(hash);
  std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  size_t first = 0;
  while (first < words.size() && (words[first] == "exec" || words[first] == "bash")) ++first;
  if (first < words.size() && absl::StartsWith(words[first], "./")) {
    words[first] = words[first].substr(2);
  }
  return absl::StrJoin(words.begin() + static_cast<std::ptrdiff_t>(first), words.end(), " ");
}

TEST_CASE("every command block of the README is run or names the tests that run it",
          "[lint][readme]") {
  const std::map<std::string, bool> tests = CtestTests();
  REQUIRE(tests.count("suite_readme_test") == 1);
  const std::regex command_start(
      "\\s*(\\$ctl|gridbillctl|\\./deploy/|build/|kubectl|helm|ctest|curl|grpcurl|psql|node) .*");
  int run = 0;
  int covered = 0;
  int ci = 0;
  std::vector<std::string> untested;
  for (const ReadmeBlock& b : ReadmeBlocks(ReadFile(kReadme))) {
    INFO("README line " << b.line_no << ": ```" << b.info);
    if (b.info.empty()) {
      // A plain block is output or a layout, never commands to type.
      for (const std::string& line : b.lines) {
        INFO(line);
        CHECK_FALSE(std::regex_match(line, command_start));
      }
      continue;
    }
    if (b.info != "sh" && !absl::StartsWith(b.info, "sh ")) continue;
    const std::string tag = b.info == "sh" ? "" : b.info.substr(3);
    if (tag == "readme-test") {
      ++run;
    } else if (absl::StartsWith(tag, "covered-by=")) {
      ++covered;
      for (absl::string_view name : absl::StrSplit(tag.substr(11), ',')) {
        INFO("covered by " << name);
        const auto it = tests.find(std::string(name));
        if (it != tests.end()) {
          CHECK_FALSE(it->second);  // a disabled test runs nothing
        } else {
          CHECK(DeclaredInCmake(std::string(name)));
        }
      }
    } else if (tag == "ci-command") {
      // CI's entry point runs the block's commands, and nothing else of its
      // is a command (comments, set, cd to the checkout's root aside).
      ++ci;
      std::vector<std::string> ci_commands;
      for (absl::string_view l :
           absl::StrSplit(ReadFile(std::string(kSourceDir) + "/.ci/run"), '\n')) {
        const std::string plain = PlainCommand(std::string(absl::StripAsciiWhitespace(l)));
        if (plain.empty() || plain[0] == '#' || absl::StartsWith(plain, "set ") ||
            absl::StartsWith(plain, "cd ")) {
          continue;
        }
        ci_commands.push_back(plain);
      }
      std::vector<std::string> readme_commands;
      for (const std::string& line : b.lines) {
        const std::string plain = PlainCommand(line);
        if (!plain.empty() && plain[0] != '#') readme_commands.push_back(plain);
      }
      INFO(".ci/run runs: " << absl::StrJoin(ci_commands, "; "));
      CHECK(readme_commands == ci_commands);
    } else if (tag == "untested") {
      untested.push_back(absl::StrCat("line ", b.line_no, ": ", b.lines.front()));
    } else {
      FAIL_CHECK(
          "an ```sh block must be tagged readme-test, covered-by=TEST, ci-command or untested");
    }
  }
  CHECK(run > 0);
  CHECK(covered > 0);
  CHECK(ci == 1);  // the README shows CI's command once
  WARN("README blocks no test runs:\n  " << absl::StrJoin(untested, "\n  "));
}

TEST_CASE("the README's tagged commands run as printed", "[suite][readme]") {
  const std::string readme = ReadFile(kReadme);
  const std::vector<ReadmeCommand> commands = ReadmeCommands(readme);
  REQUIRE(!commands.empty());
  // The README's own lines load the demo month, its schemes and its runs.
  auto has = [&](const std::vector<std::string>& prefix) {
    return std::any_of(commands.begin(), commands.end(), [&](const ReadmeCommand& c) {
      return c.words.size() > prefix.size() &&
             std::equal(prefix.begin(), prefix.end(), c.words.begin() + 1);
    });
  };
  REQUIRE(has({"demo", "load"}));
  REQUIRE(has({"balance", "demo-schemes"}));
  REQUIRE(has({"balance", "run", "2026-10"}));
  REQUIRE(has({"invoicing", "run", "2026-10"}));

  TempDir dir;
  Service contracts(kContractsBin, CreateDatabase("suite_r_contracts"), dir, "contracts");
  Service metering(kMeteringBin, CreateDatabase("suite_r_metering"), dir, "metering");
  Service balance(kBalanceBin, CreateDatabase("suite_r_balance"), dir, "balance",
                  {{"GRIDBILL_METERING_ADDRESS", metering.address},
                   {"GRIDBILL_CONTRACTS_ADDRESS", contracts.address}});
  Service invoicing(kInvoicingBin, CreateDatabase("suite_r_invoicing"), dir, "invoicing",
                    {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                     {"GRIDBILL_BALANCE_ADDRESS", balance.address}});
  Service forecasting(kForecastingBin, CreateDatabase("suite_r_forecasting"), dir, "forecasting",
                      {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                       {"GRIDBILL_BALANCE_ADDRESS", balance.address},
                       {"GRIDBILL_INVOICING_ADDRESS", invoicing.address}});
  Service reporting(kReportingBin, CreateDatabase("suite_r_reporting"), dir, "reporting",
                    {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                     {"GRIDBILL_INVOICING_ADDRESS", invoicing.address},
                     {"GRIDBILL_BALANCE_ADDRESS", balance.address},
                     {"GRIDBILL_METERING_ADDRESS", metering.address},
                     {"GRIDBILL_FORECASTING_ADDRESS", forecasting.address},
                     {"GRIDBILL_EXPORT_TMP_DIR", dir.path()}});
  // The gateway as `up` starts it: the admin's password in .run/secrets.
  std::filesystem::create_directories(dir.File(".run/secrets"));
  WriteFile(dir.File(".run/secrets/admin_password"), "readme-admin-password-0123\n");
  const std::string web_address = "127.0.0.1:" + std::to_string(FreePort());
  Service gateway(
      kGatewayBin, CreateDatabase("suite_r_gateway"), dir, "gateway",
      {{"GRIDBILL_IDENTITY_SECRET", "readme-identity-secret-0123456789abcdef"},
       {"GRIDBILL_TOKEN_SECRET", "readme-token-secret-0123456789abcdefghi"},
       {"GRIDBILL_WEB_ADDRESS", web_address},
       {"GRIDBILL_BACKEND_CONTRACTS", contracts.address},
       {"GRIDBILL_BACKEND_METERING", metering.address},
       {"GRIDBILL_BACKEND_BALANCE", balance.address},
       {"GRIDBILL_BACKEND_INVOICING", invoicing.address},
       {"GRIDBILL_BACKEND_FORECASTING", forecasting.address},
       {"GRIDBILL_BACKEND_REPORTING", reporting.address},
       {"GRIDBILL_BOOTSTRAP_ADMIN", "admin"},
       {"GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE", dir.File(".run/secrets/admin_password")},
       {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
       {"GRIDBILL_ARGON2_TIME_COST", "1"},
       {"GRIDBILL_AUDIT_FLUSH_INTERVAL", "100ms"}});
  for (Service* s :
       {&contracts, &metering, &balance, &invoicing, &forecasting, &reporting, &gateway}) {
    s->WaitServing(seconds(90));
  }
  // Integrations as `up` starts it: through the gateway with its own API key.
  // Its ESF adapter points at a port nobody listens on and gives up after
  // one attempt, so the invoicing run leaves dead letters to retry and skip.
  auto through_gateway = [&](const std::vector<std::string>& args, const Env& with) {
    std::vector<std::string> argv = {kCtlBin};
    argv.insert(argv.end(), args.begin(), args.end());
    Env e = with;
    e["GRIDBILL_GATEWAY"] = gateway.address;
    CommandResult r = Run(argv, e, seconds(60));
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return std::string(absl::StripAsciiWhitespace(r.out));
  };
  const std::string admin_token =
      through_gateway({"auth", "sign-in", "--user", "admin", "--password-file",
                       dir.File(".run/secrets/admin_password")},
                      {});
  const std::string integrations_key =
      through_gateway({"auth", "create-api-key", "integrations", "--roles", "integration_client"},
                      {{"GRIDBILL_TOKEN", admin_token}});
  Service integrations(kIntegrationsBin, CreateDatabase("suite_r_integrations"), dir,
                       "integrations",
                       {{"GRIDBILL_GATEWAY_ADDRESS", gateway.address},
                        {"GRIDBILL_API_KEY", integrations_key},
                        {"GRIDBILL_ESF_URL", "http://127.0.0.1:" + std::to_string(FreePort())},
                        {"GRIDBILL_ESF_BIN", "990740000683"},
                        {"GRIDBILL_MAX_ATTEMPTS", "1"},
                        {"GRIDBILL_POLL_INTERVAL", "1s"}});
  integrations.WaitServing(seconds(90));
  const Env env = {{"GRIDBILL_ADDR", contracts.address},
                   {"GRIDBILL_METERING_ADDR", metering.address},
                   {"GRIDBILL_BALANCE_ADDR", balance.address},
                   {"GRIDBILL_INVOICING_ADDR", invoicing.address},
                   {"GRIDBILL_FORECASTING_ADDR", forecasting.address},
                   {"GRIDBILL_REPORTING_ADDR", reporting.address},
                   {"GRIDBILL_INTEGRATIONS_ADDR", integrations.address}};
  // What `up` listens on, as a README line names it, is the test's.
  const std::vector<std::pair<std::string, std::string>> up_addresses = {
      {"127.0.0.1:7100", gateway.address},
      {"127.0.0.1:8100", web_address},
      {"127.0.0.1:9101", contracts.metrics_address}};
  auto ours = [&](const std::string& text) { return absl::StrReplaceAll(text, up_addresses); };
  // `gridbillctl` as a line names it: the one built here.
  const std::string path = absl::StrCat(std::filesystem::path(kCtlBin).parent_path().string(), ":",
                                        std::getenv("PATH") ? std::getenv("PATH") : "");
  auto json = [&](std::vector<std::string> args, const Env& with = {}) {
    args.insert(args.begin(), kCtlBin);
    args.push_back("--output");
    args.push_back("json");
    Env e = env;
    for (const auto& [k, v] : with) e[k] = v;
    CommandResult r = Run(args, e, seconds(300));
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    Struct out;
    INFO(r.out.substr(0, 2000));
    REQUIRE(google::protobuf::util::JsonStringToMessage(r.out, &out).ok());
    return out;
  };

  // Placeholders, each filled from what a listing shows when first needed.
  std::map<std::string, std::string> ids;
  Struct invoice;
  auto fill_documents = [&] {
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
  auto fill_runs = [&] {
    for (const Struct& r : List(json({"balance", "runs", "--period", "2026-10"}), "runs")) {
      if (Str(Obj(r, "job"), "state") != "JOB_STATE_SUCCEEDED") continue;
      if (Str(r, "type") == "RUN_TYPE_FINAL") ids["FINAL-ID"] = Str(r, "id");
      if (Str(r, "type") == "RUN_TYPE_CORRECTION" && ids.count("CORRECTION-ID") == 0) {
        ids["CORRECTION-ID"] = Str(r, "id");  // the latest: runs list newest first
      }
    }
  };
  auto fill_point = [&] {
    // An active point with channels 01 and 02 since before 2026 (schemes
    // from 2026-01-01 name both channels).
    for (const Struct& p : List(json({"metering", "points", "list"}), "points")) {
      const Struct from = Obj(p, "validFrom");
      if (Str(p, "status") == "METERING_POINT_STATUS_ACTIVE" && p.fields().count("validTo") == 0 &&
          Int(from, "year") < 2026 && HasChannel(p, "CHANNEL_ACTIVE_RECEIVED") &&
          HasChannel(p, "CHANNEL_ACTIVE_DELIVERED")) {
        ids["POINT-CODE"] = Str(p, "code");
        return;
      }
    }
  };
  auto fill_owners = [&] {
    std::vector<std::string> active;
    for (const Struct& p : List(json({"participants", "list", "--all"}), "participants")) {
      if (Str(p, "status") == "PARTICIPANT_STATUS_ACTIVE") active.push_back(Str(p, "id"));
    }
    REQUIRE(active.size() >= 2);
    ids["OWNER-ID"] = active[0];
    ids["OTHER-OWNER-ID"] = active[1];
  };
  auto fill_scheme_participant = [&] {
    for (const Struct& s :
         List(json({"balance", "schemes", "list", "--period", "2026-10"}), "schemes")) {
      if (Str(s, "serviceType") == "SERVICE_TYPE_TRANSMISSION" &&
          !Str(s, "participantId").empty()) {
        ids["P-ID"] = Str(s, "participantId");
        return;
      }
    }
  };
  auto fill = [&](const std::string& name, const Env& block_env) -> std::string {
    if (ids.count(name) > 0) return ids[name];
    if (name == "PARTICIPANT-ID" &&
        List(json({"invoicing", "documents", "--period", "2026-10", "--type", "invoice"}),
             "documents")
            .empty()) {
      fill_owners();  // before the month is billed (the portal's users): an active participant
      return ids["OWNER-ID"];
    }
    if (name == "ID" || name == "ESF-ID" || name == "PARTICIPANT-ID") fill_documents();
    if (name == "FINAL-ID" || name == "CORRECTION-ID") fill_runs();
    if (name == "POINT-CODE") fill_point();
    if (name == "OWNER-ID" || name == "OTHER-OWNER-ID") fill_owners();
    if (name == "P-ID") fill_scheme_participant();
    if (name == "P-SCHEME-ID" || name == "NODE-SCHEME-ID") {
      if (ids.count("P-ID") == 0) fill_scheme_participant();
      for (const Struct& s :
           List(json({"balance", "schemes", "list", "--period", "2026-10"}), "schemes")) {
        if (Str(s, "participantId") == ids["P-ID"] &&
            Str(s, "serviceType") == "SERVICE_TYPE_TRANSMISSION") {
          ids["P-SCHEME-ID"] = Str(s, "id");
        }
        if (Str(s, "nodeCode") == "N-35") ids["NODE-SCHEME-ID"] = Str(s, "id");
      }
    }
    if (name == "APPLICATION-ID") {
      const std::vector<Struct> a = List(json({"applications", "list"}), "applications");
      if (!a.empty()) ids[name] = Str(a.front(), "id");
    }
    if (name == "TARIFF-ID") {
      const std::vector<Struct> t =
          List(json({"tariffs", "list", "--service", "transmission"}), "tariffs");
      if (!t.empty()) ids[name] = Str(t.back(), "id");
    }
    if (name == "CONTRACT-ID") {
      const std::vector<Struct> c =
          List(json({"contracts", "list", "--service", "transmission", "--state", "active"}),
               "contracts");
      if (!c.empty()) ids[name] = Str(c.front(), "id");
    }
    // The gateway's own ids, read through the gateway as the block does.
    if (name == "KEY-ID") {  // the key the block made (not the integrations service's)
      for (const Struct& k : List(json({"auth", "list-api-keys"}, block_env), "apiKeys")) {
        if (Str(k, "name") == "erp-adapter") ids[name] = Str(k, "id");
      }
    }
    if (name == "DELIVERY-ID" || name == "OTHER-DELIVERY-ID") {
      // Dead letters of the ESF adapter, once it has tried the month's documents.
      const auto deadline = std::chrono::steady_clock::now() + seconds(120);
      std::vector<Struct> dead;
      while (dead.size() < 2 && std::chrono::steady_clock::now() < deadline) {
        dead = List(json({"integrations", "deliveries", "--state", "dead"}), "deliveries");
        if (dead.size() < 2) std::this_thread::sleep_for(seconds(1));
      }
      if (dead.size() >= 2) {
        ids["DELIVERY-ID"] = Str(dead[0], "id");
        ids["OTHER-DELIVERY-ID"] = Str(dead[1], "id");
      }
    }
    if (name == "USER-ID") {
      for (const Struct& u : List(json({"auth", "list-users"}, block_env), "users")) {
        if (Str(u, "username") == "admin") ids[name] = Str(u, "id");
      }
    }
    INFO("placeholder " << name);
    REQUIRE(ids.count(name) == 1);
    return ids[name];
  };
  const std::regex placeholder("[A-Z][A-Z-]*-ID|ID|POINT-CODE");

  // The files a line imports, written before it runs.
  auto write_inputs = [&](const ReadmeCommand& c) {
    const auto at = [&](const std::string& w) {
      return std::find(c.words.begin(), c.words.end(), w);
    };
    if (auto it = at("import-payments"); it != c.words.end() && it + 1 != c.words.end()) {
      // A payment of half the first invoice, by its customer.
      fill("ID", {});
      const int64_t half = Int(invoice, "totalTiyn") / 2;
      WriteFile(
          dir.File(*(it + 1)),
          absl::StrCat("reference,value_date,payer_bin,contract_number,amount,purpose\n",
                       "README-PAY-1,2026-11-20,", Str(invoice, "customerBin"), ",",
                       Str(invoice, "contractNumber"), ",",
                       absl::StrFormat("%d.%02d", half / 100, half % 100), ",README example\n"));
      return true;
    }
    if (auto it = at("points"); it != c.words.end() && it != c.words.begin() &&
                                *(it - 1) == "import" && it + 1 != c.words.end()) {
      fill("OWNER-ID", {});
      WriteFile(dir.File(*(it + 1)),
                absl::StrCat("code,name,channels,resolution,valid_from,participant_id\n",
                             "MP-9002,Ввод 110 кВ Т-2,01;02,pt30m,2026-01-01,", ids["OWNER-ID"],
                             "\n", "MP-9003,Ввод 110 кВ Т-3,01,pt60m,2026-01-01,\n"));
    }
    if (auto it = at("import");
        it != c.words.end() && it + 1 != c.words.end() && absl::EndsWith(*(it + 1), ".xml")) {
      WriteFile(dir.File(*(it + 1)), ReadmeXml(readme));
    }
    if (auto it = at("import"); it != c.words.end() && it != c.words.begin() &&
                                *(it - 1) == "metering" && it + 1 != c.words.end() &&
                                absl::EndsWith(*(it + 1), ".csv")) {
      // Readings of the README's own point MP-9001 (PT30M, from 2026-01-01), in Wh.
      WriteFile(dir.File(*(it + 1)),
                "point_code,channel,interval_start,value,quality,source\n"
                "MP-9001,01,2026-01-16 00:00,1520500,,\n"
                "MP-9001,01,2026-01-16 00:30,1498250,measured,scada\n"
                "MP-9001,02,2026-01-15T19:00:00Z,0,,\n");
    }
    return false;
  };

  int run = 0;
  bool imported = false;
  int block = 0;
  Env block_env;
  Env shell_vars;  // lower-case variables: a later block may use a key an earlier one made
  // A time of day as a table prints it, without an offset after it.
  const std::regex local_time(
      "\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d(?::\\d\\d(?:\\.\\d+)?)?"
      "(?![+\\-]\\d\\d:?\\d\\d|Z|\\d|:\\d|\\.\\d)");
  auto set = [&](const std::string& name, const std::string& value) {
    block_env[name] = value;
    if (std::islower(static_cast<unsigned char>(name[0]))) shell_vars[name] = value;
  };
  for (const ReadmeCommand& c : commands) {
    INFO("README line " << c.line_no << ": " << c.text);
    if (c.block != block) {  // each block is a shell session of its own
      block = c.block;
      block_env = env;
      for (const auto& [k, v] : shell_vars) block_env[k] = v;
      block_env["ctl"] = kCtlBin;
      block_env["PATH"] = path;
    }
    if (!c.assign.empty() && !c.substitute) {
      set(c.assign, ours(c.value));
      // Through the gateway, as after `up` where no service address is set.
      if (c.assign == "GRIDBILL_GATEWAY") {
        for (const auto& [k, v] : env) block_env.erase(k);
      }
      ++run;
      continue;
    }
    std::vector<std::string> words;
    for (const std::string& w : c.words) {
      if (std::regex_match(w, placeholder)) {
        words.push_back(fill(w, block_env));
      } else if (absl::StrContains(w, "POINT-CODE:")) {  // a scheme term
        fill("POINT-CODE", block_env);
        words.push_back(absl::StrReplaceAll(w, {{"POINT-CODE", ids["POINT-CODE"]}}));
      } else {
        words.push_back(w);
      }
    }
    const bool payments = write_inputs(c);
    CommandResult r =
        Run({"/bin/bash", "-o", "pipefail", "-c",
             absl::StrCat("cd '", dir.path(), "' && ", ours(absl::StrJoin(words, " ")))},
            block_env, seconds(900));
    INFO(r.Describe());
    CHECK(r.exit_code == 0);
    ++run;
    if (c.substitute) {
      set(c.assign, std::string(absl::StripAsciiWhitespace(r.out)));
      CHECK(!block_env[c.assign].empty());
    }
    if (absl::StrContains(c.text, "grpc-web-text")) {  // the web door's answer ends in its trailer
      CHECK(absl::StrContains(r.out, "grpc-status:"));
    }
    if (std::smatch m; r.exit_code == 0 && std::regex_search(r.out, m, local_time)) {
      INFO("a time of day without its offset: " << m.str());
      CHECK(false);
    }
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
