// The gRPC edge of change feeds (gridbill.common.v1.ChangesAfter): reads a
// List request's `changes_after` and writes its `change_cursor`, with the
// page-token helpers of gridbill/base/paging.h (filters digest + checksum).
//
// A change position is what a store stamps on a row each time it is written
// (see a service's change-feed migration): the id of the writing transaction
// and a number from a sequence, both as decimal text. A store answers a feed
// with the rows whose writing transaction is older than every transaction
// still open (`change_xid < pg_snapshot_xmin(pg_current_snapshot())`), after
// the cursor's position, in position order: a transaction that commits late
// has a position after every cursor given out before it committed, so no row
// is skipped, and a row carries only its latest position, so none comes twice.
//
// A cursor is bound to the list and to the request's filters (all fields but
// page_size, page_token and changes_after) and marked as a cursor, so that a
// page token is not one: an edited cursor, or one of another list or other
// filters, is INVALID_ARGUMENT on "changes_after.cursor".
//
//   if (paging::WantsChanges(*req)) {
//     ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::ChangesFromRequest(*req));
//     ASSIGN_OR_RETURN_GRPC(auto list, domain_.Changes(filter, page, who));
//     resp->set_change_cursor(paging::ChangeCursor(*req, list.next));
//   }
//
// Page::after holds the position {xid, seq} after which to read (empty: from
// the first change); the store reads at most page.size rows and sets `next`
// to the position of the last row it returns (empty when none).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "gridbill/base/paging.h"

namespace gridbill::paging {

// True when the request carries `changes_after` (the list answers its feed).
bool WantsChanges(const google::protobuf::Message& request);

// The feed position and page size a request asks for.
absl::StatusOr<Page> ChangesFromRequest(const google::protobuf::Message& request,
                                        Limits limits = {});

// The change_cursor to answer `request` with: the position `last` of the
// last row returned or, when no row was returned, the request's own cursor.
std::string ChangeCursor(const google::protobuf::Message& request, const PageKey& last);

}  // namespace gridbill::paging
