// What reporting reads from the other services, through their published
// APIs only (the gRPC clients are in grpc_sources.h; tests pass fakes).
//
// Documents are read incrementally: a refresh asks for the invoice runs and
// reads the documents of the runs that ended since the last refresh (a
// run's documents never change once issued; a correction is a new run).
// When invoicing answers a change feed (changes_after / change_cursor),
// DocumentChanges reads by cursor instead and the refresh switches to it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model.h"

namespace gridbill::reporting {

// One batch of a change feed: the rows changed after a cursor and the
// cursor after them.
template <typename T>
struct Changes {
  std::vector<T> rows;
  std::string cursor;
};

class Sources {
 public:
  virtual ~Sources() = default;
  // contracts: every participant.
  virtual absl::StatusOr<std::vector<ParticipantInfo>> Participants() = 0;
  // invoicing: every invoice run.
  virtual absl::StatusOr<std::vector<InvoiceRunInfo>> InvoiceRuns() = 0;
  // invoicing: the documents one run issued.
  virtual absl::StatusOr<std::vector<DocumentInfo>> DocumentsOfRun(const std::string& run_id) = 0;
  // invoicing: every payment with its allocation.
  virtual absl::StatusOr<std::vector<PaymentInfo>> Payments() = 0;
  // invoicing's change feeds (changes_after / change_cursor) after `cursor`
  // ("" = from the first change), read until a batch comes back empty;
  // nullopt while invoicing has none (an older version answers a page).
  virtual absl::StatusOr<std::optional<Changes<DocumentInfo>>> DocumentChanges(
      const std::string& cursor) {
    return std::optional<Changes<DocumentInfo>>();
  }
  virtual absl::StatusOr<std::optional<Changes<PaymentInfo>>> PaymentChanges(
      const std::string& cursor) {
    return std::optional<Changes<PaymentInfo>>();
  }
};

}  // namespace gridbill::reporting
