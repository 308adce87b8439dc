#include "balance_service.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "convert.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/access.h"
#include "gridbill/server/changes.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/idempotent_call.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::balance {
namespace {

// A key of one of ListRunTotals' two lists, led by the list's letter.
paging::PageKey Tagged(std::string list, const paging::PageKey& key) {
  paging::PageKey out{std::move(list)};
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

// A participant's user sees only its own participant: the filter is forced
// to it (Authorize has refused another participant's id already).
std::string ScopedParticipant(const Caller& caller, const std::string& requested) {
  return caller.scoped() ? caller.participant_id : requested;
}

absl::StatusOr<std::optional<BillingPeriod>> OptionalPeriod(const common::v1::BillingPeriod& p,
                                                            std::string_view field) {
  if (p.year() == 0 && p.month() == 0) return std::nullopt;
  ASSIGN_OR_RETURN(BillingPeriod period, FromProtoPeriod(p, field));
  return period;
}

}  // namespace

// --- SchemeService ---------------------------------------------------------

grpc::Status SchemeServiceImpl::DefineScheme(grpc::ServerContext* ctx,
                                             const v1::DefineSchemeRequest* req,
                                             v1::DefineSchemeResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& caller, v1::DefineSchemeResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(Scheme s, FromProto(req->scheme()));
                  ASSIGN_OR_RETURN(Scheme stored, schemes_.Define(s, caller.Actor()));
                  ToProto(stored, out.mutable_scheme());
                  return absl::OkStatus();
                });
}

grpc::Status SchemeServiceImpl::CloseScheme(grpc::ServerContext* ctx,
                                            const v1::CloseSchemeRequest* req,
                                            v1::CloseSchemeResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller&, v1::CloseSchemeResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(int64_t id, ParseId(req->scheme_id(), "scheme_id"));
                  ASSIGN_OR_RETURN(absl::CivilDay to, FromProtoDate(req->valid_to(), "valid_to"));
                  ASSIGN_OR_RETURN(Scheme s, schemes_.Close(id, to, req->reason()));
                  ToProto(s, out.mutable_scheme());
                  return absl::OkStatus();
                });
}

grpc::Status SchemeServiceImpl::GetScheme(grpc::ServerContext* ctx, const v1::GetSchemeRequest* req,
                                          v1::GetSchemeResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(int64_t id, ParseId(req->scheme_id(), "scheme_id"));
  ASSIGN_OR_RETURN_GRPC(Scheme s, schemes_.Get(id));
  ToProto(s, resp->mutable_scheme());
  return grpc::Status::OK;
}

grpc::Status SchemeServiceImpl::ListSchemes(grpc::ServerContext* ctx,
                                            const v1::ListSchemesRequest* req,
                                            v1::ListSchemesResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  const std::string participant = ScopedParticipant(caller, req->participant_id());
  ASSIGN_OR_RETURN_GRPC(paging::Page requested, paging::FromRequest(*req));
  SchemeFilter f;
  f.kind = req->kind();
  f.participant_id = participant;
  f.service_type = req->service_type();
  f.node_code = req->node_code();
  ASSIGN_OR_RETURN_GRPC(f.period, OptionalPeriod(req->period(), "period"));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<Scheme> page, schemes_.List(f, requested));
  for (const Scheme& s : page.items) ToProto(s, resp->add_schemes());
  resp->set_next_page_token(paging::NextToken(*req, page.next));
  return grpc::Status::OK;
}

// --- BalanceService --------------------------------------------------------

grpc::Status BalanceServiceImpl::StartRun(grpc::ServerContext* ctx, const v1::StartRunRequest* req,
                                          v1::StartRunResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& caller, v1::StartRunResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(std::optional<BillingPeriod> period,
                                   OptionalPeriod(req->period(), "period"));
                  if (req->type() == v1::RUN_TYPE_UNSPECIFIED)
                    return InvalidField("type", "required");
                  int64_t base = 0;
                  if (!req->base_run_id().empty()) {
                    ASSIGN_OR_RETURN(base, ParseId(req->base_run_id(), "base_run_id"));
                  }
                  ASSIGN_OR_RETURN(Run run, runs_.Start(period, static_cast<RunType>(req->type()),
                                                        base, caller.Actor(), req->request_id()));
                  ToProto(run, out.mutable_run());
                  return absl::OkStatus();
                });
}

grpc::Status BalanceServiceImpl::GetRun(grpc::ServerContext* ctx, const v1::GetRunRequest* req,
                                        v1::GetRunResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(int64_t id, ParseId(req->run_id(), "run_id"));
  ASSIGN_OR_RETURN_GRPC(Run run, runs_.Get(id));
  ToProto(run, resp->mutable_run());
  return grpc::Status::OK;
}

grpc::Status BalanceServiceImpl::WatchRun(grpc::ServerContext* ctx, const v1::WatchRunRequest* req,
                                          grpc::ServerWriter<v1::WatchRunResponse>* writer) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(int64_t id, ParseId(req->run_id(), "run_id"));
  std::string last;
  while (!ctx->IsCancelled()) {
    ASSIGN_OR_RETURN_GRPC(Run run, runs_.Get(id));
    v1::WatchRunResponse out;
    ToProto(run, out.mutable_run());
    std::string bytes = out.SerializeAsString();
    if (bytes != last) {
      if (!writer->Write(out)) return grpc::Status::OK;
      last = std::move(bytes);
    }
    if (run.ended()) return grpc::Status::OK;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
}

grpc::Status BalanceServiceImpl::CancelRun(grpc::ServerContext* ctx,
                                           const v1::CancelRunRequest* req,
                                           v1::CancelRunResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller&, v1::CancelRunResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(int64_t id, ParseId(req->run_id(), "run_id"));
                  ASSIGN_OR_RETURN(Run run, runs_.Cancel(id));
                  ToProto(run, out.mutable_run());
                  return absl::OkStatus();
                });
}

grpc::Status BalanceServiceImpl::ListRuns(grpc::ServerContext* ctx, const v1::ListRunsRequest* req,
                                          v1::ListRunsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  RunFilter f;
  ASSIGN_OR_RETURN_GRPC(f.period, OptionalPeriod(req->period(), "period"));
  f.type = req->type();
  if (paging::WantsChanges(*req)) {
    ASSIGN_OR_RETURN_GRPC(paging::Page after, paging::ChangesFromRequest(*req));
    ASSIGN_OR_RETURN_GRPC(paging::PageOf<Run> changes, runs_.Changes(f, after));
    for (const Run& r : changes.items) ToProto(r, resp->add_runs());
    resp->set_change_cursor(paging::ChangeCursor(*req, changes.next));
    return grpc::Status::OK;
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page requested, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<Run> page, runs_.List(f, requested));
  for (const Run& r : page.items) ToProto(r, resp->add_runs());
  resp->set_next_page_token(paging::NextToken(*req, page.next));
  return grpc::Status::OK;
}

grpc::Status BalanceServiceImpl::GetBillingRun(grpc::ServerContext* ctx,
                                               const v1::GetBillingRunRequest* req,
                                               v1::GetBillingRunResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  if (req->period().year() == 0) return ToGrpc(InvalidField("period", "required"));
  ASSIGN_OR_RETURN_GRPC(BillingPeriod period, FromProtoPeriod(req->period(), "period"));
  ASSIGN_OR_RETURN_GRPC(Run run, runs_.BillingRun(period));
  ToProto(run, resp->mutable_run());
  return grpc::Status::OK;
}

grpc::Status BalanceServiceImpl::ListServiceHours(grpc::ServerContext* ctx,
                                                  const v1::ListServiceHoursRequest* req,
                                                  v1::ListServiceHoursResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  const std::string participant = ScopedParticipant(caller, req->participant_id());
  ASSIGN_OR_RETURN_GRPC(int64_t id, ParseId(req->run_id(), "run_id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page requested,
                        paging::FromRequest(*req, {.default_size = 1000, .max_size = 10000}));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ServiceHour> page,
                        runs_.ServiceHours(id, participant, req->service_type(), requested));
  for (const ServiceHour& h : page.items) ToProto(h, resp->add_hours());
  resp->set_next_page_token(paging::NextToken(*req, page.next));
  return grpc::Status::OK;
}

grpc::Status BalanceServiceImpl::StreamServiceHours(
    grpc::ServerContext* ctx, const v1::StreamServiceHoursRequest* req,
    grpc::ServerWriter<v1::StreamServiceHoursResponse>* writer) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  const std::string participant = ScopedParticipant(caller, req->participant_id());
  ASSIGN_OR_RETURN_GRPC(int64_t id, ParseId(req->run_id(), "run_id"));
  paging::Page chunk{.size = 10000};
  while (true) {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    ASSIGN_OR_RETURN_GRPC(paging::PageOf<ServiceHour> page,
                          runs_.ServiceHours(id, participant, req->service_type(), chunk));
    if (!page.items.empty()) {
      v1::StreamServiceHoursResponse out;
      for (const ServiceHour& h : page.items) ToProto(h, out.add_hours());
      if (!writer->Write(out)) return grpc::Status::OK;
    }
    if (page.next.empty()) return grpc::Status::OK;
    chunk.after = std::move(page.next);
  }
}

grpc::Status BalanceServiceImpl::ListNodeHours(grpc::ServerContext* ctx,
                                               const v1::ListNodeHoursRequest* req,
                                               v1::ListNodeHoursResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(int64_t id, ParseId(req->run_id(), "run_id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page requested,
                        paging::FromRequest(*req, {.default_size = 1000, .max_size = 10000}));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<NodeHour> page,
                        runs_.NodeHours(id, req->node_code(), requested));
  for (const NodeHour& h : page.items) ToProto(h, resp->add_hours());
  resp->set_next_page_token(paging::NextToken(*req, page.next));
  return grpc::Status::OK;
}

grpc::Status BalanceServiceImpl::ListRunTotals(grpc::ServerContext* ctx,
                                               const v1::ListRunTotalsRequest* req,
                                               v1::ListRunTotalsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  const std::string participant = ScopedParticipant(caller, req->participant_id());
  ASSIGN_OR_RETURN_GRPC(int64_t id, ParseId(req->run_id(), "run_id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page requested, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(Run run, runs_.Get(id));
  ToProto(run, resp->mutable_run());
  // The service totals, then (not for a participant's user) the node
  // totals, paged in SQL by their keys: the token's key is "s" or "n"
  // followed by the key of the last row returned.
  const std::string run_id = absl::StrCat(id);
  const bool in_nodes = !requested.first() && requested.after[0] == "n";
  paging::Page rest = requested;
  if (!requested.first()) rest.after.erase(rest.after.begin());
  paging::PageKey next;
  if (!in_nodes) {
    ASSIGN_OR_RETURN_GRPC(paging::PageOf<ServiceTotal> totals,
                          runs_.ServiceTotals(id, participant, rest));
    for (const ServiceTotal& t : totals.items) ToProto(t, run_id, resp->add_services());
    if (!totals.next.empty()) next = Tagged("s", totals.next);
    rest = paging::Page{.size = requested.size - resp->services_size()};
  }
  if (next.empty() && !caller.scoped()) {
    // A page the service totals filled still says whether node totals follow.
    const bool peek = rest.size == 0;
    if (peek) rest.size = 1;
    ASSIGN_OR_RETURN_GRPC(paging::PageOf<NodeTotal> nodes, runs_.NodeTotals(id, rest));
    if (peek && !nodes.items.empty()) {
      next = {"n"};
    } else if (!peek) {
      for (const NodeTotal& n : nodes.items) ToProto(n, resp->add_nodes());
      if (!nodes.next.empty()) next = Tagged("n", nodes.next);
    }
  }
  resp->set_next_page_token(paging::NextToken(*req, next));
  if (caller.scoped()) {
    // A participant's user sees its own totals, not the grid's inputs.
    resp->mutable_run()->clear_inputs();
    resp->mutable_run()->mutable_summary()->clear_closure();
  }
  return grpc::Status::OK;
}

grpc::Status BalanceServiceImpl::DiffRuns(grpc::ServerContext* ctx, const v1::DiffRunsRequest* req,
                                          v1::DiffRunsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(int64_t base, ParseId(req->base_run_id(), "base_run_id"));
  ASSIGN_OR_RETURN_GRPC(int64_t other, ParseId(req->other_run_id(), "other_run_id"));
  ASSIGN_OR_RETURN_GRPC(RunDiff diff, runs_.Diff(base, other, req->include_unchanged()));
  for (const ServiceDiff& d : diff.services) ToProto(d, resp->add_services());
  resp->set_changed_point_days(diff.changed_point_days);
  resp->set_changed_schemes(diff.changed_schemes);
  return grpc::Status::OK;
}

}  // namespace gridbill::balance
