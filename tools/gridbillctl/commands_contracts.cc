// gridbillctl contracts ...
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

std::string ContractDetails(const v1::Contract& c, const std::string& participant_name) {
  const absl::TimeZone zone = DisplayZone();
  std::string participant = c.participant_id();
  if (!participant_name.empty()) participant += "  " + participant_name;
  std::string share = c.payment_terms().prepayment_share();
  return RenderFields(
      {{"ID", c.id()},
       {"Number", c.number()},
       {"Participant", participant},
       {"Service", ShortName(c.service_type())},
       {"State", ShortName(c.state())},
       {"Signed on", FormatDate(c.signed_on())},
       {"Valid from", FormatDate(c.valid_from())},
       {"Valid to", FormatDate(c.valid_to()).empty() ? "open-ended" : FormatDate(c.valid_to())},
       {"Payment due day", c.payment_terms().due_day() == 0
                               ? ""
                               : absl::StrCat(c.payment_terms().due_day(), " of the next month")},
       {"Prepayment share", share},
       {"Metering points", absl::StrJoin(c.metering_point_codes(), ", ")},
       {"Accounting scheme", c.accounting_scheme_id()},
       {"Amendments", absl::StrCat(c.amendment_count())},
       {"Version", absl::StrCat(c.version())},
       {"Created", FormatTime(c.create_time(), zone)},
       {"Updated", FormatTime(c.update_time(), zone)}});
}

int Print(Context& ctx, const v1::Contract& c) {
  if (ctx.json()) {
    ctx.PrintJson(c);
    return kExitOk;
  }
  std::string name;
  v1::GetParticipantRequest req;
  req.set_id(c.participant_id());
  v1::GetParticipantResponse resp;
  if (ctx.client()
          .Call(ctx.client().participants(), &v1::ParticipantService::Stub::GetParticipant, req,
                &resp)
          .ok()) {
    name = resp.participant().short_name();
  }
  ctx.out() << ContractDetails(c, name);
  return kExitOk;
}

int List(Context& ctx, const Args& args) {
  v1::ListContractsRequest req;
  CTL_ASSIGN_OR_USAGE(auto service, EnumFlag<v1::ServiceType>(args, "service"));
  CTL_ASSIGN_OR_USAGE(auto state, EnumFlag<v1::ContractState>(args, "state"));
  CTL_ASSIGN_OR_USAGE(auto valid_on, DateFlag(args, "valid-on"));
  CTL_ASSIGN_OR_USAGE(int64_t page_size, IntFlag(args, "page-size", 0));
  req.set_participant_id(args.Get("participant"));
  req.set_service_type(service);
  req.set_state(state);
  *req.mutable_valid_on() = valid_on;
  req.set_query(args.Get("query"));
  req.set_page_size(static_cast<int32_t>(page_size));
  req.set_page_token(args.Get("page-token"));
  v1::ListContractsResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), ctx.client().contracts(), &v1::ContractService::Stub::ListContracts,
                req, args.Has("all"), &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const auto names = ParticipantNames(ctx);
  Table t({{"NUMBER"},
           {"SERVICE"},
           {"PARTICIPANT", Table::Align::kLeft, 36},
           {"STATE"},
           {"VALID FROM"},
           {"VALID TO"},
           {"AMEND.", Table::Align::kRight},
           {"ID"}});
  for (const auto& c : resp.contracts()) {
    auto it = names.find(c.participant_id());
    t.AddRow({c.number(), ShortName(c.service_type()),
              it != names.end() ? it->second : c.participant_id(), ShortName(c.state()),
              FormatDate(c.valid_from()), FormatDate(c.valid_to()),
              absl::StrCat(c.amendment_count()), c.id()});
  }
  ctx.out() << t.Render()
            << ListFooter(static_cast<size_t>(resp.contracts_size()), resp.total_size(),
                          resp.next_page_token());
  return kExitOk;
}

int Get(Context& ctx, const Args& args) {
  v1::GetContractRequest req;
  req.set_id(args.positional()[0]);
  v1::GetContractResponse resp;
  grpc::Status st = ctx.client().Call(ctx.client().contracts(),
                                      &v1::ContractService::Stub::GetContract, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.contract());
}

// The terms flags shared by create and amend.
absl::Status ReadTerms(const Args& args, v1::Contract& c, std::vector<std::string>* mask) {
  auto mark = [&](const char* path) {
    if (mask != nullptr) mask->push_back(path);
  };
  if (args.Has("signed-on")) {
    absl::StatusOr<common::v1::Date> d = DateFlag(args, "signed-on");
    if (!d.ok()) return d.status();
    *c.mutable_signed_on() = *d;
    mark("signed_on");
  }
  if (args.Has("valid-from")) {
    absl::StatusOr<common::v1::Date> d = DateFlag(args, "valid-from");
    if (!d.ok()) return d.status();
    *c.mutable_valid_from() = *d;
    mark("valid_from");
  }
  if (args.Has("valid-to")) {
    if (args.Get("valid-to") == "open") {
      c.clear_valid_to();
    } else {
      absl::StatusOr<common::v1::Date> d = DateFlag(args, "valid-to");
      if (!d.ok()) return d.status();
      *c.mutable_valid_to() = *d;
    }
    mark("valid_to");
  }
  if (args.Has("due-day")) {
    absl::StatusOr<int64_t> day = IntFlag(args, "due-day", 0);
    if (!day.ok()) return day.status();
    c.mutable_payment_terms()->set_due_day(static_cast<int32_t>(*day));
    mark("payment_terms.due_day");
  }
  if (args.Has("prepayment-share")) {
    c.mutable_payment_terms()->set_prepayment_share(args.Get("prepayment-share"));
    mark("payment_terms.prepayment_share");
  }
  if (args.Has("metering-point")) {
    c.clear_metering_point_codes();
    for (const std::string& v : args.GetAll("metering-point")) {
      for (absl::string_view code : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
        c.add_metering_point_codes(std::string(code));
      }
    }
    mark("metering_point_codes");
  }
  if (args.Has("accounting-scheme")) {
    c.set_accounting_scheme_id(args.Get("accounting-scheme"));
    mark("accounting_scheme_id");
  }
  return absl::OkStatus();
}

int Create(Context& ctx, const Args& args) {
  v1::CreateContractRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  v1::Contract& c = *req.mutable_contract();
  c.set_number(args.Get("number"));
  c.set_participant_id(args.Get("participant"));
  CTL_ASSIGN_OR_USAGE(auto service, EnumFlag<v1::ServiceType>(args, "service"));
  c.set_service_type(service);
  absl::Status terms = ReadTerms(args, c, nullptr);
  if (!terms.ok()) return ctx.Usage(terms);
  if (c.number().empty() || c.participant_id().empty() || !args.Has("service") ||
      !args.Has("valid-from")) {
    return ctx.Usage("--number, --participant, --service and --valid-from are required");
  }
  v1::CreateContractResponse resp;
  grpc::Status st = ctx.client().Call(
      ctx.client().contracts(), &v1::ContractService::Stub::CreateContract, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.contract());
}

int Transition(Context& ctx, const Args& args) {
  v1::TransitionContractRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_id(args.positional()[0]);
  if (!args.Has("to")) return ctx.Usage("--to STATE is required");
  CTL_ASSIGN_OR_USAGE(auto to, EnumFlag<v1::ContractState>(args, "to"));
  CTL_ASSIGN_OR_USAGE(int64_t expected, IntFlag(args, "expected-version", 0));
  req.set_target_state(to);
  req.set_reason(args.Get("reason"));
  req.set_expected_version(expected);
  v1::TransitionContractResponse resp;
  grpc::Status st =
      ctx.client().Call(ctx.client().contracts(), &v1::ContractService::Stub::TransitionContract,
                        req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.contract());
}

int Amend(Context& ctx, const Args& args) {
  v1::UpdateContractRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  v1::Contract& c = *req.mutable_contract();
  c.set_id(args.positional()[0]);
  std::vector<std::string> mask;
  absl::Status terms = ReadTerms(args, c, &mask);
  if (!terms.ok()) return ctx.Usage(terms);
  if (mask.empty()) return ctx.Usage("nothing to change: give at least one of the term flags");
  for (const auto& path : mask) req.mutable_update_mask()->add_paths(path);
  CTL_ASSIGN_OR_USAGE(int64_t expected, IntFlag(args, "expected-version", 0));
  CTL_ASSIGN_OR_USAGE(auto effective, DateFlag(args, "effective-date"));
  req.set_expected_version(expected);
  req.set_reason(args.Get("reason"));
  req.set_amendment_number(args.Get("amendment-number"));
  if (args.Has("effective-date")) *req.mutable_effective_date() = effective;
  v1::UpdateContractResponse resp;
  grpc::Status st = ctx.client().Call(
      ctx.client().contracts(), &v1::ContractService::Stub::UpdateContract, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.contract());
}

int History(Context& ctx, const Args& args) {
  return ShowHistory(ctx, ctx.client().contracts(), &v1::ContractService::Stub::ListContractHistory,
                     args.positional()[0]);
}

std::vector<FlagSpec> TermFlags() {
  return {{"signed-on", "YYYY-MM-DD", "the date the contract was signed"},
          {"valid-from", "YYYY-MM-DD", "first day of validity"},
          {"valid-to", "YYYY-MM-DD|open", "last day of validity"},
          {"due-day", "N", "payment due day of the following month, 1..31 (default 20)"},
          {"prepayment-share", "DECIMAL", "share paid in advance, 0..1, e.g. 0.5"},
          {"metering-point", "CODE[,CODE]", "metering point codes billed", true},
          {"accounting-scheme", "ID", "accounting scheme id (balance service)"}};
}

}  // namespace

void AddContractCommands(std::vector<Command>& out) {
  std::vector<FlagSpec> list_flags = {
      {"participant", "ID", "only this participant's contracts"},
      {"service", "SERVICE", "transmission, technical_dispatching, balancing or grid_use"},
      {"state", "STATE", "draft, active, suspended or terminated"},
      {"valid-on", "YYYY-MM-DD", "only contracts valid on this date"},
      {"query", "TEXT", "contract number contains"}};
  for (auto& f : PageFlags()) list_flags.push_back(f);
  out.push_back({"contracts", "list", "", 0, 0, "List contracts", list_flags, "", List});
  out.push_back({"contracts", "get", "ID", 1, 1, "Show one contract", {}, "", Get});

  std::vector<FlagSpec> create_flags = {{"number", "NUMBER", "contract number, unique (required)"},
                                        {"participant", "ID", "participant id (required)"},
                                        {"service", "SERVICE", "the service (required)"}};
  for (auto& f : TermFlags()) create_flags.push_back(f);
  create_flags.push_back({"request-id", "ID", "idempotency key (default: a new random one)"});
  out.push_back({"contracts", "create", "", 0, 0, "Create a contract (in the draft state)",
                 create_flags, "--valid-from is required.", Create});
  out.push_back({"contracts",
                 "transition",
                 "ID",
                 1,
                 1,
                 "Move a contract along draft -> active -> suspended -> terminated",
                 {{"to", "STATE", "active, suspended or terminated (required)"},
                  {"reason", "TEXT", "why (required for suspension and termination)"},
                  {"expected-version", "N", "fail if the contract changed meanwhile"},
                  {"request-id", "ID", "idempotency key (default: a new random one)"}},
                 "",
                 Transition});
  std::vector<FlagSpec> amend_flags = TermFlags();
  amend_flags.push_back({"reason", "TEXT", "why (required for an active contract)"});
  amend_flags.push_back(
      {"amendment-number", "NUMBER", "the amendment's document number, e.g. ДС-2"});
  amend_flags.push_back({"effective-date", "YYYY-MM-DD", "when the amendment takes effect"});
  amend_flags.push_back({"expected-version", "N", "fail if the contract changed meanwhile"});
  amend_flags.push_back({"request-id", "ID", "idempotency key (default: a new random one)"});
  out.push_back({"contracts", "amend", "ID", 1, 1,
                 "Change a contract's terms (an amendment once it is active)", amend_flags,
                 "Only the terms given as flags change.", Amend});
  out.push_back({"contracts",
                 "history",
                 "ID",
                 1,
                 1,
                 "Show a contract's change history, amendments included",
                 {},
                 "",
                 History});
}

}  // namespace gridbill::ctl
