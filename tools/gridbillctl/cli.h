// The command-line framework of gridbillctl: global flags, per-command flags,
// help texts, output (table or proto JSON) and exit codes.
//
// Exit codes: 0 success; 1 the call failed or rows were rejected; 2 usage
// (unknown command, bad flag or flag value).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/message.h"
#include "gridbill/common/v1/common.pb.h"
#include "tools/gridbillctl/client.h"
#include "tools/gridbillctl/enums.h"

namespace gridbill::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// A flag a command accepts.
struct FlagSpec {
  std::string name;   // without "--"
  std::string value;  // the value placeholder ("ID", "YYYY-MM"); "" for a switch
  std::string help;
  bool repeatable = false;
};

// The parsed arguments of one command.
class Args {
 public:
  // Accepts `--name value`, `--name=value`, switches and positional
  // arguments; "--" ends the flags. Unknown flags, missing values and
  // repeated non-repeatable flags are INVALID_ARGUMENT.
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::vector<FlagSpec>& specs);

  bool Has(std::string_view name) const;
  // The last value of a flag, or `fallback`.
  std::string Get(std::string_view name, std::string_view fallback = "") const;
  std::vector<std::string> GetAll(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positional_;
};

// Flags every command takes, from the command line or the environment.
struct GlobalOptions {
  ClientOptions client;
  bool json = false;
  bool help = false;
};

// Removes the global flags (--addr, --principal, --roles, --participant,
// --output, --timeout, --help/-h) from anywhere in `argv` into `options`,
// after defaults from the environment (GRIDBILL_ADDR, GRIDBILL_PRINCIPAL,
// GRIDBILL_ROLES, GRIDBILL_PARTICIPANT). Returns the remaining words.
absl::StatusOr<std::vector<std::string>> ExtractGlobalFlags(const std::vector<std::string>& argv,
                                                            GlobalOptions& options);

// What a running command works with.
class Context {
 public:
  Context(GlobalOptions options, std::ostream& out, std::ostream& err);

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.json; }
  // The connection, created on first use.
  const Client& client();
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // Prints "gridbillctl: <message>" and the command's usage; returns 2.
  int Usage(const absl::Status& status);
  int Usage(absl::string_view message);
  // Prints "gridbillctl: <code>: <message>"; returns 1.
  int Fail(const grpc::Status& status);
  int Fail(absl::string_view message);
  // Prints a message as proto JSON (indented).
  void PrintJson(const google::protobuf::Message& message);

  void set_usage_text(std::string text) { usage_text_ = std::move(text); }

 private:
  GlobalOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<Client> client_;
  std::string usage_text_;
};

// One subcommand: `gridbillctl <group> <name> ARGS [flags]`.
struct Command {
  std::string group;
  std::string name;
  std::string args;  // positional placeholders for the usage line, e.g. "ID"
  int min_args = 0;
  int max_args = 0;
  std::string summary;
  std::vector<FlagSpec> flags;
  std::string details;  // extra help text
  std::function<int(Context&, const Args&)> run;
};

// Every command, in help order.
const std::vector<Command>& Commands();

// The whole program: returns the exit code.
int Main(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err);

// Registration, one function per group (commands_*.cc).
void AddReferenceCommands(std::vector<Command>& out);
void AddParticipantCommands(std::vector<Command>& out);
void AddContractCommands(std::vector<Command>& out);
void AddTariffCommands(std::vector<Command>& out);
void AddApplicationCommands(std::vector<Command>& out);
void AddImportCommands(std::vector<Command>& out);
void AddMeteringCommands(std::vector<Command>& out);
void AddDemoCommands(std::vector<Command>& out);

// --- Helpers shared by the commands ---------------------------------------

// Flag values: absent -> the zero value / nullopt-like; malformed -> INVALID_ARGUMENT naming the
// flag.
absl::StatusOr<common::v1::Date> DateFlag(const Args& args, std::string_view name);
absl::StatusOr<common::v1::BillingPeriod> PeriodFlag(const Args& args, std::string_view name);
absl::StatusOr<int64_t> IntFlag(const Args& args, std::string_view name, int64_t fallback);
absl::StatusOr<common::v1::Date> ParseDate(std::string_view text, std::string_view what);
absl::StatusOr<common::v1::BillingPeriod> ParsePeriod(std::string_view text, std::string_view what);

template <typename E>
absl::StatusOr<E> EnumFlag(const Args& args, std::string_view name) {
  if (!args.Has(name)) return static_cast<E>(0);
  absl::StatusOr<E> v = ParseEnum<E>(args.Get(name));
  if (!v.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", std::string(name), ": ", std::string(v.status().message())));
  }
  return v;
}

// Fetches one page, or every page when `all`, merging them into `out`.
template <typename Stub, typename Request, typename Response>
grpc::Status FetchList(const Client& client, Stub& stub,
                       grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                    Response*),
                       Request request, bool all, Response* out) {
  out->Clear();
  if (all && request.page_size() == 0) request.set_page_size(1000);
  while (true) {
    Response page;
    grpc::Status status = client.Call(stub, method, request, &page, nullptr, 3);
    if (!status.ok()) return status;
    const std::string token = page.next_page_token();
    out->MergeFrom(page);
    out->set_next_page_token(token);
    if (!all || token.empty()) return grpc::Status::OK;
    request.set_page_token(token);
  }
}

// Participant short names by id, for tables; empty when the caller may not list them.
std::map<std::string, std::string> ParticipantNames(Context& ctx);

// The footer of a list: "20 of 263 (next page: --page-token X, or --all)".
std::string ListFooter(size_t shown, int64_t total, const std::string& next_token);

// History entries as blocks: "v2  2026-11-28 20:45  actor  action  reason" + changes.
std::string RenderHistory(const google::protobuf::RepeatedPtrField<common::v1::ChangeEntry>& e);

// `<group> history ID`: a resource's change history by `method` of `stub`
// (a List...History call taking `id`), every page, as blocks or, with
// --output json, the pages merged into one response.
template <typename Request, typename Response, typename Stub>
int ShowHistory(Context& ctx, Stub& stub,
                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                const std::string& id) {
  Request req;
  req.set_id(id);
  Response resp;
  grpc::Status st = FetchList(ctx.client(), stub, method, req, /*all=*/true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    ctx.out() << RenderHistory(resp.entries());
  }
  return kExitOk;
}

// The list flags every List command takes.
std::vector<FlagSpec> PageFlags();

}  // namespace gridbill::ctl

// In a command: on an error status print the usage and return 2.
#define CTL_CONCAT_INNER_(a, b) a##b
#define CTL_CONCAT_(a, b) CTL_CONCAT_INNER_(a, b)
#define CTL_ASSIGN_OR_USAGE_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return ctx.Usage(tmp.status());  \
  lhs = std::move(tmp).value()
#define CTL_ASSIGN_OR_USAGE(lhs, expr) \
  CTL_ASSIGN_OR_USAGE_IMPL_(CTL_CONCAT_(ctl_usage_, __LINE__), lhs, expr)
