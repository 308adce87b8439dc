#include "tools/gridbillctl/cli.h"

#include <cstdlib>
#include <iostream>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {

// ---------------------------------------------------------------------------
// Args
// ---------------------------------------------------------------------------

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const std::vector<FlagSpec>& specs) {
  Args out;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (flags_done || word.size() < 3 || word.rfind("--", 0) != 0) {
      if (word == "--") {
        flags_done = true;
        continue;
      }
      out.positional_.push_back(word);
      continue;
    }
    std::string name = word.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (spec->value.empty()) {
      if (value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      value = "true";
    } else if (!value) {
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value (", spec->value, ")"));
      }
      value = argv[++i];
    }
    auto& values = out.values_[name];
    if (!values.empty() && !spec->repeatable) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " given more than once"));
    }
    values.push_back(*value);
  }
  return out;
}

bool Args::Has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string Args::Get(std::string_view name, std::string_view fallback) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::string(fallback);
  return it->second.back();
}

std::vector<std::string> Args::GetAll(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->second;
}

// ---------------------------------------------------------------------------
// Global flags
// ---------------------------------------------------------------------------

namespace {

std::string Env(const char* name, std::string_view fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

const Command* Find(std::string_view group, std::string_view name);

const std::vector<FlagSpec>& GlobalFlagSpecs() {
  static const auto* const k = new std::vector<FlagSpec>{
      {"gateway", "HOST:PORT",
       "call every service through the gateway's gRPC port (env GRIDBILL_GATEWAY; up: "
       "127.0.0.1:7100); needs --api-key or --token"},
      {"api-key", "KEY", "API key for calls through the gateway (env GRIDBILL_API_KEY)"},
      {"token", "TOKEN",
       "access token from \"auth sign-in\" for calls through the gateway (env GRIDBILL_TOKEN)"},
      {"addr", "HOST:PORT",
       "the contracts service or the gateway (env GRIDBILL_ADDR; default 127.0.0.1:7101)"},
      {"metering-addr", "HOST:PORT",
       "the metering service, or the gateway (env GRIDBILL_METERING_ADDR; default "
       "127.0.0.1:7102)"},
      {"principal", "NAME", "who the calls are made as (env GRIDBILL_PRINCIPAL; default $USER)"},
      {"roles", "ROLE,...",
       "roles sent with the calls, e.g. operator,auditor (env GRIDBILL_ROLES; default "
       "ROLE_OPERATOR)"},
      {"participant", "ID",
       "act as a user scoped to this participant (env GRIDBILL_PARTICIPANT); where a command "
       "has its own --participant, put this one before the command"},
      {"output", "table|json", "output format (default table; json = proto JSON)"},
      {"timeout", "DURATION", "deadline of each call, e.g. 30s, 2m (default 30s)"},
  };
  return *k;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ExtractGlobalFlags(const std::vector<std::string>& argv,
                                                            GlobalOptions& options) {
  std::string address, metering_address;  // from the command line
  std::string gateway;
  options.client.api_key = Env("GRIDBILL_API_KEY", "");
  options.client.access_token = Env("GRIDBILL_TOKEN", "");
  options.client.identity.principal = Env("GRIDBILL_PRINCIPAL", Env("USER", "gridbillctl"));
  std::string roles = Env("GRIDBILL_ROLES", "ROLE_OPERATOR");
  options.client.identity.participant = Env("GRIDBILL_PARTICIPANT", "");
  std::string output = "table";
  std::string timeout = "30s";

  std::vector<std::string> rest;
  std::vector<std::string> words;  // the command words seen so far
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {  // the rest belongs to the command
      rest.insert(rest.end(), argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
      break;
    }
    if (word == "-h" || word == "--help") {
      options.help = true;
      continue;
    }
    if (word.rfind("--", 0) != 0) {
      words.push_back(word);
      rest.push_back(word);
      continue;
    }
    // After the command, a flag the command defines itself is the command's
    // (contracts list --participant ID filters; before the command,
    // --participant is the caller's scope).
    const Command* command = words.size() >= 2 ? Find(words[0], words[1]) : nullptr;
    if (command != nullptr) {
      const std::string name = word.substr(2, word.find('=') - 2);
      const FlagSpec* own = nullptr;
      for (const auto& f : command->flags) {
        if (f.name == name) own = &f;
      }
      if (own != nullptr) {
        rest.push_back(word);
        if (!own->value.empty() && word.find('=') == std::string::npos && i + 1 < argv.size()) {
          rest.push_back(argv[++i]);
        }
        continue;
      }
    }
    std::string name, value;
    bool matched = false;
    for (const auto& spec : GlobalFlagSpecs()) {
      const std::string flag = "--" + spec.name;
      if (word == flag) {
        if (i + 1 >= argv.size()) {
          return absl::InvalidArgumentError(
              absl::StrCat(flag, " needs a value (", spec.value, ")"));
        }
        name = spec.name;
        value = argv[++i];
        matched = true;
      } else if (word.rfind(flag + "=", 0) == 0) {
        name = spec.name;
        value = word.substr(flag.size() + 1);
        matched = true;
      }
      if (matched) break;
    }
    if (!matched) {
      rest.push_back(word);
      continue;
    }
    if (name == "gateway") gateway = value;
    if (name == "api-key") options.client.api_key = value;
    if (name == "token") options.client.access_token = value;
    if (name == "addr") address = value;
    if (name == "metering-addr") metering_address = value;
    if (name == "principal") options.client.identity.principal = value;
    if (name == "roles") roles = value;
    if (name == "participant") options.client.identity.participant = value;
    if (name == "output") output = value;
    if (name == "timeout") timeout = value;
  }
  if (!gateway.empty() && gateway.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--gateway: \"", gateway, "\" is not HOST:PORT"));
  }
  SetGatewayAddress(gateway.empty() ? Env("GRIDBILL_GATEWAY", "") : gateway, !gateway.empty());
  options.client.address =
      address.empty() ? ServiceAddress("GRIDBILL_ADDR", "127.0.0.1:7101") : address;
  options.client.metering_address = metering_address.empty()
                                        ? ServiceAddress("GRIDBILL_METERING_ADDR", "127.0.0.1:7102")
                                        : metering_address;
  if (options.client.address.empty() || options.client.address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--addr: \"", options.client.address, "\" is not HOST:PORT"));
  }
  absl::StatusOr<std::string> normalized = NormalizeRoles(roles);
  if (!normalized.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--roles: ", std::string(normalized.status().message())));
  }
  options.client.identity.roles = *normalized;
  if (output != "table" && output != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("--output: \"", output, "\" is not table or json"));
  }
  options.json = output == "json";
  absl::Duration d;
  if (!absl::ParseDuration(timeout, &d) || d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--timeout: \"", timeout, "\" is not a positive duration like 30s or 2m"));
  }
  options.client.timeout = d;
  return rest;
}

// ---------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------

Context::Context(GlobalOptions options, std::ostream& out, std::ostream& err)
    : options_(std::move(options)), out_(out), err_(err) {}

const Client& Context::client() {
  if (!client_) client_ = std::make_unique<Client>(options_.client);
  return *client_;
}

int Context::Usage(const absl::Status& status) { return Usage(std::string(status.message())); }

int Context::Usage(absl::string_view message) {
  err_ << "gridbillctl: " << message << "\n";
  if (!usage_text_.empty()) err_ << usage_text_;
  return kExitUsage;
}

int Context::Fail(const grpc::Status& status) { return Fail(Describe(status)); }

int Context::Fail(absl::string_view message) {
  err_ << "gridbillctl: " << message << "\n";
  return kExitFailed;
}

void Context::PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, opts);
  if (!status.ok()) {
    err_ << "gridbillctl: cannot print JSON: " << status.ToString() << "\n";
    return;
  }
  out_ << json;
  if (json.empty() || json.back() != '\n') out_ << "\n";
}

// ---------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------

void AddBalanceCommands(std::vector<Command>& out);       // commands_balance.cc
void AddInvoicingCommands(std::vector<Command>& out);     // commands_invoicing.cc
void AddAuthCommands(std::vector<Command>& out);          // commands_auth.cc
void AddForecastCommands(std::vector<Command>& out);      // commands_forecast.cc
void AddReportCommands(std::vector<Command>& out);        // commands_report.cc
void AddIntegrationsCommands(std::vector<Command>& out);  // commands_integrations.cc

const std::vector<Command>& Commands() {
  static const auto* const k = [] {
    auto* v = new std::vector<Command>;
    AddParticipantCommands(*v);
    AddContractCommands(*v);
    AddTariffCommands(*v);
    AddApplicationCommands(*v);
    AddReferenceCommands(*v);
    AddImportCommands(*v);
    AddMeteringCommands(*v);
    AddDemoCommands(*v);
    AddBalanceCommands(*v);
    AddInvoicingCommands(*v);
    AddAuthCommands(*v);
    AddForecastCommands(*v);
    AddReportCommands(*v);
    AddIntegrationsCommands(*v);
    return v;
  }();
  return *k;
}

namespace {

std::string FlagLines(const std::vector<FlagSpec>& flags) {
  size_t width = 0;
  std::vector<std::string> lefts;
  for (const auto& f : flags) {
    std::string left = absl::StrCat("--", f.name, f.value.empty() ? "" : " " + f.value);
    width = std::max(width, DisplayWidth(left));
    lefts.push_back(left);
  }
  std::string out;
  for (size_t i = 0; i < flags.size(); ++i) {
    out += absl::StrCat("  ", lefts[i], std::string(width - DisplayWidth(lefts[i]) + 3, ' '),
                        flags[i].help, flags[i].repeatable ? " (repeatable)" : "", "\n");
  }
  return out;
}

std::string UsageLine(const Command& c) {
  return absl::StrCat("usage: gridbillctl ", c.group, " ", c.name, c.args.empty() ? "" : " ",
                      c.args, c.flags.empty() ? "" : " [flags]", "\n");
}

std::string CommandHelp(const Command& c) {
  std::string out = absl::StrCat(UsageLine(c), "\n", c.summary, "\n");
  if (!c.details.empty()) absl::StrAppend(&out, "\n", c.details, "\n");
  if (!c.flags.empty()) absl::StrAppend(&out, "\nflags:\n", FlagLines(c.flags));
  absl::StrAppend(&out, "\nglobal flags: see \"gridbillctl help\"\n");
  return out;
}

std::string MainHelp() {
  std::string out =
      "gridbillctl: the Gridbill operator CLI (the suite's gRPC APIs)\n\n"
      "usage: gridbillctl [global flags] <command> [args] [flags]\n\ncommands:\n";
  size_t width = 0;
  for (const auto& c : Commands()) {
    width = std::max(width, DisplayWidth(absl::StrCat(c.group, " ", c.name, " ", c.args)));
  }
  std::string group;
  for (const auto& c : Commands()) {
    if (c.group != group && !group.empty()) out += "\n";
    group = c.group;
    const std::string left = absl::StrCat(c.group, " ", c.name, c.args.empty() ? "" : " ", c.args);
    out +=
        absl::StrCat("  ", left, std::string(width - DisplayWidth(left) + 3, ' '), c.summary, "\n");
  }
  absl::StrAppend(&out, "\nglobal flags (anywhere on the line):\n", FlagLines(GlobalFlagSpecs()),
                  "  -h, --help   help for gridbillctl or a command\n",
                  "\nEnum values take short forms, case-insensitively: transmission, "
                  "technical_dispatching (dispatching), balancing, grid_use; generator; active; "
                  "draft; ...\n"
                  "Run \"gridbillctl help <group> <command>\" for a command's flags.\n"
                  "Environment: GRIDBILL_IDENTITY_SECRET, when set, signs the identity (principal, "
                  "roles, participant) of every call as the gateway does, for services that verify "
                  "identities (./deploy/up.sh sets it up so). GRIDBILL_MTLS_CERT_FILE, "
                  "GRIDBILL_MTLS_KEY_FILE and GRIDBILL_MTLS_CA_FILE, when set, make calls straight "
                  "to services mutual TLS (./deploy/up.sh makes them in .run/certs). Through the "
                  "gateway instead: "
                  "--gateway with --api-key or --token (\"auth sign-in\").\n"
                  "Exit codes: 0 ok, 1 the call failed or rows were rejected, 2 usage error.\n");
  return out;
}

const Command* Find(std::string_view group, std::string_view name) {
  for (const auto& c : Commands()) {
    if (c.group == group && c.name == name) return &c;
  }
  return nullptr;
}

bool IsGroup(std::string_view group) {
  for (const auto& c : Commands()) {
    if (c.group == group) return true;
  }
  return false;
}

std::string GroupHelp(std::string_view group) {
  std::string out = absl::StrCat("commands of \"", std::string(group), "\":\n");
  for (const auto& c : Commands()) {
    if (c.group != group) continue;
    out += absl::StrCat("  gridbillctl ", c.group, " ", c.name, c.args.empty() ? "" : " ", c.args,
                        "   ", c.summary, "\n");
  }
  return out;
}

}  // namespace

int Main(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  GlobalOptions options;
  absl::StatusOr<std::vector<std::string>> words = ExtractGlobalFlags(argv, options);
  if (!words.ok()) {
    err << "gridbillctl: " << words.status().message() << "\n"
        << "run \"gridbillctl help\" for usage\n";
    return kExitUsage;
  }
  std::vector<std::string>& w = *words;
  if (w.empty()) {
    if (options.help) {
      out << MainHelp();
      return kExitOk;
    }
    err << MainHelp();
    return kExitUsage;
  }
  if (w[0] == "help") {
    if (w.size() == 1) {
      out << MainHelp();
      return kExitOk;
    }
    if (w.size() >= 3) {
      if (const Command* c = Find(w[1], w[2])) {
        out << CommandHelp(*c);
        return kExitOk;
      }
    }
    if (IsGroup(w[1]) && w.size() == 2) {
      out << GroupHelp(w[1]);
      return kExitOk;
    }
    err << "gridbillctl: unknown command \"" << absl::StrJoin(w.begin() + 1, w.end(), " ")
        << "\"\nrun \"gridbillctl help\" for the list of commands\n";
    return kExitUsage;
  }
  if (!IsGroup(w[0])) {
    err << "gridbillctl: unknown command \"" << w[0]
        << "\"\nrun \"gridbillctl help\" for the list of commands\n";
    return kExitUsage;
  }
  const Command* c = w.size() >= 2 ? Find(w[0], w[1]) : nullptr;
  if (c == nullptr) {
    if (w.size() == 1 && options.help) {
      out << GroupHelp(w[0]);
      return kExitOk;
    }
    err << "gridbillctl: "
        << (w.size() == 1 ? "missing subcommand for \"" + w[0] + "\""
                          : "unknown command \"" + w[0] + " " + w[1] + "\"")
        << "\n"
        << GroupHelp(w[0]);
    return kExitUsage;
  }
  if (options.help) {
    out << CommandHelp(*c);
    return kExitOk;
  }
  Context ctx(options, out, err);
  ctx.set_usage_text(absl::StrCat(UsageLine(*c), "run \"gridbillctl help ", c->group, " ", c->name,
                                  "\" for its flags\n"));
  absl::StatusOr<Args> args =
      Args::Parse(std::vector<std::string>(w.begin() + 2, w.end()), c->flags);
  if (!args.ok()) return ctx.Usage(args.status());
  const int n = static_cast<int>(args->positional().size());
  if (n < c->min_args) {
    return ctx.Usage(absl::StrCat("missing argument ", c->args));
  }
  if (n > c->max_args) {
    return ctx.Usage(absl::StrCat("unexpected argument \"", args->positional()[c->max_args], "\""));
  }
  return c->run(ctx, *args);
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

absl::StatusOr<common::v1::Date> ParseDate(std::string_view text, std::string_view what) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  const std::string s(text);
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      s[4] != '-' || s[7] != '-' || y < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": \"", s, "\" is not a date (YYYY-MM-DD)"));
  }
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": \"", s, "\" is not a calendar date"));
  }
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

absl::StatusOr<common::v1::BillingPeriod> ParsePeriod(std::string_view text,
                                                      std::string_view what) {
  int y = 0, m = 0;
  char tail = 0;
  const std::string s(text);
  if (s.size() != 7 || std::sscanf(s.c_str(), "%4d-%2d%c", &y, &m, &tail) != 2 || s[4] != '-' ||
      y < 1 || m < 1 || m > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(what), ": \"", s, "\" is not a period (YYYY-MM)"));
  }
  common::v1::BillingPeriod out;
  out.set_year(y);
  out.set_month(m);
  return out;
}

absl::StatusOr<common::v1::Date> DateFlag(const Args& args, std::string_view name) {
  if (!args.Has(name)) return common::v1::Date();
  return ParseDate(args.Get(name), absl::StrCat("--", std::string(name)));
}

absl::StatusOr<common::v1::BillingPeriod> PeriodFlag(const Args& args, std::string_view name) {
  if (!args.Has(name)) return common::v1::BillingPeriod();
  return ParsePeriod(args.Get(name), absl::StrCat("--", std::string(name)));
}

absl::StatusOr<int64_t> IntFlag(const Args& args, std::string_view name, int64_t fallback) {
  if (!args.Has(name)) return fallback;
  int64_t v = 0;
  if (!absl::SimpleAtoi(args.Get(name), &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", std::string(name), ": \"", args.Get(name), "\" is not a whole number"));
  }
  return v;
}

std::map<std::string, std::string> ParticipantNames(Context& ctx) {
  v1::ListParticipantsRequest req;
  v1::ListParticipantsResponse resp;
  std::map<std::string, std::string> out;
  if (!FetchList(ctx.client(), ctx.client().participants(),
                 &v1::ParticipantService::Stub::ListParticipants, req, true, &resp)
           .ok()) {
    return out;
  }
  for (const auto& p : resp.participants()) out[p.id()] = p.short_name();
  return out;
}

std::string ListFooter(size_t shown, int64_t total, const std::string& next_token) {
  // A total below the rows shown is none: a later page of a list that
  // counts on its first page only (ListDocuments).
  std::string out = GroupDigits(static_cast<int64_t>(shown));
  if (total >= static_cast<int64_t>(shown)) absl::StrAppend(&out, " of ", GroupDigits(total));
  if (!next_token.empty()) {
    absl::StrAppend(&out, " (next page: --page-token ", next_token, ", or --all)");
  }
  return out + "\n";
}

std::string RenderHistory(
    const google::protobuf::RepeatedPtrField<common::v1::ChangeEntry>& entries) {
  std::string out;
  const absl::TimeZone zone = DisplayZone();
  for (const auto& e : entries) {
    absl::StrAppend(&out, "v", e.version(), "  ", FormatTime(e.change_time(), zone), "  ",
                    e.actor(), "  ", e.action());
    if (!e.reason().empty()) absl::StrAppend(&out, "  reason: ", e.reason());
    if (!e.request_id().empty()) absl::StrAppend(&out, "  [", e.request_id(), "]");
    out += "\n";
    for (const auto& c : e.changes()) {
      if (e.action() == "create") {
        if (!c.new_value().empty())
          absl::StrAppend(&out, "    ", c.field(), " = ", c.new_value(), "\n");
      } else {
        absl::StrAppend(&out, "    ", c.field(), ": ", c.old_value().empty() ? "-" : c.old_value(),
                        " → ", c.new_value().empty() ? "-" : c.new_value(), "\n");
      }
    }
  }
  if (entries.empty()) out = "no history\n";
  return out;
}

std::vector<FlagSpec> PageFlags() {
  return {{"page-size", "N", "records per page (default 100, at most 1000)"},
          {"page-token", "TOKEN", "the page to show, from a previous list"},
          {"all", "", "fetch every page"}};
}

}  // namespace gridbill::ctl
