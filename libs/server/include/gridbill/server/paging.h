// The gRPC edge of the paging rule (gridbill/base/paging.h): reads
// page_size / page_token of any List request and writes next_page_token,
// binding tokens to the request's filters.
//
//   ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
//   ASSIGN_OR_RETURN_GRPC(auto list, domain_.List(filter, page));
//   resp->set_next_page_token(paging::NextToken(*req, list.next));
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "gridbill/base/paging.h"

namespace gridbill::paging {

// A digest of what selects a List request's rows: its type and every field
// but page_size and page_token (changing the page size between pages is fine).
std::string Filters(const google::protobuf::Message& request);

// The page a List request asks for (its `page_size` and `page_token` fields).
absl::StatusOr<Page> FromRequest(const google::protobuf::Message& request, Limits limits = {});

// The next_page_token to answer `request` with; empty when `next` is.
std::string NextToken(const google::protobuf::Message& request, const PageKey& next);

}  // namespace gridbill::paging
