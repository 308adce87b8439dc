// Calls from one service to another, written once for every service that
// makes them: who the calling service is (identity metadata), a deadline on
// every call, and the other service's failure read as the caller's own,
// naming the service and method it came from.
//
//   PeerCaller contracts(CallIdentity::Service("forecasting", Role::kIntegrationClient),
//                        config.source_timeout);
//   ASSIGN_OR_RETURN(cv1::GetContractResponse resp,
//                    contracts.Call(*stub_, &cv1::ContractService::Stub::GetContract, req));
//   RETURN_IF_ERROR(contracts.EveryPage(*stub_, &cv1::TariffService::Stub::ListTariffs, req,
//                                       [&](const cv1::ListTariffsResponse& page) { ... }));
//
// Identity: a service of the suite calls as "service:<name>" holding one
// role (kPrincipalHeader / kRolesHeader, caller.h). When the suite verifies
// identities, the channel signs them for each call's method as the gateway
// signs a user's (CreateIdentitySigningChannel, identity_signing.h), and the
// other service's identity guard admits the call by that role. A client
// outside that trust (integrations, calling through the gateway) sends an
// API key instead.
//
// Errors: what the caller can act on keeps its code (NOT_FOUND,
// INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED,
// ALREADY_EXISTS) as "<service> <Method>: <message>"; everything else (the
// other service down or overloaded, the deadline passed, its internal
// error) is UNAVAILABLE "<service> <Method> unavailable: <message>", to be
// retried later. The service and method are read from the request's type
// (every RPC has its own request message, access.h MethodOfRequest):
// "contracts GetContract" for gridbill.contracts.v1.GetContractRequest.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "gridbill/base/caller.h"
#include "gridbill/base/status_macros.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "grpcpp/support/sync_stream.h"

namespace gridbill {

// Who a service is to the services it calls: the metadata of every call.
struct CallIdentity {
  // A service of the suite: principal "service:<name>" holding `role`.
  static CallIdentity Service(std::string_view name, Role role);
  // A client calling through the gateway with an API key (x-api-key).
  static CallIdentity ApiKey(std::string key);

  std::vector<std::pair<std::string, std::string>> metadata;
};

// The other service's failure of the call that takes `request`, as the
// caller's (see the header comment).
absl::Status PeerError(const google::protobuf::Descriptor& request, const grpc::Status& status);

// Makes calls to other services with one identity and one timeout per call.
class PeerCaller {
 public:
  PeerCaller(CallIdentity identity, absl::Duration timeout);

  // Identity and deadline for one call, for the calls the templates below
  // do not cover (client streams).
  void Prepare(grpc::ClientContext& ctx) const;

  // One unary call: `method` is the stub's, e.g. &ContractService::Stub::GetContract.
  template <typename Stub, typename Req, typename Resp>
  absl::StatusOr<Resp> Call(Stub& stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                            const Req& req) const {
    grpc::ClientContext ctx;
    Prepare(ctx);
    Resp resp;
    const grpc::Status st = (stub.*method)(&ctx, req, &resp);
    if (!st.ok()) return PeerError(*Req::descriptor(), st);
    return resp;
  }

  // Every page of a List call from `req`'s (1,000 rows a page unless `req`
  // sets page_size); `each` takes a page and returns an absl::Status.
  template <typename Stub, typename Req, typename Resp, typename Each>
  absl::Status EveryPage(Stub& stub,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                         Req req, Each each) const {
    if (req.page_size() == 0) req.set_page_size(1000);
    for (;;) {
      ASSIGN_OR_RETURN(Resp resp, Call(stub, method, req));
      RETURN_IF_ERROR(each(resp));
      if (resp.next_page_token().empty()) return absl::OkStatus();
      req.set_page_token(resp.next_page_token());
    }
  }

  // A change feed read to its end: batches after `cursor` until one comes
  // back empty; returns the cursor after the last. nullopt when the other
  // service answered a page instead (no change_cursor: a version without
  // the feed). `each` takes a batch and returns absl::StatusOr<int>, its
  // number of rows.
  template <typename Stub, typename Req, typename Resp, typename Each>
  absl::StatusOr<std::optional<std::string>> ReadFeed(
      Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), Req req,
      std::string cursor, Each each) const {
    if (req.page_size() == 0) req.set_page_size(1000);
    for (;;) {
      req.mutable_changes_after()->set_cursor(cursor);
      ASSIGN_OR_RETURN(Resp resp, Call(stub, method, req));
      if (resp.change_cursor().empty()) return std::optional<std::string>();
      ASSIGN_OR_RETURN(const int rows, each(resp));
      cursor = resp.change_cursor();
      if (rows == 0) return std::optional<std::string>(cursor);
    }
  }

  // A server stream read to its end, one deadline for the whole stream;
  // `each` takes a message (mutable: it may move out of it) and returns an
  // absl::Status. An error from `each` cancels the call and is returned.
  template <typename Stub, typename Req, typename Resp, typename Each>
  absl::Status ReadStream(
      Stub& stub,
      std::unique_ptr<grpc::ClientReader<Resp>> (Stub::*method)(grpc::ClientContext*, const Req&),
      const Req& req, Each each) const {
    grpc::ClientContext ctx;
    Prepare(ctx);
    std::unique_ptr<grpc::ClientReader<Resp>> reader = (stub.*method)(&ctx, req);
    Resp resp;
    absl::Status taken;
    while (reader->Read(&resp)) {
      taken = each(resp);
      if (!taken.ok()) {
        ctx.TryCancel();
        break;
      }
    }
    const grpc::Status st = reader->Finish();
    if (!taken.ok()) return taken;
    if (!st.ok()) return PeerError(*Req::descriptor(), st);
    return absl::OkStatus();
  }

 private:
  CallIdentity identity_;
  absl::Duration timeout_;
};

}  // namespace gridbill
