// Calls to the other services as reporting's sources: identity, deadline,
// errors, every page of a List call and a change feed read to its end.
// Used by grpc_report_sources.cc (grpc_sources.cc keeps its own copy until
// its change-feed work has landed; then it should use these).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "grpcpp/client_context.h"

namespace gridbill::reporting::calls {

// As "service:reporting" with the auditor's role (read-only, every participant's rows).
inline void Prepare(grpc::ClientContext& ctx, absl::Duration timeout) {
  ctx.AddMetadata(kPrincipalHeader, "service:reporting");
  ctx.AddMetadata(kRolesHeader, "ROLE_AUDITOR");
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
}

// Another service's error as ours: UNAVAILABLE (retry later) unless it is
// one the caller can act on.
inline absl::Status FromRemote(const char* service, const grpc::Status& st) {
  const absl::Status s = FromGrpc(st);
  if (absl::IsNotFound(s) || absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s) ||
      absl::IsPermissionDenied(s)) {
    return absl::Status(s.code(), absl::StrCat(service, ": ", s.message()));
  }
  return absl::UnavailableError(absl::StrCat(service, " unavailable: ", s.message()));
}

// One unary call.
template <typename Req, typename Resp, typename Call>
absl::StatusOr<Resp> Unary(const char* service, const Req& req, absl::Duration timeout, Call call) {
  grpc::ClientContext ctx;
  Prepare(ctx, timeout);
  Resp resp;
  const grpc::Status st = call(&ctx, req, &resp);
  if (!st.ok()) return FromRemote(service, st);
  return resp;
}

// Every page of a List call: `call` fills a response from a request, `each`
// takes a page.
template <typename Req, typename Resp, typename Call, typename Each>
absl::Status EveryPage(const char* service, Req req, absl::Duration timeout, Call call, Each each) {
  req.set_page_size(1000);
  for (;;) {
    ASSIGN_OR_RETURN(Resp resp, (Unary<Req, Resp>(service, req, timeout, call)));
    RETURN_IF_ERROR(each(resp));
    if (resp.next_page_token().empty()) return absl::OkStatus();
    req.set_page_token(resp.next_page_token());
  }
}

// A change feed read to its end: batches after `cursor` until one comes back
// empty; the cursor after the last. nullopt when the service answered a page
// instead (no change_cursor: a version without the feed). `each` takes a
// batch and returns its number of rows.
template <typename Req, typename Resp, typename Call, typename Each>
absl::StatusOr<std::optional<std::string>> ReadFeed(const char* service, Req req,
                                                    std::string cursor, absl::Duration timeout,
                                                    Call call, Each each) {
  req.set_page_size(1000);
  for (;;) {
    req.mutable_changes_after()->set_cursor(cursor);
    ASSIGN_OR_RETURN(Resp resp, (Unary<Req, Resp>(service, req, timeout, call)));
    if (resp.change_cursor().empty()) return std::optional<std::string>();
    ASSIGN_OR_RETURN(const int rows, each(resp));
    cursor = resp.change_cursor();
    if (rows == 0) return std::optional<std::string>(cursor);
  }
}

}  // namespace gridbill::reporting::calls
