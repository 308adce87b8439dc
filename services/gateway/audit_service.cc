#include "audit_service.h"

#include "absl/strings/str_cat.h"
#include "gridbill/server/access.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::gateway {

grpc::Status AuditServiceImpl::ListAuditEntries(grpc::ServerContext* ctx,
                                                const v1::ListAuditEntriesRequest* req,
                                                v1::ListAuditEntriesResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  AuditQuery query;
  query.principal = req->principal();
  query.method = req->method();
  query.participant_id = req->participant_id();
  if (req->has_start_time()) query.start_time = FromProtoTime(req->start_time());
  if (req->has_end_time()) query.end_time = FromProtoTime(req->end_time());
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  query.limit = page.size;
  // Keyset: the token holds the id of the last entry of the previous page.
  if (!page.first()) {
    ASSIGN_OR_RETURN_GRPC(query.before_id, page.AfterInt(0));
  }
  ASSIGN_OR_RETURN_GRPC(std::vector<AuditEntry> entries, store_.ListAuditEntries(query));
  for (const AuditEntry& e : entries) {
    v1::AuditEntry* out = resp->add_entries();
    out->set_id(e.id);
    *out->mutable_call_time() = ToProtoTime(e.call_time);
    out->set_principal(e.principal);
    out->set_method(e.method);
    out->set_participant_id(e.participant_id);
    out->set_request_id(e.request_id);
    out->set_code(e.code);
    out->set_duration_us(e.duration_us);
    out->set_mutating(e.mutating);
    out->set_transport(e.transport);
  }
  if (static_cast<int>(entries.size()) == query.limit) {
    resp->set_next_page_token(paging::NextToken(*req, {absl::StrCat(entries.back().id)}));
  }
  return grpc::Status::OK;
}

}  // namespace gridbill::gateway
